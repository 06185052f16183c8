"""One reading of an email, shared by every rule: fields, own text, sentences, asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from . import asks as ask_reader
from .patterns import Scan
from .readability import (
    Sentence,
    is_prose,
    prose,
    punctuation_token_count,
    sentences,
    text_grade,
    total_syllables,
    word_list,
    word_start,
)
from .readability import grade as flesch_kincaid
from .split import Parts, split
from .text import Field, OwnText, own_text_from, subtract

KINDS = ("first_touch", "follow_up", "drip", "reply", "social")
EMAIL_KINDS = frozenset(KINDS) - {"social"}
# Sentence-level reading stops here: a pasted 5 MB log is still counted in full, but only
# its first 100,000 characters are read sentence by sentence, so the answer stays quick.
JUDGED_CHARS = 100_000


class Hit(NamedTuple):
    """What a rule found, in the working text of a field."""

    field: str
    start: int
    end: int
    message: str
    suggestion: str
    # (start, end, text): a literal rewrite in the field's working text, or None.
    edit: tuple[int, int, str] | None = None


@dataclass
class Draft:
    """The email as the rules see it; each reading is computed once, when a rule first needs it."""

    kind: str
    body: Field
    subject: Field | None
    context: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def parts(self) -> Parts:
        return split(self.body.text, self.body.quoted_ranges)

    @cached_property
    def own(self) -> OwnText:
        ranges = self.parts.own
        if self.context.get("template"):
            # A template's fields are filled at send time, so their placeholders are not counted.
            from .rules.merge import field_spans  # the rules import this module: import late, no cycle

            ranges = subtract(ranges, [span for span, _ in field_spans(self.body.text, ranges)])
        return own_text_from(self.body.text, ranges)

    @cached_property
    def scan(self) -> Scan:
        return Scan(self.own.text)

    @cached_property
    def word_texts(self) -> list[str]:
        return word_list(self.own.text)

    @cached_property
    def tokens(self) -> list[str]:
        """The own text split at whitespace (words, and any punctuation-only tokens)."""
        return self.own.text.split()

    @cached_property
    def punctuation_tokens(self) -> int:
        return punctuation_token_count(self.own.text)

    @cached_property
    def word_count(self) -> int:
        return len(self.tokens) - self.punctuation_tokens

    def word_start(self, index: int) -> int:
        """Where the word at `index` starts in the own text (the rules that cut at the n-th word)."""
        return word_start(self.own.text, index, plain=not self.punctuation_tokens)

    @cached_property
    def sentences(self) -> list[Sentence]:
        if len(self.own.text) <= JUDGED_CHARS:
            return sentences(self.own.text, plain=not self.punctuation_tokens)
        return sentences(self.own.text[:JUDGED_CHARS])

    @cached_property
    def sentence_starts(self) -> list[int]:
        return [sentence.start for sentence in self.sentences]

    @cached_property
    def grade(self) -> float:
        if len(self.own.text) <= JUDGED_CHARS:
            # The sentences cover every word of the own text: count all, then take out the fragments.
            left_out = [s for s in self.sentences if not is_prose(s)]
            words = self.word_count - sum(s.words for s in left_out)
            syllables = total_syllables(self.tokens) - sum(total_syllables(s.text.split()) for s in left_out)
            return round(flesch_kincaid(words, len(self.sentences) - len(left_out), syllables), 1)
        body = prose(self.sentences)
        return round(text_grade(" ".join(s.text for s in body), len(body)), 1)

    @cached_property
    def questions(self) -> int:
        return sum(
            1
            for sentence in self.sentences
            if ask_reader.is_question(sentence) and not ask_reader.is_quoted_question(sentence.text)
        )

    @cached_property
    def asks(self) -> list[ask_reader.Ask]:
        return ask_reader.find_asks(
            self.own.text, self.sentences, reader_only=self.kind in ("drip", "social"), scan=self.scan
        )

    @cached_property
    def ask_groups(self) -> list[list[ask_reader.Ask]]:
        return ask_reader.group_asks(self.asks)

    @cached_property
    def has_original(self) -> bool:
        return self.parts.has_history or bool(str(self.context.get("original") or "").strip())

    @cached_property
    def first_name(self) -> str:
        given = str(self.context.get("first_name") or "").strip()
        if given:
            return given
        match = ask_reader.GREETING.match(self.own.text)
        name = match.group("name") if match else ""
        return (
            name
            if name and name[0].isupper() and name.lower() not in ("there", "all", "team", "folks")
            else ""
        )

    def own_hit(
        self, start: int, end: int, message: str, suggestion: str, edit: tuple[int, int, str] | None = None
    ) -> Hit:
        """A finding on a span of the own text, with the edit that fixes it (own-text offsets) if any."""
        field_start, field_end = self.own.to_field(start, end)
        if edit is not None:
            edit_start, edit_end = self.own.to_field(edit[0], edit[1])
            # An edit across text the coach left out (a quote between two own parts) would delete it too.
            same = self.body.text[edit_start:edit_end] == self.own.text[edit[0] : edit[1]]
            edit = (edit_start, edit_end, edit[2]) if same else None
        return Hit("body", field_start, field_end, message, suggestion, edit)

    def whole_own_hit(self, message: str, suggestion: str, replacement: str | None = None) -> Hit:
        """A finding on all the own text; `replacement`, if given, is a new own text for it."""
        if not self.own.text:
            edit = None if replacement is None else (0, len(self.body.text), replacement)
            return Hit("body", 0, len(self.body.text), message, suggestion, edit)
        edit = None if replacement is None else (0, len(self.own.text), replacement)
        return self.own_hit(0, len(self.own.text), message, suggestion, edit)
