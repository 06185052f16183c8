"""`tone.extreme`: gushing or hostile; mild tone reads as a peer."""

from __future__ import annotations

import re

from ..draft import Draft
from ..patterns import Phrases
from ..phrases import GUSH, HOSTILE
from .edits import delete_or_rewrite, quote
from .registry import rule

EXCLAMATIONS = 3
GUSH_IN_SENTENCE = 2
GUSH_IN_EMAIL = 3

_GUSH = Phrases(GUSH)
_HOSTILE = Phrases(HOSTILE)
_EXCLAMATION = re.compile(r"!+")


@rule("tone.extreme", "info")
def gushing_or_hostile(draft: Draft):
    own = draft.own.text
    marks = list(_EXCLAMATION.finditer(own)) if "!" in own else []
    count = sum(len(m.group()) for m in marks)
    if count >= EXCLAMATIONS:
        for mark in marks:
            yield draft.own_hit(
                mark.start(),
                mark.end(),
                f"{count} exclamation marks read as gushing: mild tone reads as a peer.",
                "End the sentence with a period.",
                (mark.start(), mark.end(), "."),
            )
    gush = [(start, end) for start, end, _ in _GUSH.find(draft.scan)]
    if len(gush) >= GUSH_IN_EMAIL or _stacked(draft, gush):
        for start, end in gush:
            suggestion, edit = delete_or_rewrite(draft, start, end, "", modifier=True)
            yield draft.own_hit(
                start,
                end,
                f"{quote(own[start:end])} stacks superlatives: mild tone reads as a peer.",
                suggestion,
                edit,
            )
    for start, end, _ in _HOSTILE.find(draft.scan):
        yield draft.own_hit(
            start,
            end,
            f"{quote(own[start:end])} reads as hostile: mild tone reads as a peer.",
            "Say what you need and by when, without the heat.",
        )


def _stacked(draft: Draft, gush: list[tuple[int, int]]) -> bool:
    for sentence in draft.sentences:
        inside = sum(1 for start, _ in gush if sentence.start <= start < sentence.end)
        if inside >= GUSH_IN_SENTENCE:
            return True
    return False
