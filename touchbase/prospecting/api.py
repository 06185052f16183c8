"""Prospecting as JSON: inbound leads, and a company's tier with why and what a seller learned.

`POST /inbound` hands a lead in through a form's routing (for Zapier, a chat widget, a script): the
same use case as the public form endpoint without its abuse checks (the caller is logged in or
holds a token), so the normalisation, dedupe, routing and clock are the same whichever door it takes.
`GET /companies/{id}/fit` and `PATCH /companies/{id}/qualifier` read and set the tier's inputs
(willing to be measured, tags, custom fields) through the same service as the company page.
"""

from datetime import datetime
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from touchbase.core.schemas import ERRORS
from touchbase.crm.models import Company

from . import inbound, qualifiers
from .models import Answer, InboundForm

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


class ReasonOut(Schema):
    key: str
    label: str
    points: int


class FitOut(Schema):
    company: UUID
    tier: str | None = Field(description="A, B or C; null until the company is scored.")
    score: int | None
    framework_version: int | None = Field(description="The lead framework version the tier came from.")
    met: list[ReasonOut]
    missed: list[ReasonOut]
    willing_to_be_measured: str = Field(description="yes, no or unknown.")
    tags: list[str]
    custom: dict[str, str] = Field(description="Custom field name -> value.")


class QualifierPatch(Schema):
    willing_to_be_measured: str | None = Field(None, description="yes, no or unknown.")
    tags: list[str] | None = Field(None, description="Replaces the tags; stored trimmed and lower-case.")
    custom: dict[str, str] | None = Field(None, description="Replaces the custom fields; an empty value drops one.")


def _fit_out(company: Company) -> dict:
    company = Company.objects.select_related("fit__framework", "qualifier").get(pk=company.pk)
    fit = getattr(company, "fit", None)
    qualifier = getattr(company, "qualifier", None)
    reasons = fit.reasons() if fit else []
    return {"company": company.public_id, "tier": fit.tier if fit else None, "score": fit.score if fit else None,
            "framework_version": fit.framework.version if fit else None,
            "met": [r for r in reasons if r["met"]], "missed": [r for r in reasons if not r["met"]],
            "willing_to_be_measured": qualifier.willing_to_be_measured if qualifier else Answer.UNKNOWN,
            "tags": qualifier.tags if qualifier else [], "custom": qualifier.custom if qualifier else {}}


@router.get("/companies/{company_id}/fit", response={200: FitOut, **ERRORS}, tags=["companies"])
def company_fit(request, company_id: UUID):
    """The company's tier, score and why (criteria met and missed), and what the tier is computed from."""
    return _fit_out(get_object_or_404(Company, public_id=company_id))


@router.patch("/companies/{company_id}/qualifier", response={200: FitOut, **ERRORS}, tags=["companies"])
def company_qualifier(request, company_id: UUID, payload: QualifierPatch):
    """Set willing to be measured, the tags or the custom fields (what is left out stays); the company is re-scored."""
    company = get_object_or_404(Company, public_id=company_id)
    qualifiers.qualifier_update(actor=request.auth, company=company, **payload.model_dump(exclude_none=True))
    return _fit_out(company)
