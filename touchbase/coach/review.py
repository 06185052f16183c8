"""`review()`: read one email the way the coach does and say, span by span, what to fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .draft import KINDS, Draft
from .rules import RULES
from .text import Field, read_field

CHAR_LIMIT = 400
SEVERITIES = ("error", "warning", "info")
# Points off per rule that fires: an error blocks the send, so it weighs most.
PENALTY = {"error": 25, "warning": 10, "info": 3}
# A 5 MB paste can match a rule thousands of times; the first findings say enough.
MAX_FINDINGS_PER_RULE = 100


@dataclass(frozen=True)
class Replacement:
    """Write `text` over `start:end` of the field as given (code points): the fix as a literal edit."""

    start: int
    end: int
    text: str

    def apply(self, value: str) -> str:
        return value[: self.start] + self.text + value[self.end :]


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    field: str
    start: int
    end: int
    message: str
    suggestion: str
    # None when the fix is not a literal rewrite ("add a reason", "cut 80 characters").
    replacement: Replacement | None = None

    def to_dict(self) -> dict[str, Any]:
        replacement = self.replacement
        return {
            "rule": self.rule,
            "severity": self.severity,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "message": self.message,
            "suggestion": self.suggestion,
            "replacement": None
            if replacement is None
            else {"start": replacement.start, "end": replacement.end, "text": replacement.text},
        }


@dataclass
class Review:
    score: int
    chars: int
    countdown: int
    gauges: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "chars": self.chars,
            "countdown": self.countdown,
            "gauges": dict(self.gauges),
            "findings": [finding.to_dict() for finding in self.findings],
        }

    def rules(self) -> set[str]:
        """The ids of the rules that fired."""
        return {finding.rule for finding in self.findings}


def review(body: str, subject: str | None = "", kind: str = "first_touch", **context: Any) -> Review:
    """Review an email (or a social post) before it goes out.

    `subject=None` means there is no subject to judge (the subject rules
    stay quiet). Context the coach understands: `first_name` (for the
    follow-up template and merge suggestions), `company`, `template=True`
    (merge fields are expected and not counted), and `original` (the email
    a follow-up forwards, when it is attached rather than quoted below).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: use one of {', '.join(KINDS)}")
    body = body if isinstance(body, str) else str(body or "")
    draft = Draft(
        kind=kind,
        body=read_field("body", body),
        subject=None if subject is None else read_field("subject", str(subject)),
        context=context,
    )
    findings = []
    for rule in RULES.values():
        if kind not in rule.kinds:
            continue
        for count, hit in enumerate(rule.check(draft)):
            if count >= MAX_FINDINGS_PER_RULE:
                break
            source = draft.body if hit.field == "body" else draft.subject
            start, end = source.source_span(hit.start, hit.end)
            findings.append(
                Finding(
                    rule.id, rule.severity, hit.field, start, end, hit.message, hit.suggestion,
                    _replacement(source, hit.edit),
                )
            )
    findings.sort(key=lambda f: (f.field != "subject", f.start, f.end, f.rule))
    chars = len(draft.own.text)
    return Review(
        score=_score(findings),
        chars=chars,
        countdown=CHAR_LIMIT - chars,
        gauges={
            "chars": chars,
            "words": draft.word_count,
            "grade": draft.grade,
            "questions": draft.questions,
            "asks": len(draft.ask_groups),
        },
        findings=findings,
    )


def _replacement(source: Field, edit: tuple[int, int, str] | None) -> Replacement | None:
    if edit is None:
        return None
    start, end = source.source_span(edit[0], edit[1])
    # Only where the field as given reads as judged: an edit over HTML tags or a CRLF would lose them.
    if source.raw[start:end] != source.text[edit[0] : edit[1]]:
        return None
    return Replacement(start, end, edit[2])


def own_text(body: str) -> str:
    """The writer's own words in a body, as the coach counts them: HTML reduced, CRLF as one
    newline, quoted history, forwards and the signature taken away (for reading replies too)."""
    return Draft(kind="reply", body=read_field("body", body), subject=None).own.text


def _score(findings: list[Finding]) -> int:
    fired = {finding.rule: finding.severity for finding in findings}
    return max(0, 100 - sum(PENALTY[severity] for severity in fired.values()))
