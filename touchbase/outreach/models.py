"""Outreach records: mailboxes, sequences and their steps, enrollments (the runs), the outbox, inbound mail.

A sequence is a definition; an enrollment is one person's run through it,
with a status and a due time the worker reads; every email it sends is an
outbox row written before the SMTP call, unique per (enrollment, step), so a
crash or a second worker can never send a step twice.
"""

import threading
import time as clock
import uuid
from datetime import date, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from touchbase.core.calendar import WorkingHours, closes_after_opening
from touchbase.crm.models import Person, Touch
from touchbase.prospecting.models import Holiday, Tier

from . import schedule
from . import secrets as secret_box


class Security(models.TextChoices):
    STARTTLS = "starttls", "STARTTLS"
    TLS = "tls", "TLS (implicit)"
    NONE = "none", "None (loopback only)"


class Mailbox(models.Model):
    """A seller's own mailbox: mail goes out by SMTP and comes back by IMAP."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailboxes")
    email = models.EmailField(unique=True)
    from_name = models.CharField(max_length=100, blank=True, help_text="Shown as the sender; your name if empty.")
    smtp_host = models.CharField(max_length=253)
    smtp_port = models.PositiveIntegerField(default=587, validators=[MaxValueValidator(65535)])
    smtp_security = models.CharField(max_length=8, choices=Security.choices, default=Security.STARTTLS)
    imap_host = models.CharField(max_length=253, blank=True, help_text="Without IMAP, replies are not seen.")
    imap_port = models.PositiveIntegerField(default=993, validators=[MaxValueValidator(65535)])
    imap_security = models.CharField(max_length=8, choices=Security.choices, default=Security.TLS)
    username = models.CharField(max_length=254)
    password_encrypted = models.TextField(editable=False)
    server_saves_sent = models.BooleanField(
        default=False, help_text="The server files a copy of every SMTP send in Sent (Gmail, Microsoft 365 do).")
    daily_cap = models.PositiveIntegerField(default=200)
    hourly_cap = models.PositiveIntegerField(default=30)
    min_gap_seconds = models.PositiveIntegerField(default=60)
    domain_daily_cap = models.PositiveIntegerField(
        default=10, help_text="Emails per 24 hours to one company's domain (0 = no cap). Free-mail domains "
                              "(gmail.com, ...) are not capped; a mailbox with every other cap lifted has none.")
    paused_reason = models.CharField(max_length=300, blank=True, help_text="Sends wait while this is set.")
    # Bounces before a resume were looked at when the owner resumed; only later ones count towards a new pause.
    resumed_at = models.DateTimeField(null=True, blank=True, editable=False)
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    imap_last_uid = models.BigIntegerField(default=0, editable=False)
    imap_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    imap_error = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.email

    def set_password(self, password: str) -> None:
        self.password_encrypted = secret_box.encrypt(password)

    def password(self) -> str:
        return secret_box.decrypt(self.password_encrypted)

    @property
    def has_imap(self) -> bool:
        return bool(self.imap_host)

    @property
    def caps(self) -> schedule.Caps:
        return schedule.Caps(daily=self.daily_cap, hourly=self.hourly_cap, min_gap_seconds=self.min_gap_seconds)

    @property
    def sender_name(self) -> str:
        return self.from_name or self.owner.get_full_name()


# The team's holidays (prospecting's Holiday rows, read-only here) close every send window. The worker
# reads a window for each send, so the days are kept for a minute per process instead of queried each
# time; a holiday saved or deleted in this process clears them at once, other processes see it within
# HOLIDAYS_TTL seconds.
HOLIDAYS_TTL = 60.0
_holidays: tuple[float, frozenset[date]] | None = None
_holidays_lock = threading.Lock()


def team_holidays() -> frozenset[date]:
    global _holidays
    with _holidays_lock:
        if _holidays is None or clock.monotonic() >= _holidays[0]:
            _holidays = (clock.monotonic() + HOLIDAYS_TTL, frozenset(Holiday.objects.values_list("day", flat=True)))
        return _holidays[1]


def forget_team_holidays(**_) -> None:
    global _holidays
    with _holidays_lock:
        _holidays = None


post_save.connect(forget_team_holidays, sender=Holiday, dispatch_uid="outreach.holidays.saved")
post_delete.connect(forget_team_holidays, sender=Holiday, dispatch_uid="outreach.holidays.deleted")


class Sequence(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=150, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sequences")
    # One of the owner's mailboxes (services.sequence_set_mailbox checks); empty, or once that mailbox is
    # deleted, the owner's first mailbox sends (services.sequence_mailbox).
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="sequences",
                                help_text="The mailbox its emails go from; the owner's mailbox if empty.")
    window_start = models.TimeField(default=time(8, 0), help_text="In the recipient's time zone.")
    window_end = models.TimeField(default=time(17, 0))
    window_days = models.CharField(
        max_length=13, default="0,1,2,3,4", help_text="Weekdays to send on, 0 = Monday.",
        validators=[RegexValidator(r"^[0-6](,[0-6])*$", "List weekdays as numbers 0-6 (0 = Monday), e.g. 0,1,2,3,4.")])
    archived = models.BooleanField(default=False)
    auto_enroll_key_contacts = models.BooleanField(
        default=False, help_text="New key contacts at the owner's A-tier companies are enrolled by themselves.")
    # Who was added after it was turned on is "new" to the auto-enroll; each run looks back from the last
    # one (services.auto_enroll_key_contacts).
    auto_enroll_since = models.DateTimeField(null=True, blank=True, editable=False)
    auto_enroll_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Two auto-enrolling sequences of one seller would race for the same people.
            models.UniqueConstraint(fields=["owner"], condition=Q(auto_enroll_key_contacts=True),
                                    name="one_auto_enroll_sequence_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name

    def mailbox_refusal(self) -> str:
        """Why its mailbox cannot send for it (another seller's), or ""; the admin's form checks it too."""
        if self.mailbox_id and self.owner_id and self.mailbox.owner_id != self.owner_id:
            return (f"{self.mailbox.email} is {self.mailbox.owner}'s; “{self}” sends from a mailbox of its "
                    f"owner, {self.owner}.")
        return ""

    def clean(self) -> None:
        # Here, not in a service: the admin's form and the worker's calendar must not get a window
        # that closes before it opens either.
        if self.window_start and self.window_end and not closes_after_opening(self.window_start, self.window_end):
            raise ValidationError({"window_end": "The send window must end after it starts (or at 00:00, midnight)."})
        if refusal := self.mailbox_refusal():
            raise ValidationError({"mailbox": refusal})

    @property
    def window(self) -> WorkingHours:
        """The send window with the team's holidays skipped ("Monday-Friday, holidays skipped"), in no zone yet."""
        days = frozenset(int(d) for d in self.window_days.split(","))
        return WorkingHours(opens=self.window_start, closes=self.window_end, days=days, holidays=team_holidays())


class StepKind(models.TextChoices):
    EMAIL = "email", "Email (new thread)"
    FOLLOW_UP = "follow_up", "Follow-up (forwards the earlier email)"
    CALL = "call", "Call task"
    SOCIAL = "social", "Social task (LinkedIn/X)"
    MANUAL_EMAIL = "manual_email", "Manual email (you look, then send)"
    WAIT = "wait", "Wait"


EMAIL_KINDS = {StepKind.EMAIL, StepKind.FOLLOW_UP, StepKind.MANUAL_EMAIL}
# Steps that become a task for the owner; their text is merged like an email's.
TASK_KINDS = {StepKind.CALL, StepKind.SOCIAL}

FOLLOW_UP_NOTE = "Hi {first_name}, hope all is well. Following up on the below. Thx."


class FollowUpMode(models.TextChoices):
    FORWARD = "forward", "Forward it (Fwd:)"
    REPLY = "reply", "Reply in the thread (Re:)"


class Step(models.Model):
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=StepKind.choices)
    delay_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(365)],
                                                  help_text="Business days after the previous step.")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    follow_up_mode = models.CharField(max_length=8, choices=FollowUpMode.choices, default=FollowUpMode.FORWARD)
    # A drip's step sends a library piece, read when it is sent: fixing a piece fixes every drip using it.
    piece = models.ForeignKey("Piece", null=True, blank=True, on_delete=models.PROTECT, related_name="steps")
    coach_review = models.JSONField(default=dict, blank=True, editable=False)
    coach_blocked = models.BooleanField(default=False, editable=False,
                                        help_text="An error-severity coach finding holds this step.")

    class Meta:
        ordering = ["sequence", "position"]
        constraints = [models.UniqueConstraint(fields=["sequence", "position"], name="step_position_unique")]

    def __str__(self) -> str:
        return f"{self.sequence} step {self.position}: {self.get_kind_display()}"

    @property
    def sends_email(self) -> bool:
        return self.kind in EMAIL_KINDS

    @property
    def coach_errors(self) -> list[dict]:
        return [f for f in self.coach_review.get("findings", []) if f.get("severity") == "error"]


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    REPLIED = "replied", "Replied"
    BOUNCED = "bounced", "Bounced"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"
    STOPPED = "stopped", "Stopped"


RUNNING = [EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED]


class Enrollment(models.Model):
    """One person's run through a sequence, sent from the owner's mailbox."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.ForeignKey(Sequence, on_delete=models.PROTECT, related_name="enrollments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrollments")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(max_length=16, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE)
    next_position = models.PositiveSmallIntegerField(default=1)
    due_at = models.DateTimeField(null=True, blank=True, help_text="When the worker next looks at it.")
    paused_until = models.DateTimeField(null=True, blank=True)
    held_reason = models.CharField(max_length=500, blank=True, help_text="Why the next step has not gone out.")
    stop_reason = models.CharField(max_length=500, blank=True)
    last_step_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    drip = models.ForeignKey("Drip", null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments",
                             help_text="Set when this run is a person's place in a drip (its sequence is the drip's).")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The worker's scheduling query: only active rows with a due time, oldest first.
            models.Index(fields=["due_at"], condition=Q(status="active", due_at__isnull=False),
                         name="enrollment_due"),
            models.Index(fields=["paused_until"], condition=Q(status="paused", paused_until__isnull=False),
                         name="enrollment_paused_until"),
            models.Index(fields=["sequence", "status"]),
        ]
        constraints = [
            # "Already in a sequence" is a database rule, so two enrolls at once cannot both win.
            # Drips run beside it (a drip waits while its person is in a sequence: see the worker).
            models.UniqueConstraint(fields=["person"], condition=Q(status__in=["active", "paused"],
                                                                   drip__isnull=True),
                                    name="one_running_enrollment_per_person"),
            # A drip reaches a person once: who replied or finished it is not enrolled again by the next sync.
            models.UniqueConstraint(fields=["person", "drip"], name="one_enrollment_per_person_drip"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.sequence} ({self.status})"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING


class OutboxState(models.TextChoices):
    DRAFT = "draft", "Draft (waiting for you)"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    UNSURE = "unsure", "Unsure: confirm whether it went"


class OutboxMessage(models.Model):
    """One rendered email, written with its final Message-ID before any SMTP call."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="messages")
    step = models.ForeignKey(Step, on_delete=models.PROTECT, related_name="messages")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages")
    state = models.CharField(max_length=10, choices=OutboxState.choices, default=OutboxState.QUEUED)
    message_id = models.CharField(max_length=250, unique=True)
    in_reply_to = models.CharField(max_length=250, blank=True)
    references = models.TextField(blank=True)
    to_email = models.EmailField()
    to_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=500)
    body = models.TextField()
    not_before = models.DateTimeField(null=True, blank=True)
    held_reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    touch = models.ForeignKey(Touch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The idempotency key: whatever crashes or runs twice, a step is sent at most once per person.
            models.UniqueConstraint(fields=["enrollment", "step"], name="one_message_per_enrollment_step"),
        ]
        indexes = [
            models.Index(fields=["state", "not_before"], condition=Q(state__in=["queued", "sending"]),
                         name="outbox_pending"),
            models.Index(fields=["mailbox", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to_email} ({self.state})"


class InboundKind(models.TextChoices):
    REPLY = "reply", "Reply"
    AUTO_REPLY = "auto_reply", "Auto-reply / out of office"
    BOUNCE = "bounce", "Bounce"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe request"
    OTHER = "other", "Not ours"


class InboundMessage(models.Model):
    """An email read from a mailbox's INBOX, what it was taken for, and what it did."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="inbound")
    uid = models.BigIntegerField()
    uidvalidity = models.BigIntegerField()
    message_id = models.CharField(max_length=250, blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=12, choices=InboundKind.choices)
    matched_by = models.CharField(max_length=30, blank=True)
    enrollment = models.ForeignKey(Enrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound")
    action = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "uidvalidity", "uid"], name="inbound_seen_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.from_email}"


class Bounce(models.Model):
    """An address that hard-bounced: never enrolled again until someone fixes the email."""

    email = models.EmailField(unique=True)
    status = models.CharField(max_length=20, blank=True)
    diagnostic = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email


class PieceKind(models.TextChoices):
    ARTICLE = "article", "Article"
    POINT_OF_VIEW = "point_of_view", "Point of view"
    CUSTOMER_STORY = "customer_story", "Customer story"


class Piece(models.Model):
    """A short insight piece of the drip library: something worth reading, most often without an ask."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=150, unique=True, help_text="For you; the reader sees the subject.")
    kind = models.CharField(max_length=16, choices=PieceKind.choices, default=PieceKind.ARTICLE)
    subject = models.CharField(max_length=300)
    body = models.TextField(help_text="Short. Merge fields: {first_name}, {company}, {seller_first_name} ...")
    link = models.URLField(blank=True, help_text="Optional: the article or story, added below the text.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pieces")
    coach_review = models.JSONField(default=dict, blank=True, editable=False)
    coach_blocked = models.BooleanField(default=False, editable=False,
                                        help_text="An error-severity coach finding holds this piece.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def coach_rules(self) -> set[str]:
        return {f["rule"] for f in self.coach_review.get("findings", [])}

    @property
    def has_ask(self) -> bool:
        return "drip.has_ask" in self.coach_rules


class Drip(models.Model):
    """Pieces sent one at a time, on a cadence, to a list (a tier and/or people picked by hand).

    The worker runs a drip through its own sequence (one email step per piece, the cadence as the
    steps' delay, the send window on the sequence), so drips share the outbox, the caps and the stop
    rules with sequences instead of copying them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=150, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drips")
    sequence = models.OneToOneField(Sequence, on_delete=models.PROTECT, related_name="drip", editable=False)
    every_days = models.PositiveSmallIntegerField(default=15, validators=[MaxValueValidator(365)],
                                                  help_text="Business days between two pieces (15 = three weeks).")
    tier = models.CharField(max_length=1, blank=True, choices=Tier.choices,
                            help_text="Everyone with an email at your companies of this tier.")
    # A saved filter over the owner's companies and people, with the tier: every condition set must hold.
    industries = models.CharField(max_length=300, blank=True, help_text="Company industries, comma-separated.")
    countries = models.CharField(max_length=100, blank=True, help_text="Company countries (US, DE, ...), "
                                                                       "comma-separated.")
    title_words = models.CharField(max_length=300, blank=True, help_text="Words one of which the person's title "
                                                                         "holds (VP, Head, ...), comma-separated.")
    people = models.ManyToManyField(Person, blank=True, related_name="picked_for_drips",
                                    help_text="People picked by hand, whatever their tier.")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def split(value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]

    def describe_list(self) -> str:
        """The saved filter in words ("tier A; industry Robotics"), or "picked" for hand-picked people only."""
        parts = [f"tier {self.tier}"] if self.tier else []
        parts += [f"{label} {', '.join(self.split(value))}" for label, value in (
            ("industry", self.industries), ("country", self.countries), ("title has", self.title_words)) if value]
        return "; ".join(parts) or "picked"
