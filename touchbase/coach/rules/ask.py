"""`ask.*`: "Make it easy to reply… If you have multiple asks, separate them"; the photocopier effect."""

from __future__ import annotations

import re

from ..asks import has_reason, placebo_spans, strip_greeting
from ..draft import Draft
from .edits import quote
from .registry import rule


@rule("ask.missing", "warning", kinds=("first_touch",))
def nothing_to_reply_to(draft: Draft):
    if draft.asks:
        return
    message = (
        "There is no question and no request: make it easy to reply, there must be something to reply to."
    )
    suggestion = "End with one short question, e.g. “Worth a 15-minute call Thursday?”"
    if draft.sentences:
        last = draft.sentences[-1]
        yield draft.own_hit(last.start, last.end, message, suggestion)
    else:
        yield draft.whole_own_hit(message, suggestion)


_CONNECTOR = re.compile(
    r"^(?:also|and|plus|separately|additionally|oh,? and|one more thing)\b[,:]?\s*", re.IGNORECASE
)


_LOWER_AFTER_GREETING = frozenset(
    "can could would will are is do does did who what when where how any have has should want free worth open "
    "please let mind".split()
)


def _ask_text(group) -> str:
    """The ask on its own, to follow "Hi Sam,": no "Also," that tied it to the other ask."""
    parts = []
    for ask in group:
        text = _CONNECTOR.sub("", strip_greeting(ask.text)[1])
        first = text.split(" ", 1)[0].lower()
        if not parts and first in _LOWER_AFTER_GREETING:
            text = text[:1].lower() + text[1:]
        parts.append(text)
    return " ".join(parts)


@rule("ask.multiple", "warning", kinds=("first_touch", "follow_up", "reply"))
def more_than_one_ask(draft: Draft):
    groups = draft.ask_groups
    if len(groups) < 2:
        return
    hello = f"Hi {draft.first_name}," if draft.first_name else "Hi,"
    emails = "  ".join(
        f"Email {number}: “{hello} {_ask_text(group)} Thx.”" for number, group in enumerate(groups, start=1)
    )
    for group in groups[1:]:
        first = group[0]
        yield draft.own_hit(
            first.start,
            first.end,
            f"This is ask {groups.index(group) + 1} of {len(groups)}: if you have multiple asks, separate them into multiple emails.",
            f"Send them as separate short emails. {emails}",
        )


@rule("ask.reason", "warning", kinds=("first_touch",))
def ask_without_a_reason(draft: Draft):
    if not draft.asks:
        return
    placebos = placebo_spans(draft.scan)
    if has_reason(draft.scan, placebos, draft.sentences, draft.asks):
        return
    ask = draft.ask_groups[0][0]
    if placebos:
        start, end = placebos[0]
        message = (
            f"{quote(draft.own.text[start:end])} is a placebo reason: give the real reason behind the request, "
            "not just the word “because”."
        )
    else:
        message = "This ask gives no reason: the photocopier effect says give the reason behind the request."
    yield draft.own_hit(
        ask.start,
        ask.end,
        message,
        "Add the real need or timing in a few words, e.g. “Have a board meeting coming up and need to lock this down.”",
    )
