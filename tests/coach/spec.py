"""Shared helpers for the coach tests: which rules fire on an email."""

from touchbase.coach import review

SUBJECT = "Board meeting"


def fired(body: str, subject: str | None = SUBJECT, kind: str = "first_touch", **context) -> set[str]:
    return review(body, subject, kind, **context).rules()


def findings(body: str, rule: str, subject: str | None = SUBJECT, kind: str = "first_touch", **context):
    return [f for f in review(body, subject, kind, **context).findings if f.rule == rule]


def spans(body: str, rule: str, **kwargs) -> list[str]:
    """The text each finding of `rule` points at, read from the body as given."""
    return [body[f.start : f.end] for f in findings(body, rule, **kwargs) if f.field == "body"]


FORWARDED = (
    "\n\n---------- Forwarded message ---------\n"
    "From: Dana Reyes <dana@acme.com>\n"
    "Date: Mon, Jun 2, 2025 at 9:14 AM\n"
    "Subject: 5 mins this week?\n"
    "To: John Park <john@northwind.com>\n\n"
    "Hi John, have 5 mins to chat this week? Have a board meeting coming up and need to get on the "
    "same page on two quick things. Thx.\n"
)
