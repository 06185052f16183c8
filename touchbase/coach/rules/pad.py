"""`pad.*`: "Don't worry about grammar and formalities… Be their equal… Don't be deferential"."""

from __future__ import annotations

import re

from ..draft import EMAIL_KINDS, Draft
from ..patterns import Phrases
from ..phrases import DEFERENCE, FORMAL_SIGNOFFS, OPENERS
from .edits import delete_or_rewrite, edit_for, quote
from .registry import rule

_OPENERS = Phrases(OPENERS)
_DEFERENCE = Phrases(DEFERENCE)
_SIGNOFFS = Phrases(FORMAL_SIGNOFFS)
_CLOSING_BEFORE = re.compile(r"(?:^|[.!?…]['’\"”)]*)[ \t]*$")
_CLOSING_AFTER = re.compile(
    r"^[ \t]*[,.!—–-]*(?:[ \t]*[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2})?[ \t,.!]*$"
)


@rule("pad.opener", "warning")
def throat_clearing(draft: Draft):
    for start, end, phrase in _OPENERS.find(draft.scan):
        suggestion, edit = delete_or_rewrite(draft, start, end, OPENERS[phrase])
        yield draft.own_hit(
            start,
            end,
            f"{quote(draft.own.text[start:end])} is throat-clearing: write short and quick and to the point.",
            suggestion,
            edit,
        )


@rule("pad.deference", "warning")
def deferential_padding(draft: Draft):
    for start, end, phrase in _DEFERENCE.find(draft.scan):
        suggestion, edit = delete_or_rewrite(draft, start, end, DEFERENCE[phrase])
        yield draft.own_hit(
            start,
            end,
            f"{quote(draft.own.text[start:end])} is deferential padding: be their equal, write like you're writing to a peer.",
            suggestion,
            edit,
        )


@rule("pad.signoff", "info", kinds=EMAIL_KINDS)
def formal_closing(draft: Draft):
    own = draft.own.text
    for start, end, phrase in _SIGNOFFS.find(draft.scan):
        line_start = own.rfind("\n", 0, start) + 1
        line_end = own.find("\n", end)
        line_end = len(own) if line_end < 0 else line_end
        if not _CLOSING_BEFORE.search(own[line_start:start]):
            continue
        if not _CLOSING_AFTER.match(own[end:line_end]):
            continue
        yield draft.own_hit(
            start,
            end,
            f"{quote(own[start:end])} is a formal closing: the seed's better email just ends “Thx.”",
            f"Write “{FORMAL_SIGNOFFS[phrase]}” (or “Thanks,” / “Best,”) instead.",
            edit_for(draft, start, end, FORMAL_SIGNOFFS[phrase]),
        )
