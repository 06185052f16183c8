"""Small helpers that turn a finding into a concrete rewrite."""

from __future__ import annotations

import bisect
import re

from ..draft import Draft

_SHOWN = 90
_YOU_COULD = re.compile(r"^\s*you\s+(?:could|would|can|might|will)\b", re.IGNORECASE)
_DANGLING = re.compile(r"^\s*[,;:—–-]*\s*(?:(?:but|and|so|that)\b)?[\s,]*", re.IGNORECASE)


def quote(text: str, limit: int = _SHOWN) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def sentence_at(draft: Draft, position: int) -> tuple[int, int]:
    sentences = draft.sentences
    index = bisect.bisect_right(draft.sentence_starts, position) - 1
    if index >= 0 and position < sentences[index].end:
        return sentences[index].start, sentences[index].end
    return position, position


def rewrite(draft: Draft, start: int, end: int, replacement: str) -> str:
    """The sentence holding own-text span start:end, with the span replaced."""
    own = draft.own.text
    sentence_start, sentence_end = sentence_at(draft, start)
    if sentence_start == sentence_end:
        return ""
    before = own[sentence_start:start]
    after = own[end:sentence_end]
    if replacement.endswith("you"):
        after = _YOU_COULD.sub("", after, count=1)
    if not before.strip() and not replacement:
        after = _DANGLING.sub("", after, count=1)
    text = (before + replacement + (" " if replacement and after[:1].isalnum() else "") + after).strip()
    text = " ".join(text.replace(" ,", ",").split())
    if not before.strip() and text:
        text = text[0].upper() + text[1:]
    return text


def delete_or_rewrite(draft: Draft, start: int, end: int, replacement: str) -> str:
    phrase = quote(draft.own.text[start:end])
    new = rewrite(draft, start, end, replacement)
    action = f"Delete {phrase}" if not replacement else f"Write {quote(replacement)} instead of {phrase}"
    return f"{action}: {quote(new)}" if any(c.isalnum() for c in new) else f"{action}."


def forward_note(draft: Draft) -> str:
    """The seed's follow-up, filled with the recipient's first name."""
    name = draft.first_name
    return (
        f"Hi {name}, hope all is well. Following up on the below. Thx."
        if name
        else ("Hi there, hope all is well. Following up on the below. Thx.")
    )
