"""`{% person_outreach person %}`: a person's sequences, the drips they got, asks against gives, and the enroll form."""

from django import template

from touchbase.crm.permissions import can_edit

from .. import drips, services
from ..forms import EnrollForm

register = template.Library()


@register.inclusion_tag("outreach/_person_outreach.html", takes_context=True)
def person_outreach(context, person):
    enrollments = list(person.enrollments.select_related("sequence").order_by("-created_at")[:5])
    user = context["user"]
    return {
        "person": person, "request": context.get("request"), "csrf_token": context.get("csrf_token"),
        "enrollments": [(e, services.enrollment_status_line(e)) for e in enrollments],
        "form": EnrollForm(), "can_enroll": can_edit(user, person),
        "refusal": services.why_not_enroll(person, person.owner or user),
        "drips_received": drips.drips_received(person), "tally": drips.asks_and_gives(person),
        "last_touches": drips.LAST_TOUCHES,
    }
