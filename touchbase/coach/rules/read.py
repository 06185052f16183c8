"""`read.*`: "3rd–5th grade writing gets more replies than college level"; one idea a sentence."""

from __future__ import annotations

import re

from ..draft import Draft
from ..phrases import PLAIN_WORDS
from ..readability import syllables, text_grade, word_count
from .edits import quote
from .registry import rule

GRADE_LIMIT = 8.0
MIN_WORDS_FOR_GRADE = 20
SENTENCE_WORD_LIMIT = 25

_PLAIN_WORDS = frozenset(PLAIN_WORDS)
_SPLIT_POINT = re.compile(
    r";\s+|,?\s+(?:and|but|which|because|while)\s+|,?\s+so\s+(?!that)|\s+[—–-]+\s+|:\s+|,\s+"
)


def _sentence_grade(text: str) -> float:
    return text_grade(text, 1)


@rule("read.grade", "warning")
def reads_above_grade_8(draft: Draft):
    if draft.word_count < MIN_WORDS_FOR_GRADE or draft.grade <= GRADE_LIMIT:
        return
    hardest = max(draft.sentences, key=lambda sentence: _sentence_grade(sentence.text))
    swaps = [f"{word} → {PLAIN_WORDS[word]}" for word in sorted(draft.scan.words & _PLAIN_WORDS)]
    long_words = sorted(
        {word.strip(".,;:!?()\"'") for word in draft.word_texts[:2000] if syllables(word) >= 4}
    )
    advice = "Use short words and short sentences"
    if swaps:
        advice += ": " + ", ".join(swaps[:5])
    elif long_words:
        advice += "; swap long words such as " + ", ".join(long_words[:4])
    yield draft.own_hit(
        hardest.start,
        hardest.end,
        f"Reads at grade {draft.grade:.1f} (over 8): 3rd–5th grade writing gets more replies than college level.",
        advice + f"; start with the hardest sentence, {quote(hardest.text, 70)}.",
    )


def split_in_two(text: str) -> str:
    """The sentence cut in two at the join nearest its middle."""
    middle = len(text) / 2
    points = [m for m in _SPLIT_POINT.finditer(text) if 10 < m.start() < len(text) - 10]
    if not points:
        return ""
    cut = min(points, key=lambda m: abs(m.start() - middle))
    first = text[: cut.start()].rstrip(",;:— ")
    second = text[cut.end() :].lstrip()
    return f"{first}. {second[:1].upper()}{second[1:]}"


def _short_enough(text: str) -> bool:
    return all(word_count(half) <= SENTENCE_WORD_LIMIT for half in text.split(". "))


@rule("read.long_sentence", "info")
def sentence_over_25_words(draft: Draft):
    for sentence in draft.sentences:
        if sentence.words > SENTENCE_WORD_LIMIT:
            rewritten = split_in_two(sentence.text)
            # Offered as an edit only when both halves are short: a literal fix must fix the finding.
            edit = (sentence.start, sentence.end, rewritten) if rewritten and _short_enough(rewritten) else None
            yield draft.own_hit(
                sentence.start,
                sentence.end,
                f"This sentence has {sentence.words} words: on a phone screen, one idea a sentence reads best.",
                f"Split it in two: {quote(rewritten, 160)}"
                if rewritten
                else "Split it in two, one idea each.",
                edit,
            )
