"""Prospecting records: the lead framework (versioned), each company's fit to it, the qualifiers
a seller learns in conversation, and inbound leads (forms, routing, away dates, holidays, clocks).

A company's tier, score and why live here, not on `crm.Company`, so the CRM core stays free of
prospecting rules and a report can always say which framework version a tier came from.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models

from touchbase.crm.models import Source


class Tier(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class Framework(models.Model):
    """One version of the ideal-customer definition: weighted criteria and the tier thresholds.

    Rows are never edited: saving a change adds the next version, and the highest version is the
    one in force. `criteria` is a list of criterion dicts, validated by `framework.parse_criteria`.
    """

    version = models.PositiveIntegerField(unique=True)
    criteria = models.JSONField()
    tier_a_min = models.IntegerField(help_text="A score at or above this is an A lead.")
    tier_b_min = models.IntegerField(help_text="A score at or above this (and below A) is a B lead.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    note = models.CharField(max_length=200, blank=True, help_text="What changed and why.")

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Lead framework v{self.version}"


class CompanyFit(models.Model):
    """How well a company fits a framework version: its score, tier, and the criteria met and missed.

    Written in bulk by `services.companies_rescore` (raw upserts), so there is no `auto_now` here.
    `met` and `missed` hold criterion keys of `framework`.
    """

    company = models.OneToOneField("crm.Company", primary_key=True, on_delete=models.CASCADE, related_name="fit")
    # No index: nothing looks fits up by framework, and a re-score rewrites this column in every row.
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+", db_index=False)
    score = models.IntegerField()
    tier = models.CharField(max_length=1, choices=Tier.choices)
    met = models.JSONField(default=list)
    missed = models.JSONField(default=list)
    scored_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["tier", "-score"])]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.tier} ({self.score})"

    def reasons(self) -> list[dict]:
        """Each criterion of the framework with its label, points and whether this company met it."""
        met = set(self.met)
        return [{"key": c["key"], "label": c.get("label") or c["key"], "points": c["points"], "met": c["key"] in met}
                for c in self.framework.criteria]


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class Qualifier(models.Model):
    """What a seller learned about a company that its CRM record does not hold.

    `willing_to_be_measured` is the seed's qualifier from "The Downside Of Good Reporting": a
    prospect reluctant to measure success is a harder partner to grow with.
    """

    company = models.OneToOneField("crm.Company", primary_key=True, on_delete=models.CASCADE,
                                   related_name="qualifier")
    willing_to_be_measured = models.CharField(max_length=8, choices=Answer.choices, default=Answer.UNKNOWN)
    # Database defaults too: the importer and the benches insert qualifier rows in raw SQL.
    tags = models.JSONField(default=list, db_default=[], blank=True,
                            help_text="Lower-case labels a seller gives the company, e.g. partner, event-2026.")
    custom = models.JSONField(default=dict, db_default={}, blank=True,
                              help_text="Custom field name -> value, e.g. {\"crm_used\": \"Salesforce\"}.")

    def __str__(self) -> str:
        return f"{self.company_id}: willing to be measured {self.willing_to_be_measured}"


def _form_key() -> str:
    return secrets.token_urlsafe(24)


class InboundForm(models.Model):
    """A door leads come in by (the website's demo form, a webinar sign-up): its key is its address.

    The key is the only thing guarding the public endpoint, so it is long and random and never
    derived from the name. Rules are tried first; a lead no rule takes goes round the sellers.
    """

    name = models.CharField(max_length=100)
    key = models.CharField(max_length=64, unique=True, default=_form_key, editable=False)
    enabled = models.BooleanField(default=True, help_text="A disabled form answers 404 and takes no leads.")
    sellers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                     help_text="Who takes turns; nobody chosen means every active seller.")
    target_a_hours = models.PositiveSmallIntegerField(default=1, help_text="First response to an A lead, in "
                                                                           "working hours.")
    target_b_hours = models.PositiveSmallIntegerField(default=4)
    target_c_hours = models.PositiveSmallIntegerField(default=24)
    redirect_url = models.URLField(blank=True, help_text="Where a browser goes after a good submission; "
                                                         "a thank-you page of ours when empty.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def target_hours(self, tier: str) -> int:
        return {"A": self.target_a_hours, "B": self.target_b_hours}.get(tier, self.target_c_hours)


class RoutingRule(models.Model):
    """Leads of a form that match every condition given go to `owner`; the lowest `order` wins."""

    form = models.ForeignKey(InboundForm, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveSmallIntegerField(default=0)
    country = models.CharField(max_length=2, blank=True, help_text="ISO code, e.g. DE.")
    tier = models.CharField(max_length=1, blank=True, choices=Tier.choices)
    min_employees = models.PositiveIntegerField(null=True, blank=True)
    max_employees = models.PositiveIntegerField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["form", "order", "id"]

    def __str__(self) -> str:
        return f"{self.form}: rule {self.order} -> {self.owner}"


class Away(models.Model):
    """A seller who is away through `until` (inclusive) gets no inbound leads."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE,
                                related_name="away")
    until = models.DateField()

    def __str__(self) -> str:
        return f"{self.user} away until {self.until}"


class Holiday(models.Model):
    """A day the team does not work: the response clock does not run on it."""

    day = models.DateField(unique=True)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {self.name}".strip()


class InboundLead(models.Model):
    """One inbound lead and its response clock.

    `due_at` is fixed when the lead arrives (the target in the owner's working hours then). The clock
    stops at the first outbound touch to the person after `received_at`, read from the touches;
    `first_response_at` is that moment written down by `inbound_check_breaches` once the lead is due.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form = models.ForeignKey(InboundForm, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    person = models.ForeignKey("crm.Person", on_delete=models.CASCADE, related_name="inbound_leads")
    company = models.ForeignKey("crm.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="inbound_leads")
    routed_by = models.CharField(max_length=120, blank=True, help_text="Why this owner: a rule, the turn, ...")
    tier = models.CharField(max_length=1, choices=Tier.choices)
    target_hours = models.PositiveSmallIntegerField()
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.INBOUND)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-received_at"]),
            models.Index(fields=["person", "-received_at"]),
            # The breach check reads only the clocks still running; answered or escalated leads drop out.
            models.Index(fields=["due_at"], name="inbound_open_due",
                         condition=models.Q(first_response_at__isnull=True, escalated_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"Inbound {self.person_id} at {self.received_at:%Y-%m-%d %H:%M}"


class InboundRate(models.Model):
    """Submissions counted per form, IP and minute, for the public endpoint's rate limit.

    In the database rather than a process cache so that every web process sees the same count.
    """

    form = models.ForeignKey(InboundForm, on_delete=models.CASCADE, related_name="+")
    ip = models.CharField(max_length=45)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "ip", "window_start"], name="inbound_rate_window")]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.ip} on form {self.form_id}: {self.count} from {self.window_start:%H:%M}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Waiting for your check"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    DISCARDED = "discarded", "Discarded"


class ImportJob(models.Model):
    """A lead list uploaded in the web app: the stored file, the mapping the seller agreed to, the run.

    The file lives under TOUCHBASE_HOME/imports/<public_id>/ (never under the static root), beside
    its rejected-rows CSV and the run's progress file. `report` is `importer.Report.as_dict()`.
    The folder is removed when the job is discarded, or `uploads.UPLOADS_KEPT` after it ended
    (`files_removed_at` says when).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text="Who owns the records the import creates.")
    file_name = models.CharField(max_length=255, help_text="The name the file had on the seller's machine.")
    path = models.CharField(max_length=1000, help_text="Where the upload is stored.")
    kind = models.CharField(max_length=16, help_text="people or companies")
    mapping = models.JSONField(default=dict, help_text='{"kind", "source", "columns": {field: column index}}')
    check_only = models.BooleanField(default=False, help_text="Validate and report, then roll back.")
    overwrite = models.BooleanField(default=False, help_text="Existing records take the file's non-empty values "
                                    "(`touchbase import --overwrite`); otherwise only their empty fields are filled.")
    status = models.CharField(max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    rows_read = models.PositiveIntegerField(default=0)
    total_estimate = models.PositiveIntegerField(default=0, help_text="Data rows, estimated at upload.")
    report = models.JSONField(null=True, blank=True)
    rejected_file = models.CharField(max_length=1000, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    files_removed_at = models.DateTimeField(null=True, blank=True,
                                            help_text="When the upload and its rejected rows were deleted.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The tidy-up reads only the jobs still holding files: queued and running ones that may be
            # stuck, and ended ones whose files have outlived their keep.
            models.Index(fields=["status", "created_at"], name="import_job_with_files",
                         condition=models.Q(files_removed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"Import of {self.file_name} ({self.status})"
