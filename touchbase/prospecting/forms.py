"""The lead framework editor's form: the criteria as JSON text, and the two tier thresholds."""

import json

from django import forms
from django.core.exceptions import ValidationError

from .framework import parse_criteria


class FrameworkForm(forms.Form):
    criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "mono"}),
                               help_text="A list of criteria; see the kinds below.")
    tier_a_min = forms.IntegerField(label="A from (points)")
    tier_b_min = forms.IntegerField(label="B from (points)")
    note = forms.CharField(required=False, max_length=200, help_text="What changed and why.")

    @classmethod
    def for_framework(cls, framework) -> "FrameworkForm":
        return cls(initial={"criteria": json.dumps(framework.criteria, indent=2, ensure_ascii=False),
                            "tier_a_min": framework.tier_a_min, "tier_b_min": framework.tier_b_min})

    def clean_criteria(self):
        text = self.cleaned_data["criteria"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"This is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None

    def clean(self):
        data = super().clean()
        if {"criteria", "tier_a_min", "tier_b_min"} <= data.keys():
            try:
                data["criteria"] = parse_criteria(data["criteria"], data["tier_a_min"], data["tier_b_min"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return data
