"""`subject.*`: a subject is there, short (3–4 words do best) and honest (no fake thread)."""

from __future__ import annotations

import re

from ..draft import EMAIL_KINDS, Draft, Hit
from .registry import rule

WORD_LIMIT = 5

_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|fw|aw|wg|tr)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*)+", re.IGNORECASE)
_WORD = re.compile(r"\S+")
_FILLER = frozenset("a an the about re regarding quick question for your our of to and with on in".split())


def _judged(draft: Draft) -> bool:
    return draft.subject is not None and draft.kind in EMAIL_KINDS


@rule("subject.missing", "error", kinds=EMAIL_KINDS)
def no_subject(draft: Draft):
    if not _judged(draft):
        return
    text = draft.subject.text
    prefix = _PREFIX.match(text)
    if text[prefix.end() if prefix else 0 :].strip():
        return
    if draft.kind == "follow_up" and draft.parts.forwarded_subject:
        suggestion = f"Keep the forward's subject: “Fwd: {draft.parts.forwarded_subject}”"
    else:
        suggestion = "Name the one thing in 3–4 words, e.g. “Board meeting Friday”."
    yield Hit(
        "subject",
        0,
        len(text),
        "The subject is empty: an email without a subject is answered far less.",
        suggestion,
    )


@rule("subject.length", "info", kinds=EMAIL_KINDS)
def subject_over_5_words(draft: Draft):
    if not _judged(draft):
        return
    text = draft.subject.text
    prefix = _PREFIX.match(text)
    words = list(_WORD.finditer(text, prefix.end() if prefix else 0))
    if len(words) <= WORD_LIMIT:
        return
    keep = " ".join([w.group() for w in words if w.group().lower().strip(":,-") not in _FILLER][:4])
    yield Hit(
        "subject",
        words[WORD_LIMIT].start(),
        words[-1].end(),
        f"The subject has {len(words)} words: 3–4 word subjects do best.",
        f"Try “{keep}”.",
        (words[0].start(), words[-1].end(), keep),
    )


@rule("subject.fake_thread", "error", kinds=("first_touch",))
def fake_reply_or_forward(draft: Draft):
    if not _judged(draft):
        return
    text = draft.subject.text
    prefix = _PREFIX.match(text)
    if not prefix or not prefix.group().strip():
        return
    rest = text[prefix.end() :].strip()
    start = len(text) - len(text.lstrip())
    yield Hit(
        "subject",
        start,
        prefix.end(),
        f"“{prefix.group().strip()}” on a first email fakes a thread: it is dishonest and burns trust.",
        f"Drop it: “{rest}”." if rest else "Drop it and name the one thing in 3–4 words.",
        (start, prefix.end(), "") if rest else None,
    )
