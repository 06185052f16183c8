"""`format.shouting`: an ALL-CAPS word that is not a known acronym, or "!!"."""

from __future__ import annotations

import re

from ..draft import Draft, Hit
from ..phrases import ACRONYMS
from .merge import field_spans
from .registry import rule

_ACRONYMS = frozenset(ACRONYMS.split())
_CAPS_WORD = re.compile(r"(?<![\w'’])[^\W\d_a-z]{4,}(?![\w'’])")
_BANGS = re.compile(r"!{2,}")
# Spelled with a leading class (not [A-Z]{4}) so the regex engine skips between capitals in C.
_CAPS_RUN = re.compile(r"[A-Z][A-Z]{3}")


def _may_shout(text: str) -> bool:
    return "!!" in text or not text.isascii() or bool(_CAPS_RUN.search(text))


def _shouting(text: str, fields):
    """Caps words and "!!" in `text`; `fields()` gives the template fields' spans, asked for only if needed."""
    if not _may_shout(text):
        return
    skip = None
    for match in _CAPS_WORD.finditer(text):
        word = match.group()
        if not word.isupper() or word in _ACRONYMS:
            continue
        if skip is None:
            skip = fields()
        if not any(s <= match.start() < e for s, e in skip):
            yield match, f"“{word}” in capitals reads as shouting.", f"Write “{word.capitalize()}”.", word.capitalize()
    for match in _BANGS.finditer(text):
        yield match, f"“{match.group()}” reads as shouting.", "Use one “!” at most, or a period.", "!"


def _field_spans(text: str) -> list[tuple[int, int]]:
    return [span for span, _ in field_spans(text, [(0, len(text))])]


@rule("format.shouting", "info")
def all_caps_or_double_bang(draft: Draft):
    if draft.subject is not None:
        subject = draft.subject.text
        for match, message, suggestion, fixed in _shouting(subject, lambda: _field_spans(subject)):
            yield Hit("subject", match.start(), match.end(), message, suggestion, (*match.span(), fixed))
    own = draft.own.text
    for match, message, suggestion, fixed in _shouting(own, lambda: _field_spans(own)):
        yield draft.own_hit(match.start(), match.end(), message, suggestion, (*match.span(), fixed))
