"""`pad.*`: "Don't worry about grammar and formalities… Be their equal… Don't be deferential"."""

from __future__ import annotations

import re

from ..draft import EMAIL_KINDS, Draft
from ..patterns import compile_phrases, matched_phrase
from ..phrases import DEFERENCE, FORMAL_SIGNOFFS, OPENERS
from .edits import delete_or_rewrite, quote
from .registry import rule

_OPENERS = compile_phrases(OPENERS)
_DEFERENCE = compile_phrases(DEFERENCE)
_SIGNOFFS = compile_phrases(FORMAL_SIGNOFFS)
_CLOSING_BEFORE = re.compile(r"(?:^|[.!?…]['’\"”)]*)[ \t]*$")
_CLOSING_AFTER = re.compile(
    r"^[ \t]*[,.!—–-]*(?:[ \t]*[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,2})?[ \t,.!]*$"
)


@rule("pad.opener", "warning")
def throat_clearing(draft: Draft):
    for match in _OPENERS.finditer(draft.own.text):
        yield draft.own_hit(
            match.start(),
            match.end(),
            f"{quote(match.group(0))} is throat-clearing: write short and quick and to the point.",
            delete_or_rewrite(draft, match.start(), match.end(), OPENERS[matched_phrase(match, OPENERS)]),
        )


@rule("pad.deference", "warning")
def deferential_padding(draft: Draft):
    for match in _DEFERENCE.finditer(draft.own.text):
        yield draft.own_hit(
            match.start(),
            match.end(),
            f"{quote(match.group(0))} is deferential padding: be their equal, write like you're writing to a peer.",
            delete_or_rewrite(draft, match.start(), match.end(), DEFERENCE[matched_phrase(match, DEFERENCE)]),
        )


@rule("pad.signoff", "info", kinds=EMAIL_KINDS)
def formal_closing(draft: Draft):
    own = draft.own.text
    for match in _SIGNOFFS.finditer(own):
        line_start = own.rfind("\n", 0, match.start()) + 1
        line_end = own.find("\n", match.end())
        line_end = len(own) if line_end < 0 else line_end
        if not _CLOSING_BEFORE.search(own[line_start : match.start()]):
            continue
        if not _CLOSING_AFTER.match(own[match.end() : line_end]):
            continue
        yield draft.own_hit(
            match.start(),
            match.end(),
            f"{quote(match.group(0))} is a formal closing: the seed's better email just ends “Thx.”",
            f"Write “{FORMAL_SIGNOFFS[matched_phrase(match, FORMAL_SIGNOFFS)]}” (or “Thanks,” / “Best,”) instead.",
        )
