"""Prospecting records: the lead framework (versioned), each company's fit to it, and the qualifiers
a seller learns in conversation.

A company's tier, score and why live here, not on `crm.Company`, so the CRM core stays free of
prospecting rules and a report can always say which framework version a tier came from.
"""

from django.conf import settings
from django.db import models


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

    def __str__(self) -> str:
        return f"{self.company_id}: willing to be measured {self.willing_to_be_measured}"
