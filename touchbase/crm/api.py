"""The CRM as JSON: companies, people, deals, stages, touches and tasks.

Thin like the pages: each operation turns the request into records and calls
the same service the web app calls, so the role rules, the exit criteria and
the touch counters hold whichever door a change comes in by. Records are named
by their public UUID; stages and exit criteria, which are the pipeline's
settings rather than records, by their number.
"""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import StrictInt

from touchbase.accounts.models import User
from touchbase.core.schemas import ERRORS

from . import services
from .models import Company, Deal, Direction, ExitCriterion, Person, Source, Stage, Task, Touch, TouchKind
from .money import format_amount

router = Router()

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# Money is whole minor units; StrictInt turns 12.5, 12.0 and "1250" away instead of rounding or parsing them.
Minor = Annotated[StrictInt, Field(ge=0, description="Amount in minor units (cents for USD): 2400000 is $24,000.")]




class Page(PageNumberPagination):
    def __init__(self, **kwargs):
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


def _owner_email(obj) -> str | None:
    return obj.owner.email if obj.owner_id else None


class CompanyOut(Schema):
    id: UUID
    name: str
    domain: str
    website: str
    industry: str
    employee_count: int | None
    country: str
    owner: str | None = Field(description="The owner's email.")
    notes: str
    touch_count: int
    last_touch_at: datetime | None
    source: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_owner(obj):
        return _owner_email(obj)


class CompanyIn(Schema):
    name: str
    domain: str = ""
    website: str = ""
    industry: str = ""
    employee_count: int | None = None
    country: str = ""
    owner: str | None = Field(None, description="The owner's email; you when left out.")
    notes: str = ""


class CompanyPatch(Schema):
    name: str | None = None
    domain: str | None = None
    website: str | None = None
    industry: str | None = None
    employee_count: int | None = None
    country: str | None = None
    owner: str | None = None
    notes: str | None = None


class PersonOut(Schema):
    id: UUID
    name: str
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str
    company: UUID | None
    owner: str | None
    time_zone: str
    opted_out: bool
    touch_count: int
    last_touch_at: datetime | None
    source: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_company(obj):
        return obj.company.public_id if obj.company_id else None

    @staticmethod
    def resolve_owner(obj):
        return _owner_email(obj)


class PersonIn(Schema):
    first_name: str
    last_name: str = ""
    email: str = ""
    phone: str = ""
    title: str = ""
    company: UUID | None = None
    owner: str | None = None
    time_zone: str = ""
    opted_out: bool = False


class PersonPatch(Schema):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    title: str | None = None
    company: UUID | None = None
    owner: str | None = None
    time_zone: str | None = None
    opted_out: bool | None = None


class CriterionOut(Schema):
    id: int
    name: str


class StageOut(Schema):
    id: int
    name: str
    pipeline: str
    order: int
    probability: int
    kind: str
    exit_criteria: list[CriterionOut]

    @staticmethod
    def resolve_pipeline(obj):
        return obj.pipeline.name

    @staticmethod
    def resolve_exit_criteria(obj):
        return list(obj.exit_criteria.all())


class StageRef(Schema):
    id: int
    name: str
    kind: str


class DealOut(Schema):
    id: UUID
    title: str
    company: UUID
    contact: UUID | None
    amount_minor: int
    currency: str
    amount: str = Field(description="The amount as a seller reads it, e.g. '$24,000'.")
    stage: StageRef
    checked_criteria: list[int] = Field(description="Ids of the current stage's exit criteria already checked.")
    owner: str | None
    expected_close: date | None
    next_step: str
    lost_reason: str
    closed_at: datetime | None
    version: int = Field(description="Send it back as expected_version when moving the deal.")
    source: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_company(obj):
        return obj.company.public_id

    @staticmethod
    def resolve_contact(obj):
        return obj.contact.public_id if obj.contact_id else None

    @staticmethod
    def resolve_amount(obj):
        return format_amount(obj.amount_minor, obj.currency)

    @staticmethod
    def resolve_checked_criteria(obj):
        return sorted(check.criterion_id for check in obj.checks.all())

    @staticmethod
    def resolve_owner(obj):
        return _owner_email(obj)


class DealIn(Schema):
    company: UUID
    title: str
    contact: UUID | None = None
    amount_minor: Minor = 0
    currency: str = "USD"
    stage: int | None = Field(None, description="A stage id; the pipeline's first stage when left out.")
    owner: str | None = None
    expected_close: date | None = None
    next_step: str = ""


class DealPatch(Schema):
    title: str | None = None
    company: UUID | None = None
    contact: UUID | None = None
    amount_minor: Minor | None = None
    currency: str | None = None
    owner: str | None = None
    expected_close: date | None = None
    next_step: str | None = None
    lost_reason: str | None = None


class DealMove(Schema):
    stage: int
    expected_version: int | None = Field(None, description="The version you saw; a newer one answers 409.")
    override_reason: str | None = Field(None, description="Why to move on with exit criteria unchecked.")
    lost_reason: str = Field("", description="Required when moving to a lost stage.")


class CriterionCheckIn(Schema):
    criterion: int
    checked: bool = True


class TouchOut(Schema):
    id: UUID
    kind: str
    direction: str
    happened_at: datetime
    person: UUID | None
    company: UUID | None
    deal: UUID | None
    by: str | None
    summary: str
    outcome: str
    source: str

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_person(obj):
        return obj.person.public_id if obj.person_id else None

    @staticmethod
    def resolve_company(obj):
        return obj.company.public_id if obj.company_id else None

    @staticmethod
    def resolve_deal(obj):
        return obj.deal.public_id if obj.deal_id else None

    @staticmethod
    def resolve_by(obj):
        return obj.by.email if obj.by_id else None


class TouchIn(Schema):
    kind: TouchKind
    summary: str
    direction: Direction = Direction.OUT
    happened_at: datetime | None = Field(None, description="With a time zone; now when left out.")
    person: UUID | None = None
    company: UUID | None = None
    deal: UUID | None = None
    outcome: str = ""


class TaskOut(Schema):
    id: UUID
    title: str
    due: date | None
    done: bool
    done_at: datetime | None
    owner: str
    person: UUID | None
    company: UUID | None
    deal: UUID | None

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_owner(obj):
        return obj.owner.email

    @staticmethod
    def resolve_person(obj):
        return obj.person.public_id if obj.person_id else None

    @staticmethod
    def resolve_company(obj):
        return obj.company.public_id if obj.company_id else None

    @staticmethod
    def resolve_deal(obj):
        return obj.deal.public_id if obj.deal_id else None


class TaskIn(Schema):
    title: str
    due: date | None = None
    person: UUID | None = None
    company: UUID | None = None
    deal: UUID | None = None


class TaskDone(Schema):
    done: bool = True


def _found(queryset, public_id: UUID):
    """The record with this public id, or a 404 that names what was looked for."""
    record = queryset.filter(public_id=public_id).first()
    if record is None:
        raise Http404(f"No {queryset.model._meta.verbose_name} has the id {public_id}.")
    return record


def _ref(model, public_id: UUID | None, field: str):
    """A record named in a request body; an unknown id is the body's fault (422), not a missing page."""
    if public_id is None:
        return None
    record = model.objects.filter(public_id=public_id).first()
    if record is None:
        raise ValidationError({field: f"No {model._meta.verbose_name} has the id {public_id}."})
    return record


def _user(email: str | None, field: str = "owner"):
    if email is None:
        return None
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        raise ValidationError({field: f"No active user has the email {email}."})
    return user


def _resolve(fields: dict, refs: dict) -> dict:
    """Swap the ids and emails of a body for the records they name."""
    resolved = dict(fields)
    for name, model in refs.items():
        if name in resolved:
            resolved[name] = _user(resolved[name], name) if model is User else _ref(model, resolved[name], name)
    return resolved


COMPANY_REFS = {"owner": User}
PERSON_REFS = {"owner": User, "company": Company}
DEAL_REFS = {"owner": User, "company": Company, "contact": Person}


def _record_fields(request, payload, refs: dict, *, creating: bool) -> dict:
    """A create (every field) or patch (the fields sent) body, as records, with its owner vetted."""
    fields = _resolve(payload.model_dump(exclude_unset=not creating), refs)
    return _assignable(request, fields, creating=creating)


def _assignable(request, fields: dict, *, creating: bool) -> dict:
    """No owner on create means the creator; who may name another owner is the services' rule."""
    if creating and "owner" in fields and fields["owner"] is None:
        del fields["owner"]
    return fields


def _stage(stage_id: int | None, field: str = "stage") -> Stage | None:
    if stage_id is None:
        return None
    stage = Stage.objects.select_related("pipeline").filter(pk=stage_id).first()
    if stage is None:
        raise ValidationError({field: f"No stage has the id {stage_id}; GET /api/v1/stages lists them."})
    return stage


def _companies():
    return Company.objects.select_related("owner")


def _people():
    return Person.objects.select_related("owner", "company")


def _deals():
    return Deal.objects.select_related("company", "contact", "owner", "stage").prefetch_related("checks")


def _touches():
    return Touch.objects.select_related("person", "company", "deal", "by")


def _tasks():
    return Task.objects.select_related("owner", "person", "company", "deal")


@router.get("/companies", response={200: list[CompanyOut], **ERRORS}, tags=["companies"])
@paginate(Page)
def company_list(request, q: str | None = None, owner: str | None = None):
    """Companies by name; `q` finds names (or domains) starting with it."""
    companies = _companies().order_by("name", "id")
    if q:
        companies = companies.filter(Q(name__istartswith=q.strip()) | Q(domain__istartswith=q.strip().lower()))
    if owner:
        companies = companies.filter(owner=_owner_filter(request, owner))
    return companies


@router.get("/companies/{company_id}", response={200: CompanyOut, **ERRORS}, tags=["companies"])
def company_get(request, company_id: UUID):
    return _found(_companies(), company_id)


@router.post("/companies", response={201: CompanyOut, **ERRORS}, tags=["companies"])
def company_create(request, payload: CompanyIn):
    fields = _record_fields(request, payload, COMPANY_REFS, creating=True)
    return 201, services.company_create(actor=request.auth, source=Source.API, **fields)


@router.patch("/companies/{company_id}", response={200: CompanyOut, **ERRORS}, tags=["companies"])
def company_update(request, company_id: UUID, payload: CompanyPatch):
    company = _found(_companies(), company_id)
    fields = _record_fields(request, payload, COMPANY_REFS, creating=False)
    return services.company_update(actor=request.auth, company=company, **fields)


@router.get("/people", response={200: list[PersonOut], **ERRORS}, tags=["people"])
@paginate(Page)
def person_list(request, q: str | None = None, company: UUID | None = None, owner: str | None = None):
    """People by last name; `q` finds first or last names (or emails) starting with it."""
    people = _people().order_by("last_name", "first_name", "id")
    if q:
        q = q.strip()
        people = people.filter(Q(first_name__istartswith=q) | Q(last_name__istartswith=q)
                               | Q(email__istartswith=q.lower()))
    if company:
        people = people.filter(company=_found(Company.objects, company))
    if owner:
        people = people.filter(owner=_owner_filter(request, owner))
    return people


@router.get("/people/{person_id}", response={200: PersonOut, **ERRORS}, tags=["people"])
def person_get(request, person_id: UUID):
    return _found(_people(), person_id)


@router.post("/people", response={201: PersonOut, **ERRORS}, tags=["people"])
def person_create(request, payload: PersonIn):
    fields = _record_fields(request, payload, PERSON_REFS, creating=True)
    return 201, services.person_create(actor=request.auth, source=Source.API, **fields)


@router.patch("/people/{person_id}", response={200: PersonOut, **ERRORS}, tags=["people"])
def person_update(request, person_id: UUID, payload: PersonPatch):
    person = _found(_people(), person_id)
    fields = _record_fields(request, payload, PERSON_REFS, creating=False)
    return services.person_update(actor=request.auth, person=person, **fields)


def _owner_filter(request, owner: str):
    """`owner=me` or an email."""
    return request.auth if owner == "me" else _user(owner)


@router.get("/deals", response={200: list[DealOut], **ERRORS}, tags=["deals"])
@paginate(Page)
def deal_list(request, stage: int | None = None, owner: str | None = None, company: UUID | None = None):
    """Deals, most recently changed first; filter by stage id, owner (`me` or an email) or company."""
    deals = _deals().order_by("-updated_at", "-id")
    if stage is not None:
        deals = deals.filter(stage_id=stage)
    if owner:
        deals = deals.filter(owner=_owner_filter(request, owner))
    if company:
        deals = deals.filter(company=_found(Company.objects, company))
    return deals


@router.get("/deals/{deal_id}", response={200: DealOut, **ERRORS}, tags=["deals"])
def deal_get(request, deal_id: UUID):
    return _found(_deals(), deal_id)


@router.post("/deals", response={201: DealOut, **ERRORS}, tags=["deals"])
def deal_create(request, payload: DealIn):
    fields = _record_fields(request, payload, DEAL_REFS, creating=True)
    fields["stage"] = _stage(fields["stage"])
    deal = services.deal_create(actor=request.auth, source=Source.API, **fields)
    return 201, _found(_deals(), deal.public_id)


@router.patch("/deals/{deal_id}", response={200: DealOut, **ERRORS}, tags=["deals"])
def deal_update(request, deal_id: UUID, payload: DealPatch):
    deal = _found(_deals(), deal_id)
    fields = _record_fields(request, payload, DEAL_REFS, creating=False)
    services.deal_update(actor=request.auth, deal=deal, **fields)
    return _found(_deals(), deal_id)


@router.post("/deals/{deal_id}/move", response={200: DealOut, **ERRORS}, tags=["deals"])
def deal_move(request, deal_id: UUID, payload: DealMove):
    """Move a deal to another stage. Forward moves need the exit criteria checked or an override reason."""
    deal = _found(_deals(), deal_id)
    services.deal_move_stage(actor=request.auth, deal=deal, stage=_stage(payload.stage),
                             expected_version=payload.expected_version, override_reason=payload.override_reason,
                             lost_reason=payload.lost_reason)
    return _found(_deals(), deal_id)


@router.post("/deals/{deal_id}/checks", response={200: DealOut, **ERRORS}, tags=["deals"])
def deal_check_criterion(request, deal_id: UUID, payload: CriterionCheckIn):
    """Tick (or untick) one exit criterion of the deal's current stage."""
    deal = _found(_deals(), deal_id)
    criterion = ExitCriterion.objects.select_related("stage").filter(pk=payload.criterion).first()
    if criterion is None:
        raise ValidationError({"criterion": f"No exit criterion has the id {payload.criterion}."})
    services.deal_check_criterion(actor=request.auth, deal=deal, criterion=criterion, checked=payload.checked)
    return _found(_deals(), deal_id)


@router.get("/stages", response={200: list[StageOut], **ERRORS}, tags=["stages"])
def stage_list(request):
    """Every pipeline's stages in order, each with its exit criteria."""
    return Stage.objects.select_related("pipeline").prefetch_related("exit_criteria").order_by(
        "-pipeline__is_default", "pipeline__name", "order")


@router.get("/touches", response={200: list[TouchOut], **ERRORS}, tags=["touches"])
@paginate(Page)
def touch_list(request, person: UUID | None = None, company: UUID | None = None, deal: UUID | None = None):
    """The timeline, newest first, of a person, a company or a deal (or everyone's)."""
    touches = _touches().order_by("-happened_at", "-id")
    if person:
        touches = touches.filter(person=_found(Person.objects, person))
    if company:
        touches = touches.filter(company=_found(Company.objects, company))
    if deal:
        touches = touches.filter(deal=_found(Deal.objects, deal))
    return touches


@router.post("/touches", response={201: TouchOut, **ERRORS}, tags=["touches"])
def touch_log(request, payload: TouchIn):
    if payload.happened_at is not None and payload.happened_at.tzinfo is None:
        raise ValidationError({"happened_at": "Give the time with its zone, e.g. 2026-03-01T14:00:00+01:00."})
    fields = _resolve(payload.model_dump(), {"person": Person, "company": Company, "deal": Deal})
    touch = services.touch_log(actor=request.auth, source=Source.API, **fields)
    return 201, _found(_touches(), touch.public_id)


@router.get("/tasks", response={200: list[TaskOut], **ERRORS}, tags=["tasks"])
@paginate(Page)
def task_list(request, done: bool = False):
    """My tasks, soonest due first; `done=true` shows the finished ones."""
    return _tasks().filter(owner=request.auth, done=done).order_by("due", "id")


@router.post("/tasks", response={201: TaskOut, **ERRORS}, tags=["tasks"])
def task_create(request, payload: TaskIn):
    fields = _resolve(payload.model_dump(), {"person": Person, "company": Company, "deal": Deal})
    task = services.task_create(actor=request.auth, source=Source.API, **fields)
    return 201, _found(_tasks(), task.public_id)


@router.post("/tasks/{task_id}/done", response={200: TaskOut, **ERRORS}, tags=["tasks"])
def task_set_done(request, task_id: UUID, payload: TaskDone):
    """Tick a task off (or, with `done: false`, back on)."""
    task = _found(_tasks(), task_id)
    return services.task_set_done(actor=request.auth, task=task, done=payload.done)
