"""`{% person_outreach person %}`: a person's sequences, the drips they got, asks against gives, and the enroll form.

`{% mailbox_paused_banner %}`: on every outreach page, the mailboxes paused for bounces that the viewer
owns (a manager sees everyone's), with the resume button.
"""

from django import template

from touchbase.crm.permissions import can_edit

from .. import drips, services
from ..forms import EnrollForm
from ..models import Mailbox

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


@register.inclusion_tag("outreach/_mailbox_paused.html", takes_context=True)
def mailbox_paused_banner(context):
    user = context["user"]
    paused = Mailbox.objects.exclude(paused_reason="").select_related("owner")
    if not user.is_manager:
        paused = paused.filter(owner=user)
    return {"user": user, "csrf_token": context.get("csrf_token"),
            "paused_mailboxes": [(m, services.can_resume_mailbox(user, m)) for m in paused]}
