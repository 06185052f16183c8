"""`fup.*`: "take the initial email and forward it… 'Hi John, hope all is well. Following up on the below. Thx.'"."""

from __future__ import annotations

from ..draft import EMAIL_KINDS, Draft
from ..patterns import Phrases
from ..phrases import GUILT
from .edits import edit_for, forward_note, quote
from .registry import rule

NOTE_WORD_LIMIT = 25

_GUILT = Phrases(GUILT)


@rule("fup.forward_missing", "error", kinds=("follow_up",))
def follow_up_without_the_original(draft: Draft):
    if draft.has_original:
        return
    yield draft.whole_own_hit(
        "A follow-up should be the forward of your first email, and the original is not below this note.",
        f"Take the initial email and forward it with: “{forward_note(draft)}”",
    )


@rule("fup.too_long", "warning", kinds=("follow_up",))
def follow_up_note_too_long(draft: Draft):
    if draft.word_count > NOTE_WORD_LIMIT:
        yield draft.own_hit(
            draft.word_start(NOTE_WORD_LIMIT),
            len(draft.own.text),
            f"The follow-up note is {draft.word_count} words: the original below says the rest, keep the note to a line.",
            f"Replace the note with: “{forward_note(draft)}”",
            (0, len(draft.own.text), forward_note(draft)),
        )


@rule("fup.guilt", "info", kinds=EMAIL_KINDS)
def nagging(draft: Draft):
    for start, end, _ in _GUILT.find(draft.scan):
        yield draft.own_hit(
            start,
            end,
            f"{quote(draft.own.text[start:end])} nags: write like you're writing to a peer.",
            f"Drop it; “{forward_note(draft)}” above the original says enough.",
            edit_for(draft, start, end, "", predicate=True),
        )
