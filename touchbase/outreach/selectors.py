"""Outreach reads bigger than a page's own query: a sequence's figures and the outbox by state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, OuterRef, Q, Subquery

from .models import Enrollment, EnrollmentStatus, OutboxMessage, OutboxState, Sequence

ENDINGS = (EnrollmentStatus.REPLIED, EnrollmentStatus.BOUNCED, EnrollmentStatus.UNSUBSCRIBED)


@dataclass
class StepFigures:
    position: int
    kind: str
    label: str
    sent: int = 0
    replied: int = 0
    bounced: int = 0
    unsubscribed: int = 0

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.sent if self.sent else None


@dataclass
class SequenceFigures:
    enrolled: int = 0
    running: int = 0
    reached: int = 0  # people who got at least one email: the reply rate's denominator
    sent: int = 0
    replied: int = 0
    bounced: int = 0
    unsubscribed: int = 0
    steps: list[StepFigures] = field(default_factory=list)

    @property
    def reply_rate(self) -> float | None:
        return self.replied / self.reached if self.reached else None


def sequence_figures(sequence: Sequence) -> SequenceFigures:
    """Sent, replied, bounced and unsubscribed, for the sequence and per step.

    A reply, bounce or unsubscribe is put on the last email the person had been sent when it came:
    that is the step that earned (or lost) it. Four grouped queries, whatever the size.
    """
    steps = list(sequence.steps.order_by("position"))
    figures = SequenceFigures(steps=[StepFigures(s.position, s.kind, s.get_kind_display()) for s in steps])
    by_step = {s.pk: f for s, f in zip(steps, figures.steps, strict=True)}
    runs = Enrollment.objects.filter(sequence=sequence)
    counts = runs.aggregate(enrolled=Count("id"), running=Count("id", filter=Q(status__in=[
        EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED])))
    figures.enrolled, figures.running = counts["enrolled"], counts["running"]
    sent = OutboxMessage.objects.filter(enrollment__sequence=sequence, state=OutboxState.SENT)
    for step_id, n in sent.values_list("step_id").annotate(n=Count("id")).order_by():
        if step_id in by_step:
            by_step[step_id].sent = n
        figures.sent += n
    figures.reached = sent.values("enrollment_id").distinct().count()
    last_sent = (OutboxMessage.objects.filter(enrollment=OuterRef("pk"), state=OutboxState.SENT)
                 .order_by("-sent_at", "-pk").values("step_id")[:1])
    ended = (runs.filter(status__in=ENDINGS).annotate(last_step=Subquery(last_sent))
             .values_list("status", "last_step").annotate(n=Count("id")).order_by())
    for status, step_id, n in ended:
        setattr(figures, status, getattr(figures, status) + n)
        if step_id in by_step:
            setattr(by_step[step_id], status, getattr(by_step[step_id], status) + n)
    return figures


HELD = "held"


def outbox_state(message: OutboxMessage, now: datetime) -> str:
    """A queued message waiting for something (a cap, the window, a paused mailbox) is "held"."""
    if message.state == OutboxState.QUEUED and (message.held_reason or (message.not_before and
                                                                         message.not_before > now)):
        return HELD
    return message.state


def outbox_counts(now: datetime, rows=None) -> dict[str, int]:
    """How many messages are in each state, held counted apart from queued."""
    rows = OutboxMessage.objects.all() if rows is None else rows
    counts = {state: 0 for state in [OutboxState.DRAFT, OutboxState.QUEUED, HELD, OutboxState.SENDING,
                                     OutboxState.SENT, OutboxState.FAILED, OutboxState.CANCELLED,
                                     OutboxState.UNSURE]}
    for state, n in rows.values_list("state").annotate(n=Count("id")).order_by():
        counts[state] = counts.get(state, 0) + n
    held = rows.filter(state=OutboxState.QUEUED).filter(~Q(held_reason="") | Q(not_before__gt=now)).count()
    counts[HELD] = held
    counts[OutboxState.QUEUED] -= held
    return {str(k): v for k, v in counts.items()}
