"""`tone.extreme`: gushing or hostile; mild tone reads as a peer."""

from __future__ import annotations

import re

from ..draft import Draft
from ..patterns import compile_phrases
from ..phrases import GUSH, HOSTILE
from .edits import delete_or_rewrite, quote
from .registry import rule

EXCLAMATIONS = 3
GUSH_IN_SENTENCE = 2
GUSH_IN_EMAIL = 3

_GUSH = compile_phrases(GUSH)
_HOSTILE = compile_phrases(HOSTILE)
_EXCLAMATION = re.compile(r"!+")


@rule("tone.extreme", "info")
def gushing_or_hostile(draft: Draft):
    own = draft.own.text
    marks = list(_EXCLAMATION.finditer(own))
    if sum(len(m.group()) for m in marks) >= EXCLAMATIONS:
        for mark in marks:
            yield draft.own_hit(
                mark.start(),
                mark.end(),
                f"{sum(len(m.group()) for m in marks)} exclamation marks read as gushing: mild tone reads as a peer.",
                "End the sentence with a period.",
            )
    gush = list(_GUSH.finditer(own))
    if len(gush) >= GUSH_IN_EMAIL or _stacked(draft, gush):
        for match in gush:
            yield draft.own_hit(
                match.start(),
                match.end(),
                f"{quote(match.group())} stacks superlatives: mild tone reads as a peer.",
                delete_or_rewrite(draft, match.start(), match.end(), ""),
            )
    for match in _HOSTILE.finditer(own):
        yield draft.own_hit(
            match.start(),
            match.end(),
            f"{quote(match.group())} reads as hostile: mild tone reads as a peer.",
            "Say what you need and by when, without the heat.",
        )


def _stacked(draft: Draft, gush: list[re.Match[str]]) -> bool:
    for sentence in draft.sentences:
        inside = sum(1 for m in gush if sentence.start <= m.start() < sentence.end)
        if inside >= GUSH_IN_SENTENCE:
            return True
    return False
