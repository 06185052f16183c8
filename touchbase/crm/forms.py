"""The CRM's forms: they read and check what a seller typed; saving goes through the services.

A form never saves itself: `fields_for_service()` hands the cleaned values to
`services.<record>_create/update`, which check the right to make the change.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from touchbase.accounts.models import User, validate_time_zone

from . import money
from .models import Company, Deal, Direction, Person, Stage, TouchKind


class CompanyByName(forms.CharField):
    """A company typed by its name (a datalist suggests names); the page never lists 100k options."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.widget.attrs.update({
            "list": "company-names", "autocomplete": "off", "placeholder": "Start typing a company name",
            "hx-get": reverse_lazy("crm:company_names"), "hx-trigger": "input changed delay:200ms",
            "hx-target": "#company-names", "hx-swap": "innerHTML",
        })

    def prepare_value(self, value):
        if isinstance(value, int):
            company = Company.objects.filter(pk=value).only("name").first()
            return company.name if company else ""
        if isinstance(value, Company):
            return value.name
        return value

    def clean(self, value):
        name = super().clean(value)
        if not name:
            return None
        matches = list(Company.objects.filter(name__iexact=name.strip())[:2])
        if not matches:
            raise ValidationError(f"There is no company named {name!r}; create it first or pick one from the list.")
        if len(matches) > 1:
            raise ValidationError(f"Several companies are named {name!r}; rename one of them in its page first.")
        return matches[0]


class OwnerChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=User.objects.filter(is_active=True), required=False,
                         empty_label="(nobody)", **kwargs)

    def label_from_instance(self, obj):
        return str(obj)


class ServiceForm(forms.ModelForm):
    """A ModelForm that validates like the model but leaves saving to a service.

    Only managers see the owner field: a seller's new record is theirs, and a
    seller cannot give their record away.
    """

    def __init__(self, *args, actor, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)
        if "owner" in self.fields and not actor.is_manager:
            del self.fields["owner"]

    def fields_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the field it names, or on the form when it names none we show."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class CompanyForm(ServiceForm):
    website = forms.URLField(required=False, assume_scheme="https", max_length=200)
    owner = OwnerChoice()

    class Meta:
        model = Company
        fields = ["name", "domain", "website", "industry", "employee_count", "country", "owner", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean_domain(self):
        domain = (self.cleaned_data.get("domain") or "").strip().lower()
        for prefix in ("https://", "http://", "www."):
            domain = domain.removeprefix(prefix)
        return domain.rstrip("/")


class PersonForm(ServiceForm):
    company = CompanyByName(required=False)
    owner = OwnerChoice()

    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "phone", "title", "company", "time_zone", "owner",
                  "opted_out"]
        labels = {"opted_out": "Opted out of email"}

    def clean_time_zone(self):
        value = (self.cleaned_data.get("time_zone") or "").strip()
        if value:
            validate_time_zone(value)
        return value


class DealForm(ServiceForm):
    """A deal's details. `amount` is typed as a seller writes it ("12,500.00") and stored in minor units."""

    company = CompanyByName()
    amount = forms.CharField(required=False, max_length=32, help_text="For example 12,500 or 12,500.00",
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    owner = OwnerChoice()
    stage = forms.ModelChoiceField(queryset=Stage.objects.select_related("pipeline"), required=False,
                                   empty_label="(first stage)")

    class Meta:
        model = Deal
        fields = ["title", "company", "contact", "amount", "currency", "stage", "expected_close", "next_step",
                  "owner"]
        widgets = {"expected_close": forms.DateInput(attrs={"type": "date"})}
        labels = {"contact": "Main contact", "expected_close": "Expected close"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The stage moves on the board or the move form, where exit criteria are checked.
            del self.fields["stage"]
            self.initial.setdefault("amount", money.format_amount(self.instance.amount_minor,
                                                                  self.instance.currency).lstrip("$€£¥₹"))
        else:
            self.fields["stage"].queryset = Stage.objects.filter(kind="open").select_related("pipeline")
        self.fields["contact"].queryset = self._contacts()
        self.fields["contact"].required = False

    def _contacts(self):
        """People of the deal's company only, so the contact list stays short."""
        company_id = self.instance.company_id if self.instance.pk else None
        if self.is_bound:
            name = (self.data.get(self.add_prefix("company")) or "").strip()
            match = Company.objects.filter(name__iexact=name).values_list("pk", flat=True).first() if name else None
            company_id = match or company_id
        elif isinstance(self.initial.get("company"), int | Company):
            company_id = getattr(self.initial["company"], "pk", self.initial["company"])
        return Person.objects.filter(company_id=company_id) if company_id else Person.objects.none()

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "USD").strip().upper()

    def clean(self):
        cleaned = super().clean()
        currency = cleaned.get("currency") or "USD"
        try:
            cleaned["amount_minor"] = money.parse_amount(cleaned.get("amount") or "", currency)
        except ValidationError as exc:
            self.add_error("amount", exc)
        contact, company = cleaned.get("contact"), cleaned.get("company")
        if contact and company and contact.company_id != company.pk:
            self.add_error("contact", f"{contact} does not work at {company}.")
        return cleaned

    def fields_for_service(self) -> dict:
        fields = super().fields_for_service()
        fields.pop("amount", None)
        fields["amount_minor"] = self.cleaned_data["amount_minor"]
        if not fields.get("stage"):
            fields.pop("stage", None)
        return fields


class TouchForm(forms.Form):
    kind = forms.ChoiceField(choices=TouchKind.choices, initial=TouchKind.CALL)
    direction = forms.ChoiceField(choices=Direction.choices, initial=Direction.OUT)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What happened?"}),
                              max_length=5000)
    outcome = forms.CharField(required=False, max_length=200,
                              widget=forms.TextInput(attrs={"placeholder": "Outcome (optional)"}))
    happened_on = forms.DateField(required=False, label="When",
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="Leave empty for now.")


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"placeholder": "Next step, e.g. Send the proposal"}))
    due = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class MoveForm(forms.Form):
    """A move on the board or the deal page: the target stage, the version the mover saw, and the why."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.all(),
                                   error_messages={"invalid_choice": "That stage does not exist any more."})
    version = forms.IntegerField(required=False, min_value=1)
    override_reason = forms.CharField(required=False, max_length=2000)
    lost_reason = forms.CharField(required=False, max_length=200)

