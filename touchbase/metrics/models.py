"""Targets and the currency rate table.

A target is a number to reach for one measure over a week, month or quarter,
for one seller or for the whole company. Targets are a timeline, not a
setting: each row holds from `starts_on` until `ends_on` (open when empty), so
a target raised in November, or a seller who left mid-quarter, gives a
quarter's target that adds up the days each row was in force. The ramp scales
a new seller's target: half in their first month, three quarters in the second.

Money is never added across currencies; where a report shows one total it
converts with the rates an admin keeps in `CurrencyRate`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from .periods import PeriodKind

# A new seller's share of their target, by month of tenure (first, second); full from the third.
RAMP = (Decimal("0.50"), Decimal("0.75"))


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    MONEY = "money", "Money"
    PERCENT = "percent", "Percent"


class Measure(models.TextChoices):
    """The measures a target can be set on. `measures.py` computes each one."""

    TOUCHES = "touches", "Touches"
    MEETINGS = "meetings", "Meetings held"
    NEW_CONVERSATIONS = "new_conversations", "New conversations"
    PEOPLE_TOUCHED = "people_touched", "People touched"
    PROPOSALS = "proposals", "Proposals sent"
    INBOUND_IN_TIME = "inbound_in_time", "Inbound leads answered in time"
    PIPELINE_CREATED = "pipeline_created", "Deals created"
    PIPELINE_CREATED_VALUE = "pipeline_created_value", "Pipeline created"
    WON = "won", "Deals won"
    WON_VALUE = "won_value", "Revenue won"
    WIN_RATE = "win_rate", "Win rate"

    @property
    def unit(self) -> str:
        if self in (Measure.PIPELINE_CREATED_VALUE, Measure.WON_VALUE):
            return Unit.MONEY
        if self in (Measure.WIN_RATE, Measure.INBOUND_IN_TIME):
            return Unit.PERCENT
        return Unit.COUNT


PERIOD_CHOICES = [(kind.value, kind.value.capitalize()) for kind in PeriodKind]
currency_code = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter currency code such as USD.")


class Target(models.Model):
    measure = models.CharField(max_length=32, choices=Measure.choices)
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="targets", help_text="Empty for a company-wide target.")
    period = models.CharField(max_length=8, choices=PERIOD_CHOICES, help_text="The target is per week, month or quarter.")
    amount = models.BigIntegerField(validators=[MinValueValidator(0)],
                                    help_text="A count, a percent, or money in minor units (cents).")
    currency = models.CharField(max_length=3, blank=True, validators=[currency_code],
                                help_text="For money targets only.")
    ramp = models.BooleanField(default=True, help_text="A new seller gets 50% in their first month, 75% in the second.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Last day in force; empty while it holds.")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["measure", "seller", "starts_on"]
        indexes = [models.Index(fields=["measure", "seller", "starts_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="target_amount_not_negative"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="target_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        who = self.seller or "company"
        return f"{self.get_measure_display()} {self.amount} a {self.period} ({who})"

    def clean(self):
        unit = Measure(self.measure).unit if self.measure in Measure.values else None
        if unit == Unit.MONEY and not self.currency:
            raise ValidationError({"currency": "A money target needs its currency."})
        if unit != Unit.MONEY and self.currency:
            raise ValidationError({"currency": "Only money targets have a currency."})
        if unit == Unit.PERCENT and self.amount is not None and self.amount > 100:
            raise ValidationError({"amount": "A percent target is at most 100."})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "A target cannot end before it starts."})


class CurrencyRate(models.Model):
    """One unit of `currency` is worth `rate` units of `to_currency`, from `valid_from` on."""

    currency = models.CharField(max_length=3, validators=[currency_code])
    to_currency = models.CharField(max_length=3, validators=[currency_code])
    rate = models.DecimalField(max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0.00000001"))])
    valid_from = models.DateField()

    class Meta:
        ordering = ["currency", "to_currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "to_currency", "valid_from"], name="one_rate_a_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.to_currency} from {self.valid_from}"


class ReportSent(models.Model):
    """One report mailed to one person, so a Monday job run twice does not mail twice."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=PERIOD_CHOICES)
    period = models.CharField(max_length=10)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "period"], name="one_report_mail")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} to {self.recipient}"
