"""The composer: write one email to a person with the coach beside it, then log it as sent.

Until the outreach app sends through the seller's own mailbox, the seller sends
from their mail app (the page prefills a mailto link) and logs it here. The
send is one call, `SEND`, so the mailbox can take its place.
"""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import services
from .models import Person

SEND = services.email_log

KIND_CHOICES = [
    ("first_touch", "First email"),
    ("follow_up", "Follow-up (forward the first email)"),
    ("reply", "Reply"),
    ("drip", "Drip (gives, asks nothing)"),
]


class EmailForm(forms.Form):
    # Not stripped: the coach's offsets and counts must match the text the panel judged.
    subject = forms.CharField(max_length=300, required=False, strip=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "true"}))
    body = forms.CharField(strip=False, max_length=100_000, widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "true"}),
                           error_messages={"required": "The email is empty; write it first."})
    email_kind = forms.ChoiceField(label="Kind of email", choices=KIND_CHOICES, initial="first_touch")
    coach_override = forms.CharField(required=False, max_length=500, label="Reason to send anyway")


def mailto(person: Person, subject: str = "", body: str = "") -> str:
    """A mailto: link that opens the seller's mail app with the email filled in (RFC 6068 wants CRLF)."""
    query = []
    if subject:
        query.append("subject=" + quote(subject, safe=""))
    if body:
        query.append("body=" + quote(body.replace("\r\n", "\n").replace("\n", "\r\n"), safe=""))
    return f"mailto:{quote(person.email, safe='@')}" + ("?" + "&".join(query) if query else "")


@require_http_methods(["GET", "POST"])
def person_email(request, pk: int):
    person = get_object_or_404(Person.objects.select_related("company"), pk=pk)
    form = EmailForm(request.POST or None, initial={"email_kind": request.GET.get("kind", "first_touch")})
    coach_blocked = False
    if request.method == "POST" and form.is_valid():
        try:
            SEND(actor=request.user, person=person, **form.cleaned_data)
        except services.CoachBlocked as exc:
            coach_blocked = True
            form.add_error(None, exc.message)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Email to {person.name} logged as sent.")
            return redirect(reverse("crm:person_detail", args=[person.pk]))
    data = form.data if form.is_bound else {}
    return render(request, "crm/person_email.html", {
        "person": person,
        "form": form,
        "coach_blocked": coach_blocked,
        "mailto": mailto(person, data.get("subject", ""), data.get("body", "")) if person.email else "",
    }, status=422 if form.is_bound else 200)
