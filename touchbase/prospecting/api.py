"""Inbound leads as JSON: hand a lead in through a form's routing (for Zapier, a chat widget, a script).

The same use case as the public form endpoint without its abuse checks (the caller is logged in or
holds a token), so the normalisation, dedupe, routing and clock are the same whichever door it takes.
"""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from ninja import Field, Router, Schema

from touchbase.core.schemas import ERRORS

from . import inbound
from .models import InboundForm

router = Router()


class InboundIn(Schema):
    form: str = Field(description="The key of the inbound form whose routing and targets apply.")
    email: str
    first_name: str = ""
    last_name: str = ""
    name: str = Field("", description="A full name, used when first_name is empty.")
    company: str = ""
    website: str = ""
    title: str = ""
    phone: str = ""
    country: str = Field("", description="A two-letter code or a common English name.")
    employees: str = Field("", description="A head count: 120, 51-200 or 10k.")
    message: str = ""


class InboundOut(Schema):
    id: UUID
    person: UUID
    company: UUID | None
    owner: str | None = Field(description="The owner's email.")
    routed_by: str
    tier: str
    received_at: datetime
    due_at: datetime = Field(description="When the first response is due, in the owner's working hours.")
    new_clock: bool = Field(description="False when the person's earlier lead is still waiting for an answer.")
    person_created: bool


@router.post("/inbound", response={201: InboundOut, **ERRORS}, tags=["inbound"])
def inbound_create(request, payload: InboundIn):
    form = InboundForm.objects.filter(key=payload.form).first()
    if form is None:
        raise Http404("No inbound form has this key.")
    data = payload.model_dump(exclude={"form"})
    received = inbound.inbound_api_receive(actor=request.auth, form=form, data=data)
    lead = received.lead
    return 201, {"id": lead.public_id, "person": lead.person.public_id,
                 "company": lead.company.public_id if lead.company else None,
                 "owner": lead.owner.email if lead.owner else None, "routed_by": lead.routed_by, "tier": lead.tier,
                 "received_at": lead.received_at, "due_at": lead.due_at, "new_clock": received.new_clock,
                 "person_created": received.person_created}
