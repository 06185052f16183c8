"""The rule registry: each rule is a small function found by its catalogue id."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..draft import KINDS, Draft, Hit

Check = Callable[[Draft], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    kinds: frozenset[str]
    check: Check


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: str, kinds: Iterable[str] = KINDS) -> Callable[[Check], Check]:
    """Register a check under its catalogue id; it runs only for the kinds given."""

    def register(check: Check) -> Check:
        RULES[rule_id] = Rule(rule_id, severity, frozenset(kinds), check)
        return check

    return register
