"""Turn a finding into a literal edit of the text, and say it in words.

An edit is `(start, end, text)` in the own text: replace `start:end` with
`text`. It may cover more than the finding's span, so the sentence still reads
after it: a deleted opener takes its dangling "but" or comma, a deleted
sentence takes its full stop, a sentence start keeps its capital, a rewrite in
mid-sentence loses one. The panel applies the edit as given; the suggestion
quotes the sentence with the edit applied, shortened for a person to read.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from ..asks import is_greeting_only
from ..draft import Draft

_SHOWN = 90
_YOU_COULD = re.compile(r"\s*you\s+(?:could|would|can|might|will)\b", re.IGNORECASE)
_DANGLING = re.compile(r"[ \t]*[,;:—–-]*[ \t]*(?:(?:but|and|so|that)\b)?[ \t,]*", re.IGNORECASE)
_CLAUSE_BREAK = ",;:—–-("
_STOPS = ".!?…"
_ALNUM = re.compile(r"[^\W_]")  # a letter or a digit, as str.isalnum() says
_SELF = re.compile(r"I(?:\b|['’])")
_SUBJECT_BEFORE = re.compile(r"(?<![\w'’])(?:I|[Ww]e)[ \t]+\Z")
# Matched at a position rather than by slicing: an email can be a megabyte long.
_SPACES = re.compile(r"[ \t]*")
_WHITESPACE = re.compile(r"\s*")
_GREETING_WORDS = frozenset("hi hey hello dear morning good hiya yo".split())


class Edit(NamedTuple):
    start: int
    end: int
    text: str


def quote(text: str, limit: int = _SHOWN) -> str:
    """Text in quotes for a person to read: whitespace made single spaces, cut at `limit` with "…"."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def apply(text: str, edit: Edit) -> str:
    return text[: edit.start] + edit.text + text[edit.end :]


def sentence_at(draft: Draft, position: int) -> tuple[int, int]:
    sentences = draft.sentences
    index = bisect.bisect_right(draft.sentence_starts, position) - 1
    if index >= 0 and position < sentences[index].end:
        return sentences[index].start, sentences[index].end
    return position, position


def edit_for(
    draft: Draft, start: int, end: int, replacement: str, modifier: bool = False, predicate: bool = False
) -> Edit:
    """The edit that writes `replacement` for own-text span start:end and leaves the sentence reading.

    `modifier`: the span qualifies the word after it ("revolutionary platform"), so a deletion
    takes the list comma before it ("powerful, revolutionary platform" → "powerful platform").
    `predicate`: the span is what its subject did ("haven't heard back"), so a deletion takes an
    "I" or "we" just before it too.
    """
    own = draft.own.text
    sentence_start, sentence_end = sentence_at(draft, start)
    if sentence_start == sentence_end:
        sentence_start = start
    sentence_end = max(sentence_end, end)  # a phrase may run past the sentence it starts in
    if replacement:
        if replacement.endswith("you"):
            could = _YOU_COULD.match(own, end)
            if could and could.end() <= sentence_end:
                end = could.end()
        return _rewrite(own, start, end, replacement, at_start=not own[sentence_start:start].strip())
    if modifier and own[start - 2 : start] == ", " and own[end : end + 1] == " ":
        return Edit(start - 2, end, "")
    if predicate:
        subject = _SUBJECT_BEFORE.search(own, sentence_start, start)
        start = subject.start() if subject else start
    before = own[sentence_start:start]
    at_start = not before.strip()
    after_break = at_start or before.rstrip()[-1:] in _CLAUSE_BREAK or is_greeting_only(before)
    return _deletion(own, start, end, sentence_start, sentence_end, at_start, after_break, before)


def _deletion(
    own: str, start: int, end: int, sentence_start: int, sentence_end: int, at_start: bool, after_break: bool,
    before: str,
) -> Edit:
    rest = own[end:sentence_end]
    if not _ALNUM.search(rest):
        # The span runs to the sentence's end: the whole sentence (or its tail after a greeting) goes.
        if at_start or _is_salutation(before):
            return _drop_through_stop(own, sentence_start if at_start else start, sentence_end)
        stripped = before.rstrip()
        if stripped[-1:] in _CLAUSE_BREAK:  # "It is early, maybe." keeps its full stop, not the comma
            return Edit(sentence_start + len(stripped) - 1, end, "")
        return Edit(_spaces_before(own, start), end, "")
    if after_break:
        end = _DANGLING.match(own, end).end()
        if at_start and own[end : end + 1].islower():
            return Edit(start, end + 1, own[end].upper())
        return Edit(start, end, "")
    space_before = own[start - 1 : start] in (" ", "\t")
    if space_before and own[end : end + 1] == ",":
        # "our world-class, best-in-class sensors" → "our best-in-class sensors"
        return Edit(start, _SPACES.match(own, end + 1).end(), "")
    if space_before and own[start - 2 : start - 1] == "," and own[end : end + 1] == " ":
        # "powerful, revolutionary platform" → "powerful platform"
        return Edit(start - 2, end, "")
    if space_before and (end == len(own) or own[end] in " \t.;:!?…"):
        return Edit(_spaces_before(own, start), end, "")
    if own[end : end + 1] == " ":
        end += 1
    return Edit(start, end, "")


def _is_salutation(before: str) -> bool:
    """ "Hi Dana 👋, " or "Sam - ": a greeting before the span, not the first half of a clause."""
    if is_greeting_only(before):
        return True
    stripped = before.rstrip()
    words = [word for word in stripped.split() if _ALNUM.search(word)]
    if not words or len(words) > 4 or stripped[-1] not in ",!:—–-":
        return False
    return len(words) <= 2 or words[0].lower() in _GREETING_WORDS


def _drop_through_stop(own: str, start: int, sentence_end: int) -> Edit:
    """Delete start:sentence_end, its stop included, and the spaces that would be left doubled."""
    end = sentence_end
    after_spaces = _SPACES.match(own, end).end()
    if after_spaces < len(own) and own[after_spaces] != "\n":
        return Edit(start, after_spaces, "")
    if _WHITESPACE.match(own).end() >= start:  # the first sentence: the blank lines under it go too
        return Edit(0, _WHITESPACE.match(own, end).end(), "")
    return Edit(_spaces_before(own, start), end, "")


def _spaces_before(own: str, position: int) -> int:
    while position > 0 and own[position - 1] in " \t":
        position -= 1
    return position


def _rewrite(own: str, start: int, end: int, replacement: str, at_start: bool) -> Edit:
    if at_start:
        replacement = replacement[0].upper() + replacement[1:]
    elif replacement[0].isupper() and not _SELF.match(replacement):
        replacement = replacement[0].lower() + replacement[1:]
    if replacement[-1] in _STOPS and own[end : end + 1] in (",", *_STOPS):
        end += 1  # "Kind regards," → "Thx.", not "Thx.,"
    elif replacement[-1].isalnum() and own[end : end + 1].isalnum():
        replacement += " "
    return Edit(start, end, replacement)


def preview(draft: Draft, edit: Edit) -> str:
    """The sentence around an edit as it reads once the edit is made ("" when nothing is left of it)."""
    own = draft.own.text
    sentence_start, sentence_end = sentence_at(draft, edit.start)
    if sentence_start == sentence_end:
        return ""
    if edit.start <= sentence_start and edit.end >= sentence_end:
        return ""  # the whole sentence goes
    region_end = max(sentence_end, edit.end)
    if edit.end > sentence_end:
        region_end = max(region_end, sentence_at(draft, edit.end)[1])
    region_start = min(sentence_start, edit.start)
    shifted = Edit(edit.start - region_start, edit.end - region_start, edit.text)
    text = apply(own[region_start:region_end], shifted)
    return text if _ALNUM.search(text) else ""


def delete_or_rewrite(
    draft: Draft, start: int, end: int, replacement: str, modifier: bool = False
) -> tuple[str, Edit]:
    """The suggestion in words and the edit behind it (`modifier` as for `edit_for`)."""
    edit = edit_for(draft, start, end, replacement, modifier)
    phrase = quote(draft.own.text[start:end])
    action = f"Delete {phrase}" if not replacement else f"Write {quote(replacement)} instead of {phrase}"
    new = preview(draft, edit)
    return (f"{action}: {quote(new)}" if new else f"{action}."), edit


def forward_note(draft: Draft) -> str:
    """The seed's follow-up, filled with the recipient's first name."""
    name = draft.first_name
    return (
        f"Hi {name}, hope all is well. Following up on the below. Thx."
        if name
        else ("Hi there, hope all is well. Following up on the below. Thx.")
    )
