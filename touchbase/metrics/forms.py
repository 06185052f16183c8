"""The targets editor's form: what a manager types, turned into a target_set call."""

from django import forms
from django.core.exceptions import ValidationError

from touchbase.accounts.models import Role, User
from touchbase.crm.money import parse_amount

from .models import PERIOD_CHOICES, Measure, Unit

LARGEST = 2**63 - 1  # the amount column is a 64-bit integer (minor units for money)


class TargetForm(forms.Form):
    measure = forms.ChoiceField(choices=Measure.choices)
    seller = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Company-wide")
    period = forms.ChoiceField(choices=PERIOD_CHOICES, label="Per")
    amount = forms.CharField(help_text="A count, a percent, or an amount such as 120,000.")
    currency = forms.CharField(required=False, max_length=3, help_text="For money targets, e.g. USD.")
    ramp = forms.BooleanField(required=False, initial=True, label="Ramp a new seller (50%, then 75%)")
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seller"].queryset = User.objects.filter(role=Role.SELLER, is_active=True)

    def clean(self):
        data = super().clean()
        measure, text = data.get("measure"), data.get("amount", "")
        if not measure or not text:
            return data
        currency = (data.get("currency") or "").strip().upper()
        if Measure(measure).unit == Unit.MONEY:
            if not currency:
                raise ValidationError({"currency": "A money target needs its currency."})
            try:
                data["amount"] = parse_amount(text, currency)
            except ValidationError as exc:
                raise ValidationError({"amount": exc.messages}) from exc
        else:
            cleaned = text.strip().replace(",", "").rstrip("%")
            if cleaned.lstrip("-").isdigit() and cleaned.startswith("-"):
                raise ValidationError({"amount": "A target cannot be below zero."})
            if not cleaned.isdigit():
                raise ValidationError({"amount": f"{text!r} is not a whole number."})
            data["amount"] = int(cleaned)
        if data["amount"] > LARGEST:
            raise ValidationError({"amount": f"{text} is more than a target can hold."})
        data["currency"] = currency
        return data
