"""CRM records and their invariants.

Money is an integer of minor units plus an ISO currency code, never a float.
Touch counts and last-touch times are kept on Person and Company by the touch
services, because the Today page and the seven-touch gauges read them on every
list row and counting a million touches per request is too slow.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

SEVEN_TOUCHES = 7


class Source(models.TextChoices):
    MANUAL = "manual", "Manual"
    IMPORT = "import", "Import"
    API = "api", "API"
    SEQUENCE = "sequence", "Sequence"
    INBOUND = "inbound", "Inbound"
    SYSTEM = "system", "System"
    DEMO = "demo", "Demo"


class Record(models.Model):
    """Fields every CRM record carries: a public id for the API and where it came from."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TouchedRecord(Record):
    """A record that touches land on: it keeps the count toward seven and the last touch."""

    touch_count = models.PositiveIntegerField(default=0)
    last_touch_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def touch_gauge(self) -> int:
        """Percent of the way to seven touches, capped at 100."""
        return min(100, round(100 * self.touch_count / SEVEN_TOUCHES))


class Company(TouchedRecord):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True, db_index=True)
    website = models.URLField(blank=True)
    industry = models.CharField(max_length=100, blank=True)
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 two-letter code, e.g. US, DE.",
                               validators=[RegexValidator(r"^[A-Z]{2}$", "Use a two-letter country code such as US.")])
    # No index of its own: (owner, name) below starts with it.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="companies", db_index=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        indexes = [models.Index(fields=["name"]), models.Index(fields=["owner", "name"])]

    def __str__(self) -> str:
        return self.name


class Person(TouchedRecord):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=32, blank=True)
    title = models.CharField(max_length=150, blank=True)
    # No index of its own: the two indexes below start with company, and each index on this table
    # costs the lead-list import a rebuild.
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="people",
                                db_index=False)
    # Nor this one: (owner, last_touch_at) below starts with owner.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="people", db_index=False)
    time_zone = models.CharField(max_length=64, blank=True)
    opted_out = models.BooleanField(default=False, help_text="Never send this person sequence or drip email.")

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["company", "last_name"]),
            # Auto-enroll's new people at a seller's A-tier companies (outreach new_key_contacts): each
            # company's probe reads only the people added since the last round, not all of them.
            models.Index(fields=["company", "created_at"], name="person_company_created"),
            models.Index(fields=["touch_count", "last_touch_at"]),
            # Today's "gone quiet" list (my people, oldest last touch first): without it SQLite
            # walks every person the seller owns and sorts them (50-80 ms at 300k people).
            models.Index(fields=["owner", "last_touch_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Pipeline(models.Model):
    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_pipeline"),
        ]

    def __str__(self) -> str:
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Stage(models.Model):
    """A step of a pipeline. Names are editable; `kind` is what rules and reports read."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField()
    probability = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)],
                                                   help_text="Chance to win, in percent, used by the forecast.")
    kind = models.CharField(max_length=8, choices=StageKind.choices, default=StageKind.OPEN)

    class Meta:
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_order_unique"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != StageKind.OPEN


class ExitCriterion(models.Model):
    """One item of a stage's checklist: a deal leaves the stage when all of them are checked."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="exit_criteria")
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage", "order", "id"]
        verbose_name_plural = "exit criteria"

    def __str__(self) -> str:
        return self.name


class Deal(Record):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="deals")
    contact = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals")
    title = models.CharField(max_length=200)
    amount_minor = models.BigIntegerField(default=0, validators=[MinValueValidator(0)],
                                          help_text="Amount in minor units (cents).")
    currency = models.CharField(max_length=3, default="USD",
                                validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter currency code.")])
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    stage_entered_at = models.DateTimeField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="deals")
    expected_close = models.DateField(null=True, blank=True)
    next_step = models.CharField(max_length=200, blank=True)
    lost_reason = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every stage move, so a board that shows an old version is told, not obeyed.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["stage", "-updated_at"]),
            models.Index(fields=["owner", "stage"]),
            # The reports' slipped deals and forecast, read off the index with the stage (no deal rows).
            models.Index(fields=["expected_close", "stage"]),
            # The deals won and lost in a period: PostgreSQL otherwise scans every deal for closed_at.
            models.Index(fields=["closed_at", "stage"], condition=Q(closed_at__isnull=False), name="deal_closed_time"),
        ]

    def __str__(self) -> str:
        return self.title


class CriterionCheck(models.Model):
    """A deal's tick against one exit criterion of its stage."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="checks")
    criterion = models.ForeignKey(ExitCriterion, on_delete=models.CASCADE, related_name="checks")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["deal", "criterion"], name="one_check_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion} checked"


class StageChange(models.Model):
    """History of a deal's stages; velocity and cycle length are computed from these rows."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, null=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    seconds_in_from = models.PositiveBigIntegerField(null=True, blank=True)
    override_reason = models.TextField(blank=True, help_text="Why the exit criteria were skipped, if they were.")

    class Meta:
        ordering = ["deal", "changed_at", "id"]
        indexes = [
            # A report period's moves, entries and exits read from the index alone (a quarter is ~36k rows).
            models.Index(fields=["changed_at", "from_stage", "to_stage", "deal", "seconds_in_from"]),
            # "Did the deal later move on out of the stage it entered?" (stage conversion), one probe each.
            models.Index(fields=["deal", "from_stage", "changed_at", "to_stage"]),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage or 'new'} -> {self.to_stage} on {self.changed_at:%Y-%m-%d}"


class TouchKind(models.TextChoices):
    EMAIL = "email", "Email"
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    NOTE = "note", "Note"
    SOCIAL = "social", "Social"
    OTHER = "other", "Other"


class Direction(models.TextChoices):
    OUT = "out", "Outbound"
    IN = "in", "Inbound"


class Touch(Record):
    """One contact on the timeline: an email, call, meeting, note or social touch."""

    kind = models.CharField(max_length=8, choices=TouchKind.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.OUT)
    happened_at = models.DateTimeField()
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="touches")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="touches")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="touches")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="touches")
    summary = models.TextField()
    outcome = models.CharField(max_length=200, blank=True)
    coach_override = models.TextField(blank=True, help_text="Why the seller sent despite a coach error.")

    class Meta:
        ordering = ["-happened_at", "-id"]
        verbose_name_plural = "touches"
        indexes = [
            models.Index(fields=["company", "-happened_at"]),
            models.Index(fields=["person", "-happened_at"]),
            models.Index(fields=["deal", "-happened_at"]),
            models.Index(fields=["by", "-happened_at"]),
            models.Index(fields=["-happened_at"]),
            # The reports: first replies per person, and touches by kind/seller in a period without the table.
            models.Index(fields=["person", "direction", "happened_at"]),
            models.Index(fields=["happened_at", "direction", "kind", "by", "person"]),
            # The deals that went quiet: a period's deal touches, from the index alone.
            models.Index(fields=["happened_at", "deal"], condition=Q(deal__isnull=False), name="touch_deal_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(company__isnull=False) | Q(deal__isnull=False),
                name="touch_has_a_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_at:%Y-%m-%d}"


class Task(Record):
    title = models.CharField(max_length=200)
    due = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks")
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    deal = models.ForeignKey(Deal, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")

    class Meta:
        ordering = ["done", "due", "id"]
        indexes = [
            models.Index(fields=["owner", "done", "due"]),
            models.Index(fields=["person", "done", "due"]),
            models.Index(fields=["company", "done", "due"]),
            models.Index(fields=["deal", "done", "due"]),
        ]

    def __str__(self) -> str:
        return self.title


class TouchDay(models.Model):
    """How many touches of one kind and direction one person logged on one UTC day: the reports' rollup.

    Kept by database triggers on crm_touch (migration 0005), in the same
    transaction as the touch, so every path that writes touches keeps it right:
    the services, bulk loads, the admin, and the deletes that cascade from a
    person or company. A report reads whole UTC days here and the hours at its
    period's edges (local midnights in any zone) from the touches themselves.
    `touchbase report --rebuild-rollup` recounts it from scratch.
    """

    day = models.DateField()
    # A user's id, 0 when nobody logged it (an inbound form); not a foreign key, so a count
    # never moves or disappears when Django sets a deleted user's touches to nobody.
    by = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=TouchKind.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    touches = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "by", "kind", "direction"], name="touch_day_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.by} {self.kind} {self.direction}: {self.touches}"


class FirstReply(models.Model):
    """Each person's first inbound touch ever (earliest, then lowest id): a new conversation.

    Kept by the same triggers as TouchDay; deleting or moving a person's first
    reply promotes their next one. Plain ids, for the reason given on TouchDay.
    """

    person_id = models.BigIntegerField(primary_key=True)
    touch_id = models.BigIntegerField()
    happened_at = models.DateTimeField()
    by = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["happened_at", "by"])]

    def __str__(self) -> str:
        return f"person {self.person_id} first replied at {self.happened_at:%Y-%m-%d %H:%M}"
