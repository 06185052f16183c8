"""The outreach worker: one round over the database's due rows, repeated by `touchbase worker`.

A round (1) resumes pauses that ended, (2) settles messages a crashed worker
left "sending", (3) reads each mailbox's INBOX for replies, bounces and
out-of-office notes, (4) turns each due enrollment's next step into an
outbox row or a task, and (5) sends the queued outbox.

Nothing is sent twice: an enrollment is claimed with a conditional UPDATE
(after `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL), its step becomes an
outbox row that is unique per (enrollment, step), and a row is claimed for
sending by moving it from queued to sending in one UPDATE. A crash after the
SMTP server took a message but before it was marked sent leaves it
"sending"; it is settled by finding its Message-ID in the Sent folder, or
held for the seller to confirm, never sent again blindly.
"""

from __future__ import annotations

import binascii
import contextlib
import functools
import hashlib
import logging
import os
import queue
import random
import smtplib
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy as email_policy
from email.header import Header
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from touchbase.coach import review
from touchbase.core.calendar import next_open
from touchbase.crm import services as crm
from touchbase.crm.models import Person, Source, TouchKind
from touchbase.metrics.mail import weekly_mail_due
from touchbase.prospecting.inbound import inbound_check_breaches
from touchbase.prospecting.uploads import import_jobs_tidy

from . import domains, idle, inbound, merge, schedule, services, transport
from .models import (
    TASK_KINDS,
    Bounce,
    Enrollment,
    EnrollmentStatus,
    InboundKind,
    InboundMessage,
    Mailbox,
    OutboxMessage,
    OutboxState,
    Step,
    StepKind,
)

logger = logging.getLogger(__name__)

BATCH = 200
# A message "sending" for longer than this belongs to a worker that died mid-send.
SENDING_LEASE = timedelta(minutes=5)
POLL_EVERY = timedelta(seconds=60)
DATA_RETRY = timedelta(hours=1)
DRIP_RECHECK = timedelta(days=1)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# Turning a due step into an outbox row or a task


def _steps(sequence, cache: dict | None = None) -> list[Step]:
    """A sequence's steps; within one pass over due rows they are read once (10,000 people share them)."""
    if cache is None:
        return list(sequence.steps.select_related("piece").order_by("position"))
    if sequence.pk not in cache:
        cache[sequence.pk] = list(sequence.steps.select_related("piece").order_by("position"))
    return cache[sequence.pk]


def _hold(enrollment: Enrollment, reason: str, retry_at: datetime | None) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(held_reason=reason[:500], due_at=retry_at)


def _advance(enrollment: Enrollment, step: Step, now: datetime, cache: dict | None = None,
             later: dict | None = None) -> None:
    """Point the run at its next step (or finish it); with `later`, the UPDATE joins the batch's (see _write)."""
    following = next((s for s in _steps(enrollment.sequence, cache) if s.position > step.position), None)
    if following is None:
        values = {"status": EnrollmentStatus.FINISHED, "next_position": step.position + 1, "due_at": None,
                  "held_reason": "", "last_step_at": now, "ended_at": now, "stop_reason": "Every step done."}
    else:
        tz = services.recipient_zone(enrollment.person, enrollment.owner)
        due = schedule.step_due_at(now, following.delay_days, tz, enrollment.sequence.window)
        values = {"next_position": following.position, "due_at": due, "held_reason": "", "last_step_at": now}
    if later is None:
        Enrollment.objects.filter(pk=enrollment.pk).update(**values)
    else:
        later.setdefault(tuple(values.items()), []).append(enrollment.pk)


def _write(later: dict) -> None:
    # Runs that moved on alike (same next step and due time: most of a batch) share one UPDATE.
    for values, pks in later.items():
        Enrollment.objects.filter(pk__in=pks).update(**dict(values))
    later.clear()


def _thread(enrollment: Enrollment, step: Step) -> list[OutboxMessage]:
    """The messages of this run's thread so far (root first), which a follow-up answers."""
    root = services._thread_root(enrollment.sequence, step.position)
    if root is None:
        return []
    sent = list(enrollment.messages.filter(step__position__gte=root.position, step__position__lt=step.position,
                                           state__in=[OutboxState.SENT, OutboxState.SENDING, OutboxState.QUEUED])
                .select_related("step").order_by("step__position"))
    return sent if sent and sent[0].step_id == root.pk else []


class CoachBlocked(ValueError):
    """The rendered email has an error-severity coach finding."""


class NothingToForward(ValueError):
    """A follow-up's earlier email never went to this person."""


_COACHED: dict[bytes, str] = {}


def _coach_errors(body: str, subject: str, kind: str, first_name: str) -> str:
    """The coach's error findings on this rendered email, worded; empty when it may go.

    The coach reads every rendered email before it is sent, but the same text is read once: a drip
    without merge fields renders alike for thousands of people. Keyed by a digest, not the text.
    """
    key = hashlib.blake2b("\x00".join((body, subject, kind, first_name)).encode(), digest_size=16).digest()
    if key not in _COACHED:
        if len(_COACHED) >= 10_000:
            _COACHED.clear()
        errors = [f for f in review(body, subject, kind, first_name=first_name).findings if f.severity == "error"]
        _COACHED[key] = "the coach found " + "; ".join(f"{f.rule}: {f.message}" for f in errors) if errors else ""
    return _COACHED[key]


def compose(enrollment: Enrollment, step: Step, now: datetime) -> OutboxMessage:
    """Render a step for this person into an unsaved outbox row; MergeError or ValueError says why it cannot go."""
    person, owner, mailbox = enrollment.person, enrollment.owner, enrollment.mailbox
    values = merge.values_for(person, owner)
    note = merge.render(step.body, values)
    headers_from = []
    if step.kind == StepKind.FOLLOW_UP:
        thread = _thread(enrollment, step)
        if not thread:
            raise NothingToForward(f"step {step.position} forwards an earlier email, but none went to {person.name}.")
        root = thread[0]
        sent_at = root.sent_at or now
        body = services.quote_below(note, original_body=root.body, original_subject=root.subject,
                                    sender=formataddr((mailbox.sender_name, mailbox.email)),
                                    to=formataddr((root.to_name, root.to_email)),
                                    sent=format_datetime(sent_at.astimezone(services.recipient_zone(person, owner))),
                                    mode=step.follow_up_mode)
        subject = services.follow_up_subject(root.subject, step.follow_up_mode)
        headers_from = [m.message_id for m in thread]
        kind = "follow_up"
    elif step.piece_id:
        piece = step.piece
        body, kind = merge.render(piece.body, values), "drip"
        if piece.link:
            body = f"{body.rstrip()}\n\n{piece.link}"
        subject = merge.render(piece.subject, values, header=True)
    else:
        body, kind = note, "first_touch"
        subject = merge.render(step.subject, values, header=True)
    errors = _coach_errors(body, subject, kind, person.first_name)
    if errors:
        raise CoachBlocked(errors)
    domain = mailbox.email.rsplit("@", 1)[-1]
    return OutboxMessage(
        enrollment=enrollment, step=step, mailbox=mailbox, message_id=make_msgid(domain=domain),
        in_reply_to=headers_from[-1] if headers_from else "", references=" ".join(headers_from),
        to_email=person.email, to_name=merge.CONTROL.sub(" ", person.name).strip(), subject=subject[:500],
        body=body.rstrip() + "\n",
        not_before=now,
    )


@dataclass
class _Batch:
    """What a batch of due enrollments read at once, and the writes it saves for the end."""

    now: datetime
    worker: str
    steps: dict  # sequence pk -> its steps, for the whole pass
    bounced: set[str] = field(default_factory=set)
    claimed: bool = False  # every row of the batch was claimed by one UPDATE
    have_message: set[tuple[int, int]] = field(default_factory=set)  # (enrollment, step) already in the outbox
    later: dict = field(default_factory=dict)  # see _advance
    mailboxes: dict = field(default_factory=dict)  # owner pk -> their first mailbox, for the whole pass

    @functools.cached_property
    def mailed(self) -> set[int]:
        """The runs that have an outbox row already: their thread has a mailbox."""
        return {enrollment for enrollment, _ in self.have_message}


def _owners_first_mailbox(batch: _Batch, owner) -> Mailbox | None:
    """services.mailbox_for, asked once per owner a pass."""
    if owner.pk not in batch.mailboxes:
        mailbox = batch.mailboxes[owner.pk] = services.mailbox_for(owner)
        if mailbox is not None:
            mailbox.owner = owner  # its sender name reads the owner
    return batch.mailboxes[owner.pk]


def _first_mailbox(enrollment: Enrollment, batch: _Batch) -> None:
    """Point a run at the mailbox its first email goes from: its sequence's as it is now (services.sequence_mailbox).

    Chosen again here, not only at enrollment, so a sequence given another mailbox (or whose mailbox was
    deleted) sends its people's first emails from the right one; the run keeps it, so its follow-ups and
    the replies to them stay in one mailbox.
    """
    chosen = services.sequence_mailbox(enrollment.sequence, enrollment.owner,
                                       first_mailbox=lambda owner: _owners_first_mailbox(batch, owner))
    if chosen is None or chosen.pk == enrollment.mailbox_id:
        return
    Enrollment.objects.filter(pk=enrollment.pk).update(mailbox=chosen)
    enrollment.mailbox = chosen


def _do_step(enrollment: Enrollment, batch: _Batch) -> str:
    """One due enrollment, read with its batch; the caller's savepoint undoes a half-done step."""
    pk, now, cache = enrollment.pk, batch.now, batch.steps
    if not batch.claimed and not Enrollment.objects.filter(pk=pk, status=EnrollmentStatus.ACTIVE,
                                                           due_at__lte=now).update(due_at=None, claimed_by=batch.worker):
        return "taken"
    person = enrollment.person
    step = next((s for s in _steps(enrollment.sequence, cache) if s.position >= enrollment.next_position), None)
    if step is None:
        Enrollment.objects.filter(pk=pk).update(status=EnrollmentStatus.FINISHED, ended_at=now,
                                                stop_reason="Every step done.")
        return "finished"
    # The batch looked up its bounced addresses at once; the service words the reason.
    stop = person.opted_out or (person.email or "").lower() in batch.bounced
    reason = services.why_not_enroll_again(enrollment) if stop else None
    if reason:
        services._end(enrollment, EnrollmentStatus.UNSUBSCRIBED if person.opted_out else EnrollmentStatus.BOUNCED,
                      reason, now)
        return "stopped"
    if enrollment.drip_id:
        busy = Enrollment.objects.filter(person=person, status__in=services.RUNNING,
                                         drip__isnull=True).select_related("sequence").first()
        if busy:  # one conversation at a time: the drip goes on once the sequence is over
            _hold(enrollment, f"Waits while {person.name} is in “{busy.sequence}”.", now + DRIP_RECHECK)
            return "held"
    if step.kind == StepKind.WAIT:
        _advance(enrollment, step, now, cache, batch.later)
        return "waited"
    if step.kind in TASK_KINDS:
        what = "Call" if step.kind == StepKind.CALL else "Connect on LinkedIn/X with"
        title = f"{what} {person.name}" + (f" ({person.company})" if person.company_id else "")
        lines = (step.subject or step.body).strip().splitlines()
        try:  # merged like an email's subject, on one line
            note = merge.render(lines[0], merge.values_for(person, enrollment.owner), header=True) if lines else ""
        except merge.MergeError as exc:
            _hold(enrollment, f"Step {step.position} cannot be filled for {person.name}: {exc}", now + DATA_RETRY)
            return "held"
        title = merge.CONTROL.sub(" ", f"{title}: {note}" if note else title)
        crm.task_create(actor=enrollment.owner, owner=enrollment.owner, person=person, source=Source.SEQUENCE,
                        title=title[:200], due=now.date())
        _advance(enrollment, step, now, cache, batch.later)
        return "task"
    if step.coach_blocked:
        rules = ", ".join(f["rule"] for f in step.coach_errors)
        _hold(enrollment, f"Held by the coach: step {step.position} has {rules}. Fix the step and it goes.", None)
        return "held"
    if not person.email:
        _hold(enrollment, f"{person.name} has no email address.", now + DATA_RETRY)
        return "held"
    if not enrollment.drip_id and pk not in batch.mailed:
        _first_mailbox(enrollment, batch)
    try:
        message = compose(enrollment, step, now)
    except merge.MergeError as exc:
        _hold(enrollment, f"Step {step.position} cannot be filled for {person.name}: {exc}", now + DATA_RETRY)
        return "held"
    except CoachBlocked as exc:
        _hold(enrollment, f"Held by the coach: step {step.position} for {person.name}: {exc}"[:500], None)
        return "held"
    except NothingToForward as exc:
        _hold(enrollment, f"Held: {exc}", None)
        return "held"
    if step.kind == StepKind.MANUAL_EMAIL:
        message.state = OutboxState.DRAFT
        crm.task_create(actor=enrollment.owner, owner=enrollment.owner, person=person, source=Source.SEQUENCE,
                        title=f"Look over and send the drafted email to {person.name}"[:200], due=now.date())
    # A step that already has its message was written before a crash: not a new send. The batch looked
    # them up at once; the IntegrityError is for a row that came after (it cannot, its run being ours).
    if (pk, step.pk) not in batch.have_message:
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            pass
    if step.kind == StepKind.MANUAL_EMAIL:
        _hold(enrollment, f"Waiting for you to send step {step.position} (a drafted email).", None)
        return "drafted"
    _advance(enrollment, step, now, cache, batch.later)
    return "queued"


class _NotAll(Exception):
    """The batch's claim missed a row."""


def advance_due(now: datetime, worker: str, counts: Counter) -> None:
    """Turn every due enrollment into its next outbox row or task, a batch per transaction.

    On PostgreSQL the batch's rows stay locked (FOR UPDATE SKIP LOCKED) until it commits, so a second
    worker takes the next batch instead of racing for this one. The claim is a conditional UPDATE of the
    whole batch; should it ever miss a row, the batch is claimed row by row in `_do_step` instead.
    """
    steps: dict = {}
    mailboxes: dict = {}
    while True:
        progressed = 0
        with transaction.atomic():
            # Read whole rows in one query: they are current, being locked (PostgreSQL) or the database being
            # ours alone until commit (SQLite's BEGIN IMMEDIATE).
            due = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, due_at__lte=now).order_by("due_at") \
                .select_related("sequence__mailbox__owner", "person__company", "owner", "mailbox__owner")
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True, of=("self",))
            batch = list(due[:BATCH])
            if not batch:
                return
            pks = [e.pk for e in batch]
            emails = {e.person.email.lower() for e in batch if e.person.email}
            work = _Batch(now=now, worker=worker, steps=steps, mailboxes=mailboxes,
                          bounced=set(Bounce.objects.filter(email__in=emails).values_list("email", flat=True)),
                          have_message=set(OutboxMessage.objects.filter(enrollment__in=pks)
                                           .values_list("enrollment_id", "step_id")))
            try:
                with transaction.atomic():
                    if Enrollment.objects.filter(pk__in=pks, status=EnrollmentStatus.ACTIVE, due_at__lte=now) \
                            .update(due_at=None, claimed_by=worker) != len(pks):
                        raise _NotAll
                work.claimed = True
            except _NotAll:
                pass
            for enrollment in batch:
                pk = enrollment.pk
                try:
                    with transaction.atomic():
                        outcome = _do_step(enrollment, work)
                except Exception as exc:  # one broken row must not stop every later one
                    logger.exception("enrollment %s: step failed", pk)
                    for pks_alike in work.later.values():
                        if pk in pks_alike:
                            pks_alike.remove(pk)
                    Enrollment.objects.filter(pk=pk).update(
                        held_reason=f"Held: an error while preparing the step ({exc})"[:500], due_at=now + DATA_RETRY)
                    outcome = "error"
                counts[f"step {outcome}"] += 1
                progressed += outcome != "taken"
            _write(work.later)
        if not progressed:
            return


def outbox_send_draft(*, actor, message: OutboxMessage, now: datetime | None = None) -> OutboxMessage:
    """The seller looked at a drafted (manual) email and sends it: it joins the outbox and the run goes on."""
    now = now or timezone.now()
    services._ensure_can_manage(actor, message.enrollment)
    with transaction.atomic():
        if not OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.DRAFT).update(
                state=OutboxState.QUEUED, not_before=now):
            raise ValidationError("This email is no longer a draft.")
        enrollment = Enrollment.objects.select_related("sequence", "person", "owner").get(pk=message.enrollment_id)
        if enrollment.status == EnrollmentStatus.ACTIVE:
            _advance(enrollment, message.step, now)
    message.refresh_from_db()
    return message


# Sending


UNSUBSCRIBE_LINE = "Not interested? Unsubscribe: "
CRLF = "\r\n"
# A message stopped by none of these may go: FINISHED because a run's last email is queued as it finishes.
SENDABLE = [EnrollmentStatus.ACTIVE, EnrollmentStatus.FINISHED]
# Messages waiting for a mailbox's sender thread. Each is already "sending" in the database, so a deeper
# queue would only widen the gap between the last stop-rule check and the SMTP call, and leave more to
# settle after a crash; one waiting is enough to keep the connection busy while the next one is prepared.
PIPELINE = 1


class _HeaderClasses(HeaderRegistry):
    # The stock registry builds a new header class with type() on every header set, about half of
    # building an email; the classes depend only on the header's name (a dozen of them here).
    def __init__(self):
        super().__init__()
        self.made: dict[str, type] = {}

    def __getitem__(self, name):
        if name not in self.made:
            self.made[name] = super().__getitem__(name)
        return self.made[name]


POLICY = email_policy.default.clone(header_factory=_HeaderClasses())


def _headers(message: OutboxMessage, mailbox: Mailbox, url: str) -> list[tuple[str, str, str]]:
    """(header, kind, value) for every email we send; kind says how a value is written: "address" is a
    (name, email) pair joined by a tab, "text" free text, "ids" Message-IDs, "raw" ASCII as it is."""
    headers = [
        ("From", "address", f"{mailbox.sender_name}\t{mailbox.email}"),
        ("To", "address", f"{message.to_name}\t{message.to_email}"),
        ("Subject", "text", message.subject),
        ("Date", "raw", format_datetime(timezone.now())),
        ("Message-ID", "ids", message.message_id),
    ]
    if message.in_reply_to:
        headers += [("In-Reply-To", "ids", message.in_reply_to), ("References", "ids", message.references)]
    return headers + [("List-Unsubscribe", "raw", f"<{url}>"),
                      ("List-Unsubscribe-Post", "raw", "List-Unsubscribe=One-Click")]


def _email_text(message: OutboxMessage, url: str) -> str:
    return f"{message.body.rstrip()}\n\n--\n{UNSUBSCRIBE_LINE}{url}\n"


def build_email(message: OutboxMessage, mailbox: Mailbox) -> EmailMessage:
    """The email as the standard library's object: for addresses that are not ASCII (which need its
    SMTPUTF8 handling in send_message) and for tests that send one by hand. `email_bytes` is the fast path."""
    url = services.unsubscribe_url(message.enrollment.person)
    email = EmailMessage(policy=POLICY)
    for name, kind, value in _headers(message, mailbox, url):
        if kind == "address":
            value = formataddr(tuple(merge.CONTROL.sub(" ", part).strip() for part in value.split("\t", 1)))
        email[name] = merge.CONTROL.sub(" ", value)
    email.set_content(_email_text(message, url))
    return email


def _fold(name: str, value: str) -> str:
    # RFC 2047 words for what is not ASCII, folded near 78 characters; Header never lets a line break in.
    return Header(value, maxlinelen=76, header_name=name).encode(linesep=CRLF)


def _header_line(name: str, kind: str, value: str) -> str:
    if kind == "address":
        person, address = (merge.CONTROL.sub(" ", part).strip() for part in value.split("\t", 1))
        value = formataddr((person, address)) if person.isascii() else f"{_fold(name, person)} <{address}>"
    elif kind == "ids":
        value = f"{CRLF} ".join(merge.CONTROL.sub(" ", value).split())
    else:
        value = merge.CONTROL.sub(" ", value).strip()
        if kind == "text" and (not value.isascii() or len(name) + len(value) > 76):
            value = _fold(name, value)
    return f"{name}: {value}"


def email_bytes(message: OutboxMessage, mailbox: Mailbox) -> bytes | None:
    """The email as sent, written directly: the same headers as `build_email` at a fraction of the email
    package's cost (it parsed and refolded every header, a third of a send). None when an address is not
    ASCII: only build_email and send_message know SMTPUTF8."""
    if not (message.to_email.isascii() and mailbox.email.isascii()):
        return None
    url = services.unsubscribe_url(message.enrollment.person)
    lines = _email_text(message, url).encode("utf-8").splitlines()
    if all(len(line) <= 998 for line in lines) and all(line.isascii() for line in lines):
        encoding, body = "7bit", b"\r\n".join(lines) + b"\r\n"
    else:  # quoted-printable rather than 8bit: every server takes it, 8BITMIME or not
        encoding = "quoted-printable"
        body = binascii.b2a_qp(b"\n".join(lines) + b"\n", istext=True).replace(b"\n", b"\r\n")
    head = [_header_line(*header) for header in _headers(message, mailbox, url)]
    head += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"', f"Content-Transfer-Encoding: {encoding}"]
    try:
        return (CRLF.join(head) + CRLF + CRLF).encode("ascii") + body
    except UnicodeEncodeError:  # a TOUCHBASE_URL that is not ASCII: the email package writes it
        return None


class Sender(threading.Thread):
    """One mailbox's SMTP connection on a thread of its own, so that waiting for the server's replies
    overlaps the database work on the next message. It never touches the database: each outcome goes back
    to the round's thread, which marks it; a message handed over is already "sending" there."""

    def __init__(self, mailbox: Mailbox, results: queue.SimpleQueue):
        super().__init__(name=f"smtp {mailbox.email}", daemon=True)
        self.mailbox, self.results = mailbox, results
        self.jobs: queue.Queue = queue.Queue(maxsize=PIPELINE)
        self.smtp: smtplib.SMTP | None = None

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            message, payload = job
            try:
                outcome = self._send(message, payload)
            except Exception as exc:  # a bug here must come back as an outcome, or the round waits forever
                logger.exception("sending %s", message.message_id)
                self._drop()
                outcome = (None, f"could not send: {exc}")
            self.results.put((message, outcome))
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass

    def _send(self, message: OutboxMessage, payload: bytes | EmailMessage) -> tuple[int | None, str] | None:
        """None when the server took it; else (SMTP code or None when unreachable, the server's words)."""
        try:
            if self.smtp is None:
                self.smtp = transport.smtp_open(self.mailbox)
            if isinstance(payload, bytes):
                self.smtp.sendmail(self.mailbox.email, [message.to_email], payload)
            else:
                self.smtp.send_message(payload)
            return None
        except smtplib.SMTPRecipientsRefused as exc:
            code, words = next(iter(exc.recipients.values()))
        except smtplib.SMTPResponseException as exc:
            code, words = exc.smtp_code, exc.smtp_error
        except (transport.Failed, OSError, smtplib.SMTPException) as exc:
            self._drop()
            return None, f"could not reach the SMTP server: {exc}"
        if code < 500:  # a temporary refusal: the next message starts a fresh session
            self._drop()
        return code, words.decode(errors="replace") if isinstance(words, bytes) else str(words)

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            except OSError:
                pass
            self.smtp = None


class Senders:
    """A round's sender threads, one per mailbox, and the outcomes they hand back to be marked."""

    def __init__(self, now: datetime, counts: Counter):
        self.now, self.counts = now, counts
        self.threads: dict[int, Sender] = {}
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.unmarked: Counter = Counter()  # per mailbox: handed over, outcome not yet in the database

    def hand(self, message: OutboxMessage, payload: bytes | EmailMessage) -> None:
        sender = self.threads.get(message.mailbox_id)
        if sender is None:
            sender = self.threads[message.mailbox_id] = Sender(message.mailbox, self.results)
            sender.start()
        self.unmarked[message.mailbox_id] += 1
        sender.jobs.put((message, payload))  # waits while the sender is busy with the ones before

    def mark(self, *, wait: bool, mailbox_id: int | None = None) -> None:
        """Put what the senders finished into the database; with wait, until nothing (of that mailbox) is out."""
        while True:
            done = []
            try:
                while True:
                    done.append(self.results.get_nowait())
            except queue.Empty:
                pass
            outstanding = self.unmarked[mailbox_id] if mailbox_id is not None else sum(self.unmarked.values())
            if not done and wait and outstanding:
                done.append(self.results.get())
            if not done:
                return
            # One commit for the outcomes at hand. A crash before it leaves them "sending", which
            # settle_unsure resolves from the Sent folder: never a second send.
            for message, _ in done:
                self.unmarked[message.mailbox_id] -= 1
            with transaction.atomic(savepoint=False) if len(done) > 1 else contextlib.nullcontext():
                for message, outcome in done:
                    self.counts[f"mail {_record(message, outcome, self.now)}"] += 1
            if not wait:
                return

    def close(self) -> None:
        for sender in self.threads.values():
            sender.jobs.put(None)
        for sender in self.threads.values():
            sender.join()
        self.mark(wait=True)


def _record(message: OutboxMessage, outcome: tuple[int | None, str] | None, now: datetime) -> str:
    if outcome is None:
        # The round's clock in tests, the real one when a long round runs past it.
        _mark_sent(message, max(now, timezone.now()))
        return "sent"
    code, words = outcome
    if code is None:
        return _retry(message, words, now)
    if code >= 500:
        _fail(message, f"{code} {words}", now)
        return "failed"
    return _retry(message, f"{code} {words}", now)


def _requeue(message: OutboxMessage, until: datetime, reason: str, error: str = "") -> None:
    OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.SENDING).update(
        state=OutboxState.QUEUED, not_before=until, held_reason=reason[:500], error=error, claimed_by="")


def _fail(message: OutboxMessage, error: str, now: datetime) -> None:
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.FAILED, error=error, held_reason="")
        enrollment = message.enrollment
        if services._end(enrollment, EnrollmentStatus.FAILED, f"Step {message.step.position} failed: {error}"[:500],
                         now):
            crm.task_create(actor=enrollment.owner, owner=enrollment.owner, person=enrollment.person,
                            source=Source.SEQUENCE, due=now.date(),
                            title=f"Email to {enrollment.person.name} failed: {error}"[:200])


class _AlreadySent(Exception):
    pass


@functools.cache
def _mark_sql() -> str:
    # As SQL for the same reason as the claim: compiling the ORM's UPDATE cost more than running it.
    return (f"UPDATE {connection.ops.quote_name(OutboxMessage._meta.db_table)} SET state = %s, sent_at = %s, "
            f"held_reason = '', error = '', touch_id = %s WHERE id = %s AND state <> %s")


def _mark_sent(message: OutboxMessage, now: datetime) -> None:
    enrollment = message.enrollment
    where = (f"piece {message.step.position} of the drip {enrollment.drip}" if enrollment.drip_id
             else f"step {message.step.position} of {enrollment.sequence}")
    try:
        with transaction.atomic():
            touch = crm.touch_log(actor=enrollment.owner, kind=TouchKind.EMAIL, person=enrollment.person,
                                  summary=f"“{message.subject}” ({where})", source=Source.SEQUENCE, happened_at=now)
            # The touch first, so one UPDATE both marks the message and links it; marked already (settled
            # from the Sent folder meanwhile) takes the touch back.
            with connection.cursor() as cursor:
                cursor.execute(_mark_sql(), [OutboxState.SENT, connection.ops.adapt_datetimefield_value(now),
                                             touch.pk, message.pk, OutboxState.SENT])
                if cursor.rowcount != 1:
                    raise _AlreadySent
    except _AlreadySent:
        pass


@functools.cache
def _claim_sql() -> str:
    """The claim with the stop rules in it, as SQL: the ORM compiled this three-table UPDATE again for every
    message, a quarter of a send's CPU. Parameters: sending, worker, now, pk, queued, now, *SENDABLE, False."""
    q = connection.ops.quote_name
    outbox, enrollment = q(OutboxMessage._meta.db_table), q(Enrollment._meta.db_table)
    person, mailbox = q(Person._meta.db_table), q(Mailbox._meta.db_table)
    return (f"UPDATE {outbox} SET state = %s, claimed_by = %s, claimed_at = %s, attempts = attempts + 1 "
            f"WHERE id = %s AND state = %s AND (not_before IS NULL OR not_before <= %s) "
            f"AND EXISTS (SELECT 1 FROM {enrollment} e JOIN {person} p ON p.id = e.person_id "
            f"WHERE e.id = {outbox}.enrollment_id AND e.status IN ({', '.join(['%s'] * len(SENDABLE))}) "
            f"AND p.opted_out = %s) "
            f"AND EXISTS (SELECT 1 FROM {mailbox} m WHERE m.id = {outbox}.mailbox_id AND m.paused_reason = '')")


def _claim(message: OutboxMessage, now: datetime, worker: str) -> str:
    """Move a message from queued to sending, the last look before it leaves: "claimed" when it may go.

    The stop rules ride in the claim itself (run still going, person not opted out, mailbox not paused),
    so the common case is one statement; what fails them is claimed again plainly to be cancelled or held.
    """
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [OutboxState.SENDING, worker, at, message.pk, OutboxState.QUEUED, at,
                                      *SENDABLE, False])
        if cursor.rowcount == 1:
            return "claimed"
    due = Q(not_before__isnull=True) | Q(not_before__lte=now)
    if not OutboxMessage.objects.filter(due, pk=message.pk, state=OutboxState.QUEUED).update(
            state=OutboxState.SENDING, claimed_by=worker, claimed_at=now, attempts=F("attempts") + 1):
        return "taken"
    enrollment, mailbox = message.enrollment, message.mailbox
    enrollment.status, enrollment.person.opted_out, mailbox.paused_reason = OutboxMessage.objects.filter(
        pk=message.pk).values_list("enrollment__status", "enrollment__person__opted_out", "mailbox__paused_reason").get()
    # Anything that stops a run must have stopped this message.
    if enrollment.status not in SENDABLE or enrollment.person.opted_out:
        OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxState.CANCELLED,
                                                           held_reason=f"Not sent: the run is {enrollment.status}.")
        return "cancelled"
    if mailbox.paused_reason:
        _requeue(message, now + timedelta(hours=1), f"Mailbox paused: {mailbox.paused_reason}")
        return "held"
    return "claimed"  # unstopped between the two statements: it is ours and may go


def _send_one(message: OutboxMessage, now: datetime, worker: str, senders: Senders) -> str:
    """Check the window, claim one message read with its batch, check caps, and hand it to its mailbox's sender."""
    enrollment, mailbox = message.enrollment, message.mailbox
    tz = services.recipient_zone(enrollment.person, enrollment.owner)
    window = enrollment.sequence.window.in_zone(tz)
    opens = next_open(now, window)
    if opens > now:  # waiting is not sending: no claim needed, and no attempt counted
        held = OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.QUEUED).update(
            not_before=opens, held_reason=f"outside the send window in {tz.key}; goes at {opens:%Y-%m-%d %H:%M} UTC")
        return "held" if held else "taken"
    # The sends finished meanwhile are marked in the claim's transaction: one commit a message, which on
    # PostgreSQL is one WAL flush to wait for instead of two. The claim still commits before the SMTP call.
    with transaction.atomic():
        senders.mark(wait=False)
        outcome = _claim(message, now, worker)
    if outcome != "claimed":
        return outcome
    caps = mailbox.caps
    if caps.daily or caps.hourly or caps.min_gap_seconds:
        # Caps count sent rows: what is still on its way must be marked first, or a gap would be skipped.
        senders.mark(wait=True, mailbox_id=mailbox.pk)
        recent = OutboxMessage.objects.filter(mailbox=mailbox, state=OutboxState.SENT,
                                              sent_at__gt=now - timedelta(days=1)).values_list("sent_at", flat=True)
        hold = schedule.cap_hold(recent, now, caps, schedule.jitter(caps)) or _domain_hold(message, now)
        if hold:
            until = next_open(hold.until, window)
            _requeue(message, until, f"{hold.reason}; goes at {until:%Y-%m-%d %H:%M} UTC")
            return "held"
    payload = email_bytes(message, mailbox)
    senders.hand(message, build_email(message, mailbox) if payload is None else payload)
    return "handed"


def _domain_hold(message: OutboxMessage, now: datetime) -> schedule.Hold | None:
    domain = domains.recipient_domain(message.to_email)
    cap = message.mailbox.domain_daily_cap
    if not cap or not domains.is_capped(domain):
        return None
    sent = OutboxMessage.objects.filter(mailbox=message.mailbox, state=OutboxState.SENT,
                                        sent_at__gt=now - timedelta(days=1),
                                        to_email__iendswith=f"@{domain}").values_list("sent_at", flat=True)
    return domains.domain_cap_hold(sent, now, cap, domain)


def _retry(message: OutboxMessage, error: str, now: datetime) -> str:
    attempts = OutboxMessage.objects.values_list("attempts", flat=True).get(pk=message.pk)
    delay = schedule.retry_delay(attempts)
    if delay is None:
        _fail(message, f"gave up after {attempts} tries: {error}", now)
        return "failed"
    _requeue(message, now + delay, f"temporary trouble, trying again at {now + delay:%H:%M} UTC", error[:1000])
    return "retry"


def send_queued(now: datetime, worker: str, counts: Counter) -> None:
    senders = Senders(now, counts)
    try:
        last_seen = 0
        while True:
            pending = OutboxMessage.objects.filter(state=OutboxState.QUEUED, pk__gt=last_seen).filter(
                Q(not_before__isnull=True) | Q(not_before__lte=now)).order_by("pk")
            batch = list(pending.select_related("mailbox__owner", "enrollment__person__company", "enrollment__owner",
                                                "enrollment__sequence", "enrollment__drip", "step")[:BATCH])
            if not batch:
                return
            last_seen = batch[-1].pk
            # Each message is claimed alone, just before it is handed to SMTP, so a crash strands only the
            # few on their way in "sending"; walking the batch in a shuffled order keeps two workers apart.
            random.shuffle(batch)
            for message in batch:
                outcome = _send_one(message, now, worker, senders)
                if outcome != "handed":
                    counts[f"mail {outcome}"] += 1
    finally:
        senders.close()


# Crash recovery


def settle_unsure(now: datetime, counts: Counter) -> None:
    """Messages a dead worker left "sending": found in Sent means sent; otherwise the seller decides."""
    stuck = OutboxMessage.objects.filter(state=OutboxState.SENDING, claimed_at__lt=now - SENDING_LEASE) \
        .select_related("mailbox")
    for message in stuck:
        found = None
        if message.mailbox.has_imap and message.mailbox.server_saves_sent:
            try:
                found = sent_folder_has(message.mailbox, message.message_id)
            except (transport.Failed, OSError) as exc:
                logger.warning("cannot look in %s's Sent folder: %s", message.mailbox, exc)
                continue
        if found:
            _mark_sent(message, message.claimed_at or now)
            counts["settled sent"] += 1
        elif found is False:
            OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.SENDING).update(
                state=OutboxState.QUEUED, not_before=now, held_reason="", claimed_by="")
            counts["settled requeued"] += 1
        else:
            OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.SENDING).update(
                state=OutboxState.UNSURE, held_reason="The worker stopped while sending this; look in your Sent "
                                                      "folder and confirm whether it went.")
            counts["settled unsure"] += 1


def sent_folder_has(mailbox: Mailbox, message_id: str) -> bool:
    client = transport.imap_open(mailbox)
    try:
        for flags, _, name in client.list_folders():
            if b"\\Sent" in flags or name.lower() in ("sent", "sent items", "sent messages", "[gmail]/sent mail"):
                client.select_folder(name, readonly=True)
                if client.search(["HEADER", "Message-ID", message_id]):
                    return True
        return False
    finally:
        client.logout()


# Reading the INBOX


def _match(mailbox: Mailbox, found: inbound.Inbound) -> tuple[Enrollment | None, str]:
    """Which run an inbound email belongs to, and how we know."""
    if found.links:
        message = (OutboxMessage.objects.filter(mailbox=mailbox, message_id__in=found.links)
                   .select_related("enrollment").first())
        if message:
            return message.enrollment, "headers"
    if found.kind == "bounce" and found.bounce and found.bounce.recipient:
        sender = found.bounce.recipient
    else:
        sender = found.from_email
    if not sender:
        return None, ""
    runs = (Enrollment.objects.filter(mailbox=mailbox, person__email__iexact=sender)
            .exclude(status=EnrollmentStatus.ACTIVE, last_step_at__isnull=True).order_by("-created_at"))
    topic = inbound.thread_subject(found.subject)
    for run in runs:
        subjects = run.messages.filter(state=OutboxState.SENT).values_list("subject", flat=True)
        if topic and any(inbound.thread_subject(s) == topic for s in subjects):
            return run, "address+subject"
    run = next((r for r in runs if r.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)), None)
    return (run, "address") if run else (None, "")


def apply_inbound(mailbox: Mailbox, found: inbound.Inbound, now: datetime) -> tuple[str, Enrollment | None, str]:
    """Act on one inbound email; returns (kind, enrollment, what was done)."""
    if found.from_email == mailbox.email:  # our own copy (a Bcc to self, a filed send): never a reply
        return InboundKind.OTHER, None, "our own message"
    enrollment, how = _match(mailbox, found)
    if enrollment is None:
        return InboundKind.OTHER, None, ""
    enrollment = Enrollment.objects.select_related("person__company", "owner", "sequence").get(pk=enrollment.pk)
    if found.kind == "bounce":
        bounce = found.bounce
        return InboundKind.BOUNCE, enrollment, services.stop_for_bounce(
            enrollment, hard=bounce.hard, status=bounce.status, diagnostic=bounce.diagnostic,
            recipient=bounce.recipient or enrollment.person.email, at=now)
    if found.kind == "auto_reply":
        return InboundKind.AUTO_REPLY, enrollment, services.pause_for_auto_reply(
            enrollment, back_on=found.back_on, now=now)
    if found.kind == "unsubscribe":
        services.person_unsubscribe(person=enrollment.person, how="asked by email")
        return InboundKind.UNSUBSCRIBE, enrollment, "unsubscribed"
    return InboundKind.REPLY, enrollment, services.stop_for_reply(
        enrollment, from_email=found.from_email, subject=found.subject, own_text=found.own_text, at=now) + \
        f" (matched by {how})"


def poll_mailbox(mailbox: Mailbox, now: datetime, counts: Counter) -> None:
    """Read the INBOX from the saved watermark (UIDVALIDITY, last UID). Sent and Drafts are never read."""
    try:
        client = transport.imap_open(mailbox)
    except (transport.Failed, OSError) as exc:
        Mailbox.objects.filter(pk=mailbox.pk).update(imap_error=f"{exc}"[:500], imap_polled_at=now)
        counts["imap errors"] += 1
        return
    try:
        info = client.select_folder("INBOX", readonly=True)
        validity = int(info[b"UIDVALIDITY"])
        last = mailbox.imap_last_uid if mailbox.imap_uidvalidity == validity else 0
        if mailbox.imap_uidvalidity != validity and mailbox.imap_uidvalidity is not None:
            # The server renumbered the folder: read what came since the last poll; InboundMessage dedupes.
            uids = client.search(["SINCE", (mailbox.imap_polled_at or now).date() - timedelta(days=1)])
        else:
            uids = [u for u in client.search(["UID", f"{last + 1}:*"]) if u > last]
        for start in range(0, len(uids), 50):
            chunk = uids[start:start + 50]
            fetched = client.fetch(chunk, ["BODY.PEEK[]"])
            for uid in chunk:
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if raw is None:
                    continue
                with transaction.atomic():
                    if InboundMessage.objects.filter(mailbox=mailbox, uidvalidity=validity, uid=uid).exists():
                        continue
                    found = inbound.read(raw, now.date())
                    if found.message_id and InboundMessage.objects.filter(
                            mailbox=mailbox, message_id=found.message_id[:250]).exists():
                        # The same mail under a new UID (the server renumbered, or it was copied back): acted on.
                        last = max(uid, last)
                        continue
                    try:
                        with transaction.atomic():
                            kind, enrollment, action = apply_inbound(mailbox, found, now)
                    except Exception as exc:  # one odd message must not jam the mailbox for every later one
                        logger.exception("cannot act on message %s in %s", uid, mailbox)
                        kind, enrollment, action = InboundKind.OTHER, None, f"error: {exc}"
                    InboundMessage.objects.create(
                        mailbox=mailbox, uid=uid, uidvalidity=validity, message_id=found.message_id[:250],
                        from_email=found.from_email[:254], subject=found.subject[:500], kind=kind,
                        enrollment=enrollment, action=action[:300],
                        matched_by=action.rsplit("matched by ", 1)[-1].rstrip(")") if "matched by" in action else "")
                    Mailbox.objects.filter(pk=mailbox.pk).update(imap_last_uid=max(uid, last), imap_uidvalidity=validity)
                    last = max(uid, last)
                counts[f"inbound {kind}"] += 1
        Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=validity, imap_last_uid=last,
                                                     imap_polled_at=now, imap_error="")
        services.bounce_rate_check(mailbox, now)
    except Exception as exc:  # an IMAP outage must not stop the sends
        logger.warning("reading %s's INBOX failed: %s", mailbox, exc)
        Mailbox.objects.filter(pk=mailbox.pk).update(imap_error=f"{exc}"[:500], imap_polled_at=now)
        counts["imap errors"] += 1
    finally:
        try:
            client.logout()
        except Exception:  # already gone
            pass


def poll_due(now: datetime, counts: Counter, every: timedelta = POLL_EVERY, now_too: set[int] = frozenset()) -> None:
    """Read the INBOX of each mailbox not read for `every`, and of those in `now_too` (IDLE saw new mail)."""
    due = Mailbox.objects.exclude(imap_host="").filter(
        Q(imap_polled_at__isnull=True) | Q(imap_polled_at__lte=now - every) | Q(pk__in=now_too)).select_related("owner")
    for mailbox in due:
        poll_mailbox(mailbox, now, counts)


def run_once(*, now: datetime | None = None, worker: str | None = None, poll_every: timedelta = POLL_EVERY,
             poll_now: set[int] = frozenset()) -> Counter:
    """One round over everything due now; `poll_now` names mailboxes to read whatever their last poll.
    Returns what it did, counted."""
    now = now or timezone.now()
    worker = worker or worker_name()
    counts: Counter = Counter()
    counts["resumed"] += services.resume_paused(now)
    settle_unsure(now, counts)
    poll_due(now, counts, poll_every, poll_now)
    counts["stopped by the CRM"] += services.stop_for_crm_events(now)
    counts["auto-enrolled"] += services.auto_enroll_key_contacts(now)["enrolled"]
    advance_due(now, worker, counts)
    send_queued(now, worker, counts)
    # Inbound response clocks ride along, so a team running the worker needs no cron for them.
    checked = inbound_check_breaches(now=now)
    counts["inbound breaches escalated"] += checked.escalated
    counts.update(import_jobs_tidy(now=now))
    counts["weekly reports mailed"] += weekly_mail_due(now)
    return +counts


def run_forever(*, poll_every: timedelta = POLL_EVERY, stop: Callable[[], bool], report: Callable[[Counter], None],
                watchers: idle.Watchers | None = None) -> None:
    """`touchbase worker` without --once: a round, then wait `poll_every` or until an IDLE watcher says
    mail came (that mailbox is read at once), until `stop()` is true. Without watchers, polling alone."""
    try:
        while not stop():
            if watchers is not None:
                watchers.sync()
            woken = watchers.take_woken() if watchers is not None else set()
            report(run_once(poll_every=poll_every, poll_now=woken))
            waited = 0.0
            while waited < poll_every.total_seconds() and not stop():
                # Short naps, so a stop (SIGTERM) is seen within a second.
                step = min(1.0, poll_every.total_seconds() - waited)
                if watchers is not None and watchers.event.wait(step):
                    break
                if watchers is None:
                    time.sleep(step)
                waited += step
    finally:
        if watchers is not None:
            watchers.stop()
