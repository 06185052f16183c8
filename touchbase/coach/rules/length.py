"""`length.*`: "Emails should be as short as Tweets… a countdown from 400"."""

from __future__ import annotations

from ..draft import EMAIL_KINDS, Draft
from .registry import rule

CHAR_LIMIT = 400
WORD_LIMIT = 125


@rule("length.chars", "error", kinds=EMAIL_KINDS)
def over_400_characters(draft: Draft):
    chars = len(draft.own.text)
    if chars > CHAR_LIMIT:
        over = chars - CHAR_LIMIT
        yield draft.own_hit(
            CHAR_LIMIT,
            chars,
            f"Your own text is {chars} characters, {over} past the 400 countdown: emails should be as short as Tweets.",
            f"Cut at least {over} characters: delete the padding flagged here, keep one ask and its reason, end with “Thx.”",
        )


@rule("length.words", "warning", kinds=EMAIL_KINDS)
def over_125_words(draft: Draft):
    if draft.word_count > WORD_LIMIT:
        yield draft.own_hit(
            draft.word_start(WORD_LIMIT),
            len(draft.own.text),
            f"{draft.word_count} words: reply rates fall past about 125 words, and 25–50 words do best for cold email.",
            f"Cut to 125 words or fewer (delete {draft.word_count - WORD_LIMIT}+); aim for 25–50.",
        )
