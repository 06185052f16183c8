"""The coach's rules, one module per family of the catalogue (`length.*`, `pad.*`, …)."""

from . import ask, drip, formatting, fup, length, merge, pad, peer, read, social, subject, tone
from .registry import RULES, Rule

__all__ = [
    "RULES",
    "Rule",
    "ask",
    "drip",
    "formatting",
    "fup",
    "length",
    "merge",
    "pad",
    "peer",
    "read",
    "social",
    "subject",
    "tone",
]
