"""Outreach use cases: connect a mailbox, write a sequence, enroll people, stop and resume them.

The pages, the API and the commands call these. The worker's own steps
(claiming due enrollments, sending the outbox, reading the INBOX) are in
`worker`; what happens when a reply, bounce or unsubscribe arrives is here,
because a person's page and the unsubscribe link stop enrollments too.
"""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.urls import reverse
from django.utils import timezone

from touchbase.accounts.models import zone_of
from touchbase.coach import review
from touchbase.core.calendar import add_working_days, instant, next_open
from touchbase.crm import services as crm
from touchbase.crm.models import Deal, Direction, Person, Source, StageKind, TouchKind
from touchbase.crm.permissions import can_edit

from . import merge, schedule, transport
from .models import (
    EMAIL_KINDS,
    FOLLOW_UP_NOTE,
    RUNNING,
    TASK_KINDS,
    Bounce,
    Enrollment,
    EnrollmentStatus,
    Mailbox,
    OutboxMessage,
    OutboxState,
    Security,
    Sequence,
    Step,
    StepKind,
)

UNSUBSCRIBE_SALT = "touchbase.outreach.unsubscribe"


# Mailboxes


def _ensure_mailbox_owner(actor, owner) -> None:
    if actor.pk != owner.pk and not actor.is_admin:
        raise PermissionDenied("Only the mailbox's owner or an admin can change a mailbox.")


def mailbox_save(*, actor, email: str, smtp_host: str, username: str, password: str | None = None,
                 owner=None, mailbox: Mailbox | None = None, smtp_port: int = 587, smtp_security: str = Security.STARTTLS,
                 imap_host: str = "", imap_port: int = 993, imap_security: str = Security.TLS,
                 from_name: str = "", server_saves_sent: bool = False, daily_cap: int = 200,
                 hourly_cap: int = 30, min_gap_seconds: int = 60, domain_daily_cap: int = 10) -> Mailbox:
    """Connect a mailbox or change its settings. The password is kept encrypted; None keeps the old one.

    Without `mailbox` the address picks the row (the CLI's `mailbox add` reconnects an address it knows);
    with it, that mailbox is changed, its address too, and another mailbox's address is refused.
    """
    email = email.strip().lower()
    if mailbox is not None:
        owner = mailbox.owner
        _ensure_mailbox_owner(actor, owner)
        taken = Mailbox.objects.filter(email=email).exclude(pk=mailbox.pk).select_related("owner").first()
        if taken is not None:
            raise ValidationError({"email": f"{email} is already connected by {taken.owner}."})
        mailbox.email = email
    else:
        owner = owner or actor
        mailbox = Mailbox.objects.filter(email=email).first() or Mailbox(email=email, owner=owner)
        _ensure_mailbox_owner(actor, mailbox.owner if mailbox.pk else owner)
    if mailbox.pk and mailbox.owner_id != owner.pk:
        raise ValidationError({"email": f"{email} is already connected by {mailbox.owner}."})
    for name, value in dict(smtp_host=smtp_host.strip(), smtp_port=smtp_port, smtp_security=smtp_security,
                            imap_host=imap_host.strip(), imap_port=imap_port, imap_security=imap_security,
                            username=username.strip(), from_name=from_name.strip(),
                            server_saves_sent=server_saves_sent, daily_cap=daily_cap, hourly_cap=hourly_cap,
                            min_gap_seconds=min_gap_seconds, domain_daily_cap=domain_daily_cap).items():
        setattr(mailbox, name, value)
    if password:
        mailbox.set_password(password)
    elif not mailbox.password_encrypted:
        raise ValidationError({"password": "Give the mailbox's password (an app password for Gmail or Microsoft)."})
    mailbox.full_clean()
    mailbox.save()
    return mailbox


def mailbox_test(*, mailbox: Mailbox, password: str | None = None, timeout: float = 10) -> list[transport.Check]:
    """Try DNS, connect, TLS and login for SMTP and IMAP; each check says what worked or what failed."""
    return transport.probe(mailbox, password=password, timeout=timeout)


def mailbox_for(user) -> Mailbox | None:
    return Mailbox.objects.filter(owner=user).order_by("created_at").first()


def mailboxes_of(user) -> list[Mailbox]:
    """A seller's mailboxes, first connected first (the first is the one sequences default to)."""
    return list(Mailbox.objects.filter(owner=user).select_related("owner").order_by("created_at", "pk"))


def can_see_mailbox(actor, mailbox: Mailbox) -> bool:
    return actor.pk == mailbox.owner_id or actor.is_manager


def can_change_mailbox(actor, mailbox: Mailbox) -> bool:
    return actor.pk == mailbox.owner_id or actor.is_admin


def mailbox_users(mailbox: Mailbox) -> tuple[list[Sequence], list[Sequence]]:
    """Why a mailbox cannot go: (sequences with a run still sending from it, sequences with past runs from it).

    A run that is active or paused may send again; queued or sending emails still go from it. Past runs
    and sent emails keep it too (their history points at it, and the database protects those rows).
    """
    running = set(Enrollment.objects.filter(mailbox=mailbox, status__in=RUNNING).values_list("sequence", flat=True))
    running |= set(OutboxMessage.objects.filter(mailbox=mailbox, state__in=[OutboxState.QUEUED, OutboxState.SENDING])
                   .values_list("enrollment__sequence", flat=True))
    past = set(Enrollment.objects.filter(mailbox=mailbox).values_list("sequence", flat=True)) - running
    by_pk = Sequence.objects.in_bulk(running | past)
    return ([by_pk[pk] for pk in sorted(running) if pk in by_pk], [by_pk[pk] for pk in sorted(past) if pk in by_pk])


def mailbox_delete(*, actor, mailbox: Mailbox) -> None:
    """Disconnect a mailbox that no sequence run uses; sequences that picked it send from the owner's first again.

    Refused, naming the sequences, while a run still sends from it or past runs keep their history in it.
    """
    _ensure_mailbox_owner(actor, mailbox.owner)
    with transaction.atomic():
        Mailbox.objects.select_for_update().filter(pk=mailbox.pk).first()
        running, past = mailbox_users(mailbox)
        if running:
            names = ", ".join(f"“{s}”" for s in running)
            raise ValidationError(f"{mailbox.email} still sends for {names}: stop those runs or pick another "
                                  "mailbox on the sequence's page first.")
        if past or OutboxMessage.objects.filter(mailbox=mailbox).exists():
            names = ", ".join(f"“{s}”" for s in past) or "past emails"
            raise ValidationError(f"{mailbox.email} keeps the history of {names} (what was sent, replies, "
                                  "bounces); it cannot be deleted. Pick another mailbox on those sequences.")
        try:
            mailbox.delete()
        except ProtectedError as exc:  # someone was enrolled from it since the check: it is in use after all
            raise ValidationError(f"{mailbox.email} was just put to use by a sequence run; try again "
                                  "once that run has ended.") from exc


# Sequences and steps

COACH_KIND = {StepKind.EMAIL: "first_touch", StepKind.MANUAL_EMAIL: "first_touch", StepKind.FOLLOW_UP: "follow_up"}


def can_edit_sequence(actor, sequence: Sequence) -> bool:
    return sequence.owner_id == actor.pk or actor.is_manager


def _ensure_sequence_editor(actor, sequence: Sequence) -> None:
    if not can_edit_sequence(actor, sequence):
        raise PermissionDenied(f"“{sequence}” belongs to {sequence.owner}; only they or a manager can change it.")


def sequence_mailbox(sequence: Sequence, owner, *, first_mailbox=mailbox_for) -> Mailbox | None:
    """The mailbox a run of this sequence for `owner` (the person's seller) sends from.

    The sequence's own mailbox when it is that seller's; otherwise (none chosen, the chosen one deleted,
    or a person of another seller enrolled) the seller's first mailbox, as a sequence always did.
    `first_mailbox(owner)` finds that one; the worker passes one that asks once per owner a pass.
    """
    chosen = sequence.mailbox if sequence.mailbox_id else None
    if chosen is not None and chosen.owner_id == owner.pk:
        return chosen
    return first_mailbox(owner)


def sequence_set_mailbox(*, actor, sequence: Sequence, mailbox: Mailbox | None) -> Sequence:
    """Send the sequence's emails from one of its owner's mailboxes (None: the owner's first).

    People already in it whose first email has not gone switch too (the worker picks the mailbox for a
    run's first email); a thread under way stays in the mailbox it started from.
    """
    _ensure_sequence_editor(actor, sequence)
    if hasattr(sequence, "drip"):
        raise ValidationError(f"“{sequence}” runs a drip; a drip sends from its owner's mailbox.")
    before, sequence.mailbox = sequence.mailbox, mailbox
    try:
        sequence.clean()
    except ValidationError:
        sequence.mailbox = before
        raise
    sequence.save(update_fields=["mailbox", "updated_at"])
    return sequence


def sequence_create(*, actor, name: str, window_start=None, window_end=None, window_days: str = "0,1,2,3,4",
                    mailbox: Mailbox | None = None) -> Sequence:
    sequence = Sequence(name=name.strip(), owner=actor, window_days=window_days, mailbox=mailbox)
    if window_start:
        sequence.window_start = window_start
    if window_end:
        sequence.window_end = window_end
    sequence.full_clean()
    sequence.save()
    return sequence


def sequence_archive(*, actor, sequence: Sequence, archived: bool = True) -> Sequence:
    """Put a sequence away (nobody new is enrolled; people already in it go on to the end) or bring it back."""
    _ensure_sequence_editor(actor, sequence)
    if hasattr(sequence, "drip"):
        raise ValidationError(f"“{sequence}” runs a drip; archive the drip instead.")
    sequence.archived = archived
    fields = ["archived", "updated_at"]
    if archived and sequence.auto_enroll_key_contacts:
        sequence.auto_enroll_key_contacts, sequence.auto_enroll_since = False, None
        fields += ["auto_enroll_key_contacts", "auto_enroll_since"]
    sequence.save(update_fields=fields)
    return sequence


def _thread_root(sequence: Sequence, position: int) -> Step | None:
    """The new-thread email a follow-up at `position` forwards: the nearest one before it."""
    return (sequence.steps.filter(position__lt=position, kind__in=[StepKind.EMAIL, StepKind.MANUAL_EMAIL])
            .order_by("-position").first())


def quote_below(note: str, *, original_body: str, original_subject: str, sender: str, to: str, sent: str,
                mode: str) -> str:
    """The follow-up as a mail client writes it: the short note, then the earlier email below it."""
    if mode == "reply":
        quoted = "\n".join(f"> {line}" if line else ">" for line in original_body.splitlines())
        return f"{note.rstrip()}\n\nOn {sent}, {sender} wrote:\n{quoted}\n"
    return (f"{note.rstrip()}\n\n---------- Forwarded message ---------\nFrom: {sender}\nDate: {sent}\n"
            f"Subject: {original_subject}\nTo: {to}\n\n{original_body.rstrip()}\n")


def follow_up_subject(original: str, mode: str) -> str:
    return f"{'Re' if mode == 'reply' else 'Fwd'}: {original}"


def coach_step(step: Step) -> dict:
    """The coach's review of a step as written (merge fields expected), kept on the step."""
    if step.kind not in EMAIL_KINDS:
        return {}
    subject, body, context = step.subject, step.body, {"template": True}
    if step.kind == StepKind.FOLLOW_UP:
        root = _thread_root(step.sequence, step.position)
        original = root.body if root else ""
        subject = follow_up_subject(root.subject if root else step.subject, step.follow_up_mode)
        body = quote_below(step.body, original_body=original, original_subject=root.subject if root else "",
                           sender="{seller_name}", to="{full_name}", sent="(date)", mode=step.follow_up_mode)
    return review(body, subject, COACH_KIND[step.kind], **context).to_dict()


def _refresh_coach(step: Step) -> None:
    step.coach_review = coach_step(step)
    step.coach_blocked = any(f["severity"] == "error" for f in step.coach_review.get("findings", []))


def step_save(*, actor, sequence: Sequence, kind: str, position: int | None = None, delay_days: int = 0,
              subject: str = "", body: str = "", follow_up_mode: str = "forward", step: Step | None = None) -> Step:
    """Add or change a step. Broken merge fields are refused; the coach's errors hold the step until fixed."""
    _ensure_sequence_editor(actor, sequence)
    if kind == StepKind.FOLLOW_UP and not body.strip():
        body = FOLLOW_UP_NOTE
    step = step or Step(sequence=sequence)
    if step.pk is None:
        last = sequence.steps.order_by("-position").values_list("position", flat=True).first() or 0
        step.position = position or last + 1
    step.kind, step.delay_days, step.follow_up_mode = kind, delay_days, follow_up_mode
    step.subject, step.body = subject.strip(), body
    errors: dict[str, list[str]] = {}
    # A call or social step's text becomes the owner's task, merged like an email's (by the worker).
    if kind in EMAIL_KINDS or kind in TASK_KINDS:
        for problem in merge.template_problems(step.subject, "subject") + merge.template_problems(step.body, "body"):
            errors.setdefault(problem.field, []).append(problem.message)
    if kind in EMAIL_KINDS:
        if kind != StepKind.FOLLOW_UP and not step.subject:
            errors.setdefault("subject", []).append("An email step needs a subject.")
        if not step.body.strip():
            errors.setdefault("body", []).append("An email step needs a body.")
        if kind == StepKind.FOLLOW_UP and _thread_root(sequence, step.position) is None:
            errors.setdefault("kind", []).append("A follow-up forwards an earlier email: put an email step before it.")
    if errors:
        raise ValidationError(errors)
    _refresh_coach(step)
    step.full_clean(exclude=["sequence"])
    with transaction.atomic():
        step.save()
        # The follow-ups forward this step's text: their reviews change with it.
        for later in sequence.steps.filter(position__gt=step.position, kind=StepKind.FOLLOW_UP):
            _refresh_coach(later)
            later.save(update_fields=["coach_review", "coach_blocked"])
        if not step.coach_blocked:
            _release_held(sequence)
    return step


def step_delete(*, actor, step: Step) -> None:
    """Take a step out; the later ones move up. Not while people run through the sequence, nor once it sent mail.

    Sent emails keep pointing at their step (the per-step figures and the follow-ups' threads read it),
    so a used step stays: write a new sequence instead.
    """
    sequence = step.sequence
    _ensure_sequence_editor(actor, sequence)
    running = sequence.enrollments.filter(status__in=RUNNING).count()
    if running:
        raise ValidationError(f"{running} {'person is' if running == 1 else 'people are'} running through "
                              f"“{sequence}”; its steps cannot change under them.")
    if step.messages.exists():
        raise ValidationError(f"Step {step.position} has sent emails, so it stays; write a new sequence instead.")
    later = list(sequence.steps.filter(position__gt=step.position).order_by("position"))
    roots_left = [s for s in sequence.steps.filter(kind__in=[StepKind.EMAIL, StepKind.MANUAL_EMAIL])
                  .exclude(pk=step.pk).order_by("position")]
    for follow_up in (s for s in later if s.kind == StepKind.FOLLOW_UP):
        if not any(root.position < follow_up.position for root in roots_left):
            raise ValidationError(f"Step {follow_up.position} forwards this email; take it out first, or put "
                                  "another email before it.")
    with transaction.atomic():
        step.delete()
        for moved in later:  # in order, so each position is free when the next step takes it
            Step.objects.filter(pk=moved.pk).update(position=moved.position - 1)
        for follow_up in sequence.steps.filter(kind=StepKind.FOLLOW_UP):
            _refresh_coach(follow_up)
            follow_up.save(update_fields=["coach_review", "coach_blocked"])


def _release_held(sequence: Sequence) -> None:
    """Enrollments held by a coach error on a step now fixed are looked at again right away."""
    blocked = set(sequence.steps.filter(coach_blocked=True).values_list("position", flat=True))
    held = Enrollment.objects.filter(sequence=sequence, status=EnrollmentStatus.ACTIVE, due_at__isnull=True,
                                     held_reason__startswith="Held by the coach")
    for enrollment in held:
        if enrollment.next_position not in blocked:
            Enrollment.objects.filter(pk=enrollment.pk, due_at__isnull=True).update(due_at=timezone.now())


# Enrollment


@dataclass
class EnrollResult:
    enrolled: list[Enrollment] = field(default_factory=list)
    refused: list[tuple[Person, str]] = field(default_factory=list)


def recipient_zone(person: Person, owner) -> zoneinfo.ZoneInfo:
    """The person's time zone, else their seller's: better a guess within an ocean than UTC."""
    return zone_of(person.time_zone, user=owner)


def why_not_enroll(person: Person, owner, *, in_a_sequence_counts: bool = True) -> str | None:
    """The reason this person cannot be enrolled by `owner` now, in the seller's words; None if they can.

    A drip passes `in_a_sequence_counts=False`: it may start while its person is in a sequence (it waits).
    Drips never count as a conversation: they are the marketing around one.
    """
    if not person.email:
        return f"{person.name} has no email address."
    if person.opted_out:
        return f"{person.name} opted out of email."
    bounce = Bounce.objects.filter(email=person.email.lower()).first()
    if bounce:
        return f"{person.email} bounced ({bounce.status or 'undeliverable'}); fix the address first."
    running = (Enrollment.objects.filter(person=person, status__in=RUNNING, drip__isnull=True)
               .select_related("sequence").first()) if in_a_sequence_counts else None
    if running:
        return f"{person.name} is already in “{running.sequence}” ({running.status})."
    if person.company_id:
        other = (Enrollment.objects.filter(person__company_id=person.company_id, status__in=RUNNING,
                                           drip__isnull=True)
                 .exclude(owner=owner).select_related("owner", "person").first())
        if other:
            return (f"{person.company} is in a conversation with {other.owner} "
                    f"({other.person.name} is in {other.owner.first_name or other.owner}'s sequence).")
        deal = (Deal.objects.filter(company_id=person.company_id, stage__kind=StageKind.OPEN)
                .exclude(owner=owner).exclude(owner__isnull=True).select_related("owner").first())
        if deal:
            return f"{person.company} is in a conversation with {deal.owner} (open deal “{deal.title}”)."
    return None


def sequence_enroll(*, actor, sequence: Sequence, people, now: datetime | None = None) -> EnrollResult:
    """Enroll people in a sequence; each one refused is returned with the reason."""
    if sequence.archived:
        raise ValidationError(f"“{sequence}” is archived; pick a current sequence.")
    if Sequence.objects.filter(pk=sequence.pk, drip__isnull=False).exists():
        raise ValidationError(f"“{sequence}” runs a drip; add people to the drip instead.")
    first = sequence.steps.order_by("position").first()
    if first is None:
        raise ValidationError(f"“{sequence}” has no steps yet.")
    now = now or timezone.now()
    result = EnrollResult()
    for person in people:
        owner = person.owner or actor
        if not can_edit(actor, person):
            result.refused.append((person, f"{person.name} belongs to {person.owner}; only they or a manager "
                                           "can enroll them."))
            continue
        mailbox = sequence_mailbox(sequence, owner)
        if mailbox is None:
            result.refused.append((person, f"{owner} has no mailbox connected; connect one first."))
            continue
        reason = why_not_enroll(person, owner)
        if reason:
            result.refused.append((person, reason))
            continue
        due = schedule.step_due_at(now, first.delay_days, recipient_zone(person, owner), sequence.window)
        try:
            with transaction.atomic():
                enrollment = Enrollment.objects.create(sequence=sequence, person=person, owner=owner,
                                                       mailbox=mailbox, due_at=due, enrolled_by=actor)
        except IntegrityError:  # enrolled by someone else a moment ago: the constraint is the judge
            result.refused.append((person, f"{person.name} is already in a sequence."))
            continue
        result.enrolled.append(enrollment)
    return result


@dataclass
class TierEnrollResult(EnrollResult):
    """What enrolling a tier did: who got in, who did not and why, and who was not a key contact."""

    tier: str = ""
    not_key_contacts: int = 0

    def summary(self) -> str:
        said = f"{len(self.enrolled)} enrolled, {len(self.refused)} not enrolled"
        if self.not_key_contacts:
            said += f", {self.not_key_contacts} skipped (not a key contact)"
        return f"Tier {self.tier}: {said}."


def tier_people(*, owner, tier: str, key_contacts_only: bool = True) -> tuple[list[Person], int]:
    """The people at `owner`'s companies of a tier (only the key contacts, by default) and how many were left out.

    A key contact is one whose title meets a title criterion of the lead framework; a framework
    without title criteria makes everyone a key contact.
    """
    from touchbase.prospecting import selectors as prospecting_selectors
    from touchbase.prospecting import services as prospecting

    people = list(Person.objects.filter(company__owner=owner, company__fit__tier=tier)
                  .select_related("company", "owner").order_by("company__name", "last_name", "first_name"))
    if not key_contacts_only:
        return people, 0
    scorer = prospecting.scorer_for(prospecting.framework_current())
    if not scorer.needs_titles:
        return people, 0
    keys = prospecting_selectors.key_contacts(sorted({p.company_id for p in people}), scorer)
    key_ids = {p.pk for contacts in keys.values() for p in contacts}
    chosen = [p for p in people if p.pk in key_ids]
    return chosen, len(people) - len(chosen)


def sequence_enroll_tier(*, actor, sequence: Sequence, tier: str, key_contacts_only: bool = True,
                         now: datetime | None = None) -> TierEnrollResult:
    """Enroll the key contacts of the actor's companies of a tier, with the same refusals as one by one."""
    if tier not in ("A", "B", "C"):
        raise ValidationError({"tier": f"Tier {tier!r} does not exist; pick A, B or C."})
    people, left_out = tier_people(owner=actor, tier=tier, key_contacts_only=key_contacts_only)
    done = sequence_enroll(actor=actor, sequence=sequence, people=people, now=now)
    return TierEnrollResult(enrolled=done.enrolled, refused=done.refused, tier=tier, not_key_contacts=left_out)


# Auto-enroll: new A-tier key contacts go into their seller's chosen sequence by themselves

# A person row is read by the auto-enroll only once its transaction has committed, which can be after
# the run that should have seen it started; looking this far back catches them (runs are idempotent).
LATE_COMMIT = timedelta(minutes=5)


def sequence_set_auto_enroll(*, actor, sequence: Sequence, on: bool, now: datetime | None = None) -> Sequence:
    """Mark the sequence that takes the owner's new A-tier key contacts (one per owner), or unmark it.

    Turning it on enrolls nobody already there (that is what "Enroll a tier" is for): only key
    contacts added from now on.
    """
    _ensure_sequence_editor(actor, sequence)
    if on == sequence.auto_enroll_key_contacts:
        return sequence
    if on:
        if sequence.archived or hasattr(sequence, "drip"):
            raise ValidationError(f"“{sequence}” is {'archived' if sequence.archived else 'a drip'}; pick a "
                                  "current sequence to auto-enroll into.")
        other = (Sequence.objects.filter(owner=sequence.owner_id, auto_enroll_key_contacts=True)
                 .exclude(pk=sequence.pk).first())
        if other:
            raise ValidationError(f"“{other}” already takes {sequence.owner}'s new A-tier key contacts; turn it "
                                  "off there first.")
    sequence.auto_enroll_key_contacts = on
    sequence.auto_enroll_since = (now or timezone.now()) if on else None
    sequence.auto_enroll_checked_at = None
    sequence.save(update_fields=["auto_enroll_key_contacts", "auto_enroll_since", "auto_enroll_checked_at",
                                 "updated_at"])
    return sequence


def new_key_contacts(sequence: Sequence, since: datetime) -> list[Person]:
    """Key contacts at the owner's A-tier companies added after `since`, not yet in this sequence."""
    from touchbase.prospecting import services as prospecting

    people = list(Person.objects.filter(company__owner=sequence.owner_id, company__fit__tier="A",
                                        created_at__gt=since)
                  .exclude(enrollments__sequence=sequence)
                  .select_related("company", "owner").order_by("created_at", "pk"))
    if not people:
        return people
    scorer = prospecting.scorer_for(prospecting.framework_current())
    if not scorer.needs_titles:
        return people
    return [p for p in people if p.title and scorer.title_mask(p.title)]


def auto_enroll_key_contacts(now: datetime | None = None) -> dict[str, int]:
    """Enroll the new A-tier key contacts into each seller's auto-enroll sequence; safe to run again.

    The worker calls this every round. Whoever why_not_enroll refuses (no email, opted out, in a
    conversation with another seller...) is counted and left alone.
    """
    now = now or timezone.now()
    counts = {"sequences": 0, "enrolled": 0, "refused": 0}
    for sequence in Sequence.objects.filter(auto_enroll_key_contacts=True, archived=False).select_related("owner"):
        since = sequence.auto_enroll_since or now
        if sequence.auto_enroll_checked_at:
            since = max(since, sequence.auto_enroll_checked_at - LATE_COMMIT)
        people = new_key_contacts(sequence, since)
        counts["sequences"] += 1
        if people:
            try:
                result = sequence_enroll(actor=sequence.owner, sequence=sequence, people=people, now=now)
            except ValidationError:  # no steps yet: nothing to enroll into, try again next round
                continue
            counts["enrolled"] += len(result.enrolled)
            counts["refused"] += len(result.refused)
        Sequence.objects.filter(pk=sequence.pk, auto_enroll_key_contacts=True).update(auto_enroll_checked_at=now)
    return counts


def _ensure_can_manage(actor, enrollment: Enrollment) -> None:
    if actor is not None and actor.pk != enrollment.owner_id and not actor.is_manager:
        raise PermissionDenied(f"This enrollment belongs to {enrollment.owner}; only they or a manager can change it.")


def _end(enrollment: Enrollment, status: str, reason: str, now: datetime | None = None) -> bool:
    """Stop a run for good; messages not yet handed to SMTP are cancelled. False if it had already ended."""
    now = now or timezone.now()
    ended = Enrollment.objects.filter(pk=enrollment.pk, status__in=[*RUNNING, EnrollmentStatus.FINISHED]).update(
        status=status, stop_reason=reason[:500], due_at=None, held_reason="", ended_at=now, paused_until=None)
    OutboxMessage.objects.filter(enrollment=enrollment, state__in=[OutboxState.QUEUED, OutboxState.DRAFT]).update(
        state=OutboxState.CANCELLED, held_reason=f"Not sent: {reason}"[:500])
    enrollment.refresh_from_db()
    return bool(ended)


def enrollment_stop(*, actor, enrollment: Enrollment, reason: str = "") -> Enrollment:
    _ensure_can_manage(actor, enrollment)
    _end(enrollment, EnrollmentStatus.STOPPED, reason or f"Stopped by {actor}.")
    return enrollment


def enrollment_pause(*, actor, enrollment: Enrollment, until: datetime | None = None, reason: str = "") -> Enrollment:
    _ensure_can_manage(actor, enrollment)
    _pause(enrollment, until=until, reason=reason or f"Paused by {actor}.")
    return enrollment


def _pause(enrollment: Enrollment, *, until: datetime | None, reason: str) -> bool:
    paused = Enrollment.objects.filter(pk=enrollment.pk, status=EnrollmentStatus.ACTIVE).update(
        status=EnrollmentStatus.PAUSED, paused_until=until, held_reason=reason[:500])
    enrollment.refresh_from_db()
    return bool(paused)


def enrollment_resume(*, actor, enrollment: Enrollment, now: datetime | None = None) -> Enrollment:
    """Go on from where the run stopped: paused, or held (by the coach, an empty merge field, a draft)."""
    _ensure_can_manage(actor, enrollment)
    if enrollment.status not in RUNNING:
        raise ValidationError(f"This enrollment has {enrollment.status}; enroll {enrollment.person.name} again "
                              "to start over.")
    if enrollment.status == EnrollmentStatus.PAUSED and why_not_enroll_again(enrollment):
        raise ValidationError(why_not_enroll_again(enrollment))
    Enrollment.objects.filter(pk=enrollment.pk, status__in=RUNNING).update(
        status=EnrollmentStatus.ACTIVE, paused_until=None, held_reason="", due_at=now or timezone.now())
    enrollment.refresh_from_db()
    return enrollment


def why_not_enroll_again(enrollment: Enrollment) -> str | None:
    person = enrollment.person
    if person.opted_out:
        return f"{person.name} opted out of email."
    if Bounce.objects.filter(email=person.email.lower()).exists():
        return f"{person.email} bounced."
    return None


# Unsubscribe


def unsubscribe_token(person: Person) -> str:
    # No expiry: a link in a mail from last year must still work.
    return signing.dumps(str(person.public_id), salt=UNSUBSCRIBE_SALT, compress=True)


def person_for_token(token: str) -> Person | None:
    try:
        public_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Person.objects.filter(public_id=public_id).select_related("company").first()


@functools.cache
def _unsubscribe_path() -> str:
    # reverse() takes ~2.5 ms, more than the rest of building an email; the route never changes.
    return reverse("unsubscribe", args=["TOKEN"])


def unsubscribe_url(person: Person) -> str:
    base = getattr(settings, "TOUCHBASE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + _unsubscribe_path().replace("TOKEN", unsubscribe_token(person))


def person_unsubscribe(*, person: Person, how: str = "one-click link") -> bool:
    """Opt a person out of every sequence and drip at once. True if they were not opted out before."""
    with transaction.atomic():
        changed = Person.objects.filter(pk=person.pk, opted_out=False).update(opted_out=True,
                                                                              updated_at=timezone.now())
        running = list(Enrollment.objects.filter(person=person, status__in=[*RUNNING, EnrollmentStatus.FINISHED])
                       .select_related("owner"))
        for enrollment in running:
            _end(enrollment, EnrollmentStatus.UNSUBSCRIBED, f"{person.name} unsubscribed ({how}).")
        if changed:
            owner = running[0].owner if running else person.owner
            if owner is not None:
                crm.touch_log(actor=owner, kind=TouchKind.EMAIL, direction=Direction.IN, person=person,
                              summary=f"{person.name} unsubscribed from email ({how}).", source=Source.SEQUENCE)
                crm.task_create(actor=owner, owner=owner, person=person, source=Source.SEQUENCE,
                                title=f"{person.first_name} unsubscribed: no more email; call only if invited",
                                due=timezone.localdate())
    person.opted_out = True
    return bool(changed)


# Stop rules, applied to what the INBOX reader found


def stop_for_reply(enrollment: Enrollment, *, from_email: str, subject: str, own_text: str,
                   at: datetime | None = None) -> str:
    """A person answered: their run ends, the seller gets a task, colleagues' runs pause."""
    person = enrollment.person
    replier = Person.objects.filter(email=from_email).first() if from_email != person.email else person
    name = (replier or person).first_name or from_email
    _end(enrollment, EnrollmentStatus.REPLIED, f"{name} replied: “{subject}”.", at)
    summary = f"{name} replied to “{subject}”" + (f": {own_text[:300]}" if own_text else ".")
    crm.touch_log(actor=enrollment.owner, kind=TouchKind.EMAIL, direction=Direction.IN, person=replier or person,
                  summary=summary, source=Source.SEQUENCE, happened_at=at)
    crm.task_create(actor=enrollment.owner, owner=enrollment.owner, person=replier or person,
                    title=f"{name} replied: write back"[:200], due=timezone.localdate(), source=Source.SEQUENCE)
    paused = 0
    if person.company_id:
        for other in Enrollment.objects.filter(person__company_id=person.company_id,
                                               status=EnrollmentStatus.ACTIVE).exclude(pk=enrollment.pk):
            paused += _pause(other, until=None, reason=f"{name} at {person.company} replied; "
                                                       "one conversation per company. Resume when it suits.")
    return f"replied; {paused} colleague(s) paused" if paused else "replied"


def stop_for_bounce(enrollment: Enrollment, *, hard: bool, status: str, diagnostic: str, recipient: str,
                    at: datetime | None = None) -> str:
    person = enrollment.person
    if not hard:
        return f"soft bounce {status}: kept going"
    Bounce.objects.get_or_create(email=(recipient or person.email).lower(),
                                 defaults={"status": status, "diagnostic": diagnostic[:2000]})
    _end(enrollment, EnrollmentStatus.BOUNCED, f"{person.email} bounced ({status} {diagnostic})"[:500], at)
    crm.touch_log(actor=enrollment.owner, kind=TouchKind.EMAIL, direction=Direction.IN, person=person,
                  summary=f"Email to {person.email} bounced: {status} {diagnostic}"[:1000], source=Source.SEQUENCE,
                  happened_at=at)
    crm.task_create(actor=enrollment.owner, owner=enrollment.owner, person=person, source=Source.SEQUENCE,
                    title=f"{person.first_name}'s email bounced: find the right address"[:200],
                    due=timezone.localdate())
    return "bounced"


def pause_for_auto_reply(enrollment: Enrollment, *, back_on, now: datetime) -> str:
    """Out of office: wait until they are back (the next open day after the return date), then carry on."""
    tz = recipient_zone(enrollment.person, enrollment.owner)
    window = enrollment.sequence.window
    if back_on is None:
        back_on = add_working_days(now.astimezone(tz).date(), 5, window)
        said = "no return date given; trying again in 5 business days"
    else:
        said = f"back on {back_on:%a %d %b}"
    resume_day = add_working_days(back_on, 1, window)
    until = next_open(instant(resume_day, window.opens, tz), window.in_zone(tz))
    if enrollment.status == EnrollmentStatus.PAUSED:
        Enrollment.objects.filter(pk=enrollment.pk).update(paused_until=until)
    elif not _pause(enrollment, until=until,
                    reason=f"Out of office ({said}); resumes {until.astimezone(tz):%a %d %b}."):
        return "auto-reply; nothing to pause"
    return f"paused until {until.astimezone(tz):%Y-%m-%d}"


def stop_for_crm_events(now: datetime) -> int:
    """A meeting logged with the person, or their deal moving stage, since they were enrolled ends the run.

    The CRM knows nothing of outreach (crm imports no other app), so the worker looks for these each round,
    among the runs about to send (the partial due-time index keeps that cheap on a big table).
    """
    from django.db.models import Exists, OuterRef

    from touchbase.crm.models import StageChange, Touch

    meeting = Touch.objects.filter(person=OuterRef("person"), kind=TouchKind.MEETING,
                                   created_at__gt=OuterRef("created_at"))
    moved = StageChange.objects.filter(deal__contact=OuterRef("person"), from_stage__isnull=False,
                                       changed_at__gt=OuterRef("created_at"))
    runs = (Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, due_at__isnull=False)
            .annotate(met=Exists(meeting), moved=Exists(moved)).filter(Q(met=True) | Q(moved=True))
            .select_related("person", "owner", "sequence"))
    stopped = 0
    for run in runs:
        why = "a meeting was logged" if run.met else "their deal moved stage"
        if _end(run, EnrollmentStatus.STOPPED, f"Stopped: {why} with {run.person.name}.", now):
            stopped += 1
            # The meeting or the stage change is already on the timeline; no Touch, or the gauge would count it twice.
            crm.task_create(actor=run.owner, owner=run.owner, person=run.person, source=Source.SEQUENCE,
                            due=timezone.localdate(),
                            title=f"{run.person.first_name or run.person.name}: “{run.sequence}” stopped ({why}); "
                                  "take it from here"[:200])
    return stopped


def resume_paused(now: datetime) -> int:
    """Paused runs whose pause has ended go on (the worker calls this every round)."""
    return Enrollment.objects.filter(status=EnrollmentStatus.PAUSED, paused_until__lte=now).update(
        status=EnrollmentStatus.ACTIVE, paused_until=None, held_reason="", due_at=now)


PAUSED_TASK = "Your mailbox was paused"


def bounce_rate_check(mailbox: Mailbox, now: datetime) -> bool:
    """Pause a mailbox whose hard bounces today reach 3% of its sends; True if it was paused now.

    The owner is told twice: a task on Today, and a banner on every outreach page (the pause reason).
    """
    since = now - timedelta(days=1)
    sent = OutboxMessage.objects.filter(mailbox=mailbox, state=OutboxState.SENT, sent_at__gte=since).count()
    bounces_since = max(since, mailbox.resumed_at) if mailbox.resumed_at else since
    bounced = Enrollment.objects.filter(mailbox=mailbox, status=EnrollmentStatus.BOUNCED,
                                        ended_at__gte=bounces_since).count()
    if not schedule.bounce_rate_too_high(sent, bounced) or mailbox.paused_reason:
        return False
    reason = (f"{bounced} of {sent} sent today bounced hard (3% or more): sends paused to protect your domain. "
              "Check the list, then resume the mailbox.")
    if not Mailbox.objects.filter(pk=mailbox.pk, paused_reason="").update(paused_reason=reason):
        return False  # another worker paused it a moment ago and told the owner
    mailbox.paused_reason = reason
    crm.task_create(actor=mailbox.owner, owner=mailbox.owner, due=timezone.localdate(), source=Source.SYSTEM,
                    title=f"{PAUSED_TASK}: {bounced} of {sent} sent today bounced hard. Check the list, then "
                          f"resume ({mailbox.email})")
    return True


def can_resume_mailbox(actor, mailbox: Mailbox) -> bool:
    return actor.pk == mailbox.owner_id or actor.is_manager


def mailbox_resume(*, actor, mailbox: Mailbox, now: datetime | None = None) -> Mailbox:
    """Send again from a paused mailbox (its owner or a manager): the held emails go, the pause task is done."""
    from touchbase.crm.models import Task

    if not can_resume_mailbox(actor, mailbox):
        raise PermissionDenied(f"{mailbox.email} is {mailbox.owner}'s; only they or a manager can resume it.")
    now = now or timezone.now()
    with transaction.atomic():
        if not Mailbox.objects.filter(pk=mailbox.pk).exclude(paused_reason="").update(paused_reason="",
                                                                                       resumed_at=now):
            raise ValidationError(f"{mailbox.email} is not paused.")
        OutboxMessage.objects.filter(mailbox=mailbox, state=OutboxState.QUEUED,
                                     held_reason__startswith="Mailbox paused").update(not_before=now, held_reason="")
        Task.objects.filter(owner=mailbox.owner_id, done=False, source=Source.SYSTEM,
                            title__startswith=PAUSED_TASK, title__endswith=f"({mailbox.email})").update(
            done=True, done_at=now, updated_at=now)
    mailbox.refresh_from_db()
    return mailbox


def enrollment_status_line(enrollment: Enrollment) -> str:
    """One line for the seller: what the run is doing and why a send is held."""
    if enrollment.status == EnrollmentStatus.ACTIVE:
        if enrollment.held_reason:
            return f"Held: {enrollment.held_reason}"
        if enrollment.due_at:
            return f"Step {enrollment.next_position} due {timezone.localtime(enrollment.due_at):%a %d %b %H:%M}"
        return "Working on it"
    if enrollment.status == EnrollmentStatus.PAUSED:
        return f"Paused: {enrollment.held_reason}"
    return f"{enrollment.get_status_display()}: {enrollment.stop_reason}"



# The outbox: what the seller decides


def outbox_send_draft(*, actor, message: OutboxMessage, now: datetime | None = None) -> OutboxMessage:
    """The seller looked over a drafted (manual) email and sends it: it joins the queue and the run goes on."""
    from . import worker

    return worker.outbox_send_draft(actor=actor, message=message, now=now)


def outbox_confirm(*, actor, message: OutboxMessage, went: bool, now: datetime | None = None) -> OutboxMessage:
    """Settle a message the worker stopped in the middle of: it went (found in Sent), or send it again."""
    from . import worker

    _ensure_can_manage(actor, message.enrollment)
    now = now or timezone.now()
    if message.state != OutboxState.UNSURE:
        raise ValidationError("Only a message marked unsure needs this.")
    if went:
        OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.UNSURE).update(state=OutboxState.SENDING)
        worker._mark_sent(message, now)
    else:
        OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.UNSURE).update(
            state=OutboxState.QUEUED, not_before=now, held_reason="", claimed_by="")
    message.refresh_from_db()
    return message
