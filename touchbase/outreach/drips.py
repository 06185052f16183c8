"""Drip use cases: the library of insight pieces, drips built from them, who gets them, and what a person got.

The seed asks for "regular, short and highly interesting… pieces of information (most often
without an ask)". A piece is written once in the library and reviewed by the coach in `drip`
kind (an ask is flagged, an error holds it); a drip sends its pieces one by one on a cadence to
a list. Each drip runs through a sequence of its own (one email step per piece), so the worker,
the outbox, the caps, the unsubscribe headers and the stop rules are the sequences' own.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from touchbase.coach import review
from touchbase.crm.models import Person
from touchbase.crm.permissions import can_edit

from . import merge, schedule, services
from .models import (
    Drip,
    Enrollment,
    EnrollmentStatus,
    OutboxMessage,
    OutboxState,
    Piece,
    PieceKind,
    Step,
    StepKind,
)

# How far back "were the last asks outnumbered by gives" looks: the seed's rule of seven touches.
LAST_TOUCHES = 7


# The library


def piece_text(piece: Piece) -> str:
    """The body as the reader gets it: the text, then the link on its own line."""
    return f"{piece.body.rstrip()}\n\n{piece.link}" if piece.link else piece.body


def coach_piece(piece: Piece) -> dict:
    return review(piece_text(piece), piece.subject, "drip", template=True).to_dict()


def _ensure_piece_editor(actor, piece: Piece) -> None:
    if piece.pk and piece.owner_id != actor.pk and not actor.is_manager:
        raise PermissionDenied(f"“{piece}” was written by {piece.owner}; only they or a manager can change it.")


def piece_save(*, actor, title: str, subject: str, body: str, kind: str = PieceKind.ARTICLE, link: str = "",
               piece: Piece | None = None) -> Piece:
    """Write or change a piece. Broken merge fields are refused; the coach's errors hold it until fixed."""
    piece = piece or Piece(owner=actor)
    _ensure_piece_editor(actor, piece)
    piece.title, piece.kind, piece.subject, piece.body, piece.link = (
        title.strip(), kind, subject.strip(), body, link.strip())
    errors: dict[str, list[str]] = {}
    for problem in merge.template_problems(piece.subject, "subject") + merge.template_problems(piece.body, "body"):
        errors.setdefault(problem.field, []).append(problem.message)
    if not piece.body.strip():
        errors.setdefault("body", []).append("A piece needs a text.")
    if errors:
        raise ValidationError(errors)
    piece.coach_review = coach_piece(piece)
    piece.coach_blocked = any(f["severity"] == "error" for f in piece.coach_review.get("findings", []))
    piece.full_clean()
    with transaction.atomic():
        piece.save()
        # The drips' steps carry the piece's text and verdict, so their pages and the worker's hold read them.
        Step.objects.filter(piece=piece).update(subject=piece.subject, body=piece_text(piece),
                                                coach_review=piece.coach_review, coach_blocked=piece.coach_blocked)
        if not piece.coach_blocked:
            for drip in Drip.objects.filter(sequence__steps__piece=piece).select_related("sequence").distinct():
                services._release_held(drip.sequence)
    return piece


# Drips


def can_edit_drip(actor, drip: Drip) -> bool:
    return drip.owner_id == actor.pk or actor.is_manager


def _ensure_drip_editor(actor, drip: Drip) -> None:
    if not can_edit_drip(actor, drip):
        raise PermissionDenied(f"“{drip}” belongs to {drip.owner}; only they or a manager can change it.")


def drip_create(*, actor, name: str, every_days: int = 15, tier: str = "", window_start=None, window_end=None,
                window_days: str = "0,1,2,3,4") -> Drip:
    """A new drip with no pieces yet, sent from the actor's mailbox in the recipients' send window."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the drip a name."})
    if Drip.objects.filter(name=name).exists():
        raise ValidationError({"name": f"There is already a drip named “{name}”."})
    with transaction.atomic():
        sequence = services.sequence_create(actor=actor, name=f"Drip: {name}", window_start=window_start,
                                            window_end=window_end, window_days=window_days)
        drip = Drip(name=name, owner=actor, sequence=sequence, every_days=every_days, tier=tier)
        drip.full_clean()
        drip.save()
    return drip


def _comma_list(value: str, *, upper: bool = False) -> str:
    parts = Drip.split(value)
    return ", ".join(p.upper() if upper else p for p in parts)


def drip_update(*, actor, drip: Drip, every_days: int | None = None, tier: str | None = None,
                industries: str | None = None, countries: str | None = None,
                title_words: str | None = None) -> Drip:
    """Change the cadence (for the pieces not sent yet) or the list: the tier and the saved filter."""
    _ensure_drip_editor(actor, drip)
    if every_days is not None:
        drip.every_days = every_days
    if tier is not None:
        drip.tier = tier
    if industries is not None:
        drip.industries = _comma_list(industries)
    if countries is not None:
        drip.countries = _comma_list(countries, upper=True)
        bad = [c for c in Drip.split(drip.countries) if len(c) != 2 or not c.isalpha()]
        if bad:
            raise ValidationError({"countries": f"{bad[0]} is not a two-letter country code such as US."})
    if title_words is not None:
        drip.title_words = _comma_list(title_words)
    drip.full_clean()
    with transaction.atomic():
        drip.save()
        drip.sequence.steps.filter(position__gt=1).update(delay_days=drip.every_days)
    return drip


def drip_add_piece(*, actor, drip: Drip, piece: Piece) -> Step:
    """Put a piece at the end of the drip: it goes `every_days` business days after the one before."""
    _ensure_drip_editor(actor, drip)
    if drip.sequence.steps.filter(piece=piece).exists():
        raise ValidationError({"piece": f"“{piece}” is already in this drip."})
    last = drip.sequence.steps.order_by("-position").values_list("position", flat=True).first() or 0
    step = Step(sequence=drip.sequence, position=last + 1, kind=StepKind.EMAIL, piece=piece,
                delay_days=drip.every_days if last else 0, subject=piece.subject, body=piece_text(piece),
                coach_review=piece.coach_review, coach_blocked=piece.coach_blocked)
    step.save()
    return step


def drip_pick(*, actor, drip: Drip, people) -> None:
    """Add people by hand to the drip's list, whatever their tier."""
    _ensure_drip_editor(actor, drip)
    drip.people.add(*people)


def drip_audience(drip: Drip):
    """Everyone on the drip's list: those picked by hand, and the people at the owner's companies that meet
    every condition of the saved filter (tier, industries, countries, title words) when one is set."""
    wanted = Q(pk__in=drip.people.values("pk"))
    conditions = []
    if drip.tier:
        conditions.append(Q(company__fit__tier=drip.tier))
    for field, values in (("company__industry__iexact", Drip.split(drip.industries)),
                          ("company__country", Drip.split(drip.countries))):
        if values:
            conditions.append(functools.reduce(operator.or_, (Q(**{field: v}) for v in values)))
    words = Drip.split(drip.title_words)
    if words:
        conditions.append(functools.reduce(operator.or_, (Q(title__icontains=w) for w in words)))
    if conditions:
        wanted |= functools.reduce(operator.and_, conditions, Q(company__owner=drip.owner))
    return (Person.objects.filter(wanted).distinct().select_related("company", "owner")
            .order_by("last_name", "first_name"))


def why_not_drip(person: Person, drip: Drip) -> str | None:
    """The reason this person cannot join the drip, in the seller's words; None if they can."""
    had = Enrollment.objects.filter(person=person, drip=drip).first()
    if had:
        return (f"{person.name} is already getting “{drip}”." if had.is_running
                else f"{person.name} already had “{drip}” ({had.get_status_display().lower()}).")
    return services.why_not_enroll(person, drip.owner, in_a_sequence_counts=False)


def drip_enroll(*, actor, drip: Drip, people=None, now: datetime | None = None) -> services.EnrollResult:
    """Start the drip for people (by default, everyone on its list who has not had it yet); each one refused is
    returned with the reason.

    Everyone gets the drip from its owner's mailbox: it is their name on the pieces.
    """
    _ensure_drip_editor(actor, drip)
    if drip.archived:
        raise ValidationError(f"“{drip}” is archived.")
    first = drip.sequence.steps.order_by("position").first()
    if first is None:
        raise ValidationError(f"“{drip}” has no pieces yet; add one from the library.")
    mailbox = services.mailbox_for(drip.owner)
    if mailbox is None:
        raise ValidationError(f"{drip.owner} has no mailbox connected; connect one first.")
    now = now or timezone.now()
    result = services.EnrollResult()
    if people is None:  # the whole list: those who already had the drip are not news, every cron run
        people = drip_audience(drip).exclude(enrollments__drip=drip)
    for person in people:
        if not can_edit(drip.owner, person):
            result.refused.append((person, f"{person.name} belongs to {person.owner}."))
            continue
        reason = why_not_drip(person, drip)
        if reason:
            result.refused.append((person, reason))
            continue
        due = schedule.step_due_at(now, first.delay_days, services.recipient_zone(person, drip.owner),
                                   drip.sequence.window)
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(sequence=drip.sequence, drip=drip, person=person,
                                                       owner=drip.owner, mailbox=mailbox, due_at=due,
                                                       enrolled_by=actor)
        except IntegrityError:  # joined a moment ago by another click or the command: the constraint is the judge
            result.refused.append((person, f"{person.name} is already getting “{drip}”."))
            continue
        result.enrolled.append(enrollment)
    return result


# What a person got


@dataclass
class Received:
    drip: str
    subject: str
    sent_at: datetime


@dataclass
class AsksAndGives:
    """Of a person's last outbound emails, how many asked for something and how many only gave."""

    asks: int
    gives: int

    @property
    def total(self) -> int:
        return self.asks + self.gives

    @property
    def gives_outnumber_asks(self) -> bool:
        return self.gives > self.asks


def drips_received(person: Person, limit: int = 20) -> list[Received]:
    sent = (OutboxMessage.objects.filter(enrollment__person=person, enrollment__drip__isnull=False,
                                         state=OutboxState.SENT)
            .select_related("enrollment__drip").order_by("-sent_at")[:limit])
    return [Received(drip=m.enrollment.drip.name, subject=m.subject, sent_at=m.sent_at) for m in sent]


def _coach_kind(message: OutboxMessage) -> str:
    if message.enrollment.drip_id:
        return "drip"
    return "follow_up" if message.step.kind == StepKind.FOLLOW_UP else "first_touch"


def asks_and_gives(person: Person, last: int = LAST_TOUCHES) -> AsksAndGives:
    """Count the asks the coach finds in the person's last `last` emails from us (sequences and drips)."""
    sent = (OutboxMessage.objects.filter(enrollment__person=person, state=OutboxState.SENT)
            .select_related("enrollment", "step").order_by("-sent_at")[:last])
    asks = sum(1 for m in sent if review(m.body, m.subject, _coach_kind(m)).gauges.get("asks", 0))
    return AsksAndGives(asks=asks, gives=len(sent) - asks)


def drip_status_counts(drip: Drip) -> dict[str, int]:
    counts = dict.fromkeys(EnrollmentStatus.values, 0)
    for status, n in drip.enrollments.order_by().values_list("status").annotate(n=Count("pk")):
        counts[status] = n
    return counts
