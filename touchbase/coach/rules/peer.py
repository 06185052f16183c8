"""`peer.*`: "write like you're writing to a peer"; educate them about their world, not yours."""

from __future__ import annotations

import re

from ..asks import is_greeting_only, strip_greeting
from ..draft import Draft
from ..patterns import Phrases, compile_phrases
from ..phrases import HEDGES, NOT_HEDGES
from .edits import delete_or_rewrite, quote
from .registry import rule

MIN_HEDGES = 2
MIN_FIRST_PERSON = 4

_HEDGES = Phrases(HEDGES)
_NOT_HEDGES = compile_phrases(NOT_HEDGES)
_SELF_START = re.compile(r"^(?:I|I['’](?:m|ve|d|ll)|[Mm]y|[Ww]e|[Ww]e['’](?:re|ve|d|ll))(?![\w'’])")
_FIRST_PERSON_WORDS = frozenset(
    "i i'm i've i'd i'll me my mine myself we we're we've we'd we'll us our ours ourselves".split()
)
_SECOND_PERSON_WORDS = frozenset("you you're you've you'd you'll your yours yourself yourselves".split())


@rule("peer.hedges", "info")
def hedging(draft: Draft):
    own = draft.own.text
    hedges = [(start, end) for start, end, _ in _HEDGES.find(draft.scan) if not _NOT_HEDGES.match(own, start)]
    if len(hedges) < MIN_HEDGES:
        return
    for start, end in hedges:
        suggestion, edit = delete_or_rewrite(draft, start, end, "")
        yield draft.own_hit(
            start,
            end,
            f"{quote(own[start:end])} is one of {len(hedges)} hedges: write like you're writing to a peer, sure of your point.",
            suggestion,
            edit,
        )


@rule("peer.self_focus", "info", kinds=("first_touch", "follow_up", "drip"))
def about_you_not_them(draft: Draft):
    if not draft.sentences:
        return
    first = draft.sentences[0]
    if is_greeting_only(first.text) and len(draft.sentences) > 1:
        first = draft.sentences[1]
    cut, rest = strip_greeting(first.text)
    opening = _SELF_START.match(rest)
    if opening:
        start = first.start + cut
        yield draft.own_hit(
            start,
            start + opening.end(),
            f"The first sentence starts with {quote(opening.group(0))}: educate them about their world, not yours.",
            f"Open with them: start from what {quote(rest, 50)} means for the reader (“You…”, “Your team…”).",
        )
        return
    tokens = draft.scan.tokens
    mine = sum(1 for token in tokens if token in _FIRST_PERSON_WORDS)
    yours = sum(1 for token in tokens if token in _SECOND_PERSON_WORDS)
    if mine >= MIN_FIRST_PERSON and mine >= 2 * yours:
        yield draft.whole_own_hit(
            f"{mine} words about you or your company against {yours} about them: educate them about their world, not yours.",
            "Turn “we/our/I” sentences around to the reader: “You can…”, “Your team…”.",
        )
