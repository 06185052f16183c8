"""CRM use cases. The pages, the API and the CLI all call these functions.

Each write checks the actor's right to make it (see `permissions`), validates,
and owns its transaction.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, Q, Value, When
from django.utils import timezone

from touchbase.accounts.models import validate_time_zone

from .models import (
    Company,
    CriterionCheck,
    Deal,
    Direction,
    ExitCriterion,
    Person,
    Pipeline,
    Source,
    Stage,
    StageChange,
    StageKind,
    Task,
    Touch,
    TouchKind,
)
from .permissions import ensure_can_edit


class StaleDeal(ValidationError):
    """The deal moved since the page was drawn; the caller should reload, not overwrite."""


class ExitCriteriaMissing(ValidationError):
    """The deal's stage has unchecked exit criteria and no override reason was given."""

    def __init__(self, missing: list[ExitCriterion]):
        self.missing = missing
        names = ", ".join(c.name for c in missing)
        super().__init__(f"Check the exit criteria first ({names}), or give a reason to move anyway.")


def _save(record, fields: dict, *, actor) -> None:
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    record.save()


def _ensure_owner_change_allowed(actor, record, fields: dict) -> None:
    if "owner" in fields and fields["owner"] != record.owner:
        ensure_can_assign(actor=actor, owner=fields["owner"])


def company_create(*, actor, name: str, owner=None, source: str = Source.MANUAL, **fields) -> Company:
    ensure_can_assign(actor=actor, owner=owner or actor)
    company = Company(source=source)
    _save(company, {"name": name.strip(), "owner": owner or actor, **fields}, actor=actor)
    return company


def company_update(*, actor, company: Company, **fields) -> Company:
    ensure_can_edit(actor, company)
    _ensure_owner_change_allowed(actor, company, fields)
    with transaction.atomic():
        _save(company, fields, actor=actor)
    return company


def _check_time_zone(fields: dict) -> None:
    # Sequences and the inbound clock fall back from a bad zone (accounts.zone_of) but cannot tell anyone;
    # refusing it here tells the API caller. Only a zone being written is checked, so one already stored
    # never blocks an unrelated change.
    if fields.get("time_zone"):
        try:
            validate_time_zone(fields["time_zone"])
        except ValidationError as exc:
            raise ValidationError({"time_zone": exc.messages}) from exc


def person_create(*, actor, first_name: str, owner=None, source: str = Source.MANUAL, **fields) -> Person:
    ensure_can_assign(actor=actor, owner=owner or actor)
    _check_time_zone(fields)
    person = Person(source=source)
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower()
    _save(person, {"first_name": first_name.strip(), "owner": owner or actor, **fields}, actor=actor)
    return person


def person_update(*, actor, person: Person, **fields) -> Person:
    ensure_can_edit(actor, person)
    _ensure_owner_change_allowed(actor, person, fields)
    _check_time_zone(fields)
    if "email" in fields:
        fields["email"] = (fields["email"] or "").strip().lower()
    with transaction.atomic():
        _save(person, fields, actor=actor)
    return person


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
    if pipeline is None:
        raise ValidationError("There is no pipeline yet; an admin creates one in the admin (Pipelines).")
    return pipeline


def deal_create(*, actor, company: Company, title: str, amount_minor: int = 0, currency: str = "USD",
                stage: Stage | None = None, owner=None, source: str = Source.MANUAL, **fields) -> Deal:
    if isinstance(amount_minor, float):
        raise TypeError("amount_minor must be an integer of minor units, not a float")
    ensure_can_assign(actor=actor, owner=owner or actor)
    pipeline = stage.pipeline if stage else default_pipeline()
    stage = stage or pipeline.stages.order_by("order").first()
    now = timezone.now()
    deal = Deal(source=source, pipeline=pipeline, stage=stage, stage_entered_at=now)
    with transaction.atomic():
        _save(deal, {"company": company, "title": title.strip(), "amount_minor": amount_minor,
                     "currency": currency.upper(), "owner": owner or actor, **fields}, actor=actor)
        StageChange.objects.create(deal=deal, from_stage=None, to_stage=stage, changed_at=now, changed_by=actor)
    return deal


def deal_update(*, actor, deal: Deal, **fields) -> Deal:
    """Change a deal's details. The stage moves only through `deal_move_stage`."""
    ensure_can_edit(actor, deal)
    if "stage" in fields or "stage_id" in fields:
        raise ValueError("use deal_move_stage to change a deal's stage")
    _ensure_owner_change_allowed(actor, deal, fields)
    with transaction.atomic():
        _save(deal, fields, actor=actor)
    return deal


def missing_criteria(deal: Deal) -> list[ExitCriterion]:
    checked = set(deal.checks.values_list("criterion_id", flat=True))
    return [c for c in deal.stage.exit_criteria.all() if c.pk not in checked]


def deal_check_criterion(*, actor, deal: Deal, criterion: ExitCriterion, checked: bool = True) -> None:
    ensure_can_edit(actor, deal)
    if criterion.stage_id != deal.stage_id:
        raise ValidationError(f"{criterion.name!r} is an exit criterion of {criterion.stage}, not of {deal.stage}.")
    with transaction.atomic():
        if checked:
            CriterionCheck.objects.get_or_create(deal=deal, criterion=criterion, defaults={"checked_by": actor})
        else:
            CriterionCheck.objects.filter(deal=deal, criterion=criterion).delete()
        Deal.objects.filter(pk=deal.pk).update(updated_at=timezone.now())


def deal_move_stage(*, actor, deal: Deal, stage: Stage, override_reason: str | None = None,
                    lost_reason: str = "", expected_version: int | None = None,
                    at: datetime | None = None) -> Deal:
    """Move a deal to another stage of its pipeline.

    Moving forward out of a stage needs that stage's exit criteria checked, or an
    override reason (kept on the history row). Moving back is always allowed:
    stages only guard the way forward, and losing a deal is always allowed,
    with a lost reason.
    """
    ensure_can_edit(actor, deal)
    override_reason = (override_reason or "").strip()
    with transaction.atomic():
        current = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
        if expected_version is not None and current.version != expected_version:
            raise StaleDeal(f"{current.title} was moved to {current.stage} by someone else; "
                            "reload to see where it is now.")
        if stage.pipeline_id != current.pipeline_id:
            raise ValidationError(f"{stage} is not a stage of the {current.pipeline} pipeline.")
        if stage.pk == current.stage_id:
            return current
        forward = stage.order > current.stage.order
        guarded = forward and current.stage.kind == StageKind.OPEN and stage.kind != StageKind.LOST
        if guarded and not override_reason:
            missing = missing_criteria(current)
            if missing:
                raise ExitCriteriaMissing(missing)
        lost_reason = (lost_reason or current.lost_reason or "").strip()
        if stage.kind == StageKind.LOST and not lost_reason:
            raise ValidationError({"lost_reason": "Say why the deal was lost; the reason feeds the win/loss review."})
        now = at or timezone.now()
        StageChange.objects.create(
            deal=current, from_stage=current.stage, to_stage=stage, changed_at=now, changed_by=actor,
            seconds_in_from=max(0, int((now - current.stage_entered_at).total_seconds())),
            override_reason=override_reason if guarded else "",
        )
        current.stage = stage
        current.stage_entered_at = now
        current.version = F("version") + 1
        current.closed_at = now if stage.kind != StageKind.OPEN else None
        current.lost_reason = lost_reason if stage.kind == StageKind.LOST else current.lost_reason
        current.save(update_fields=["stage", "stage_entered_at", "version", "closed_at", "lost_reason", "updated_at"])
        current.refresh_from_db()
    deal.__dict__.update(current.__dict__)
    return deal


def touch_log(*, actor, kind: str, summary: str, person: Person | None = None, company: Company | None = None,
              deal: Deal | None = None, direction: str = Direction.OUT, happened_at: datetime | None = None,
              outcome: str = "", source: str = Source.MANUAL, coach_override: str = "") -> Touch:
    """Put a touch on the timeline and keep the seven-touch counters of its person and company."""
    if kind not in TouchKind.values:
        raise ValidationError({"kind": f"{kind!r} is not a kind of touch ({', '.join(TouchKind.values)})."})
    if person is None and company is None and deal is None:
        raise ValidationError("A touch belongs to a person, a company or a deal; none was given.")
    if company is None:
        company = person.company if person and person.company_id else (deal.company if deal else None)
    happened_at = happened_at or timezone.now()
    touch = Touch(kind=kind, direction=direction, happened_at=happened_at, person=person, company=company, deal=deal,
                  by=actor, summary=summary.strip(), outcome=outcome.strip(), source=source,
                  coach_override=coach_override)
    # The "touch has a record" constraint was checked above; validating it again costs a query per touch.
    touch.full_clean(exclude=["person", "company", "deal", "by"], validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        touch.save()
        for model, record in ((Person, person), (Company, company)):
            if record is not None:
                _count_touch(model, record.pk, happened_at)
    return touch


def _count_touch(model, pk: int, happened_at: datetime) -> None:
    # One statement per record: a touch logged after the fact must not move last_touch_at backwards.
    later = Q(last_touch_at__isnull=True) | Q(last_touch_at__lt=happened_at)
    model.objects.filter(pk=pk).update(
        touch_count=F("touch_count") + 1,
        last_touch_at=Case(When(later, then=Value(happened_at)), default=F("last_touch_at")),
    )


def touch_counts_rebuild() -> None:
    """Recompute every counter from the touches (after a bulk load or a restore)."""
    with transaction.atomic():
        for model, field in ((Person, "person"), (Company, "company")):
            model.objects.update(touch_count=0, last_touch_at=None)
            rows = Touch.objects.filter(**{f"{field}__isnull": False}).values(field)
            for row in rows.annotate(n=Count("id"),
                                     last=Max("happened_at")).iterator(chunk_size=5000):
                model.objects.filter(pk=row[field]).update(touch_count=row["n"], last_touch_at=row["last"])


def touch_rollups_rebuild() -> None:
    """Recount the reports' rollups (TouchDay, FirstReply) from the touches.

    The database's triggers keep them right on every write; this is for a
    rollup suspected wrong, e.g. after rows were loaded with the triggers off.
    """
    from . import rollup

    with transaction.atomic():
        rollup.rebuild(connection)


def task_create(*, actor, title: str, due: date | None = None, owner=None, person: Person | None = None,
                company: Company | None = None, deal: Deal | None = None, source: str = Source.MANUAL) -> Task:
    task = Task(title=title.strip(), due=due, owner=owner or actor, person=person, company=company, deal=deal,
                source=source)
    task.full_clean()
    task.save()
    return task


def task_set_done(*, actor, task: Task, done: bool = True) -> Task:
    if not (actor.is_manager or task.owner_id == actor.pk):
        raise PermissionDenied(f"This task belongs to {task.owner}; only they or a manager can tick it off.")
    task.done = done
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done", "done_at", "updated_at"])
    return task


def ensure_can_assign(*, actor, owner) -> None:
    """Sellers keep the records they make and cannot give one away; managers and admins assign freely.

    The record forms get this by hiding the owner field from sellers; the API,
    which takes an owner in its bodies, calls this before creating or updating.
    """
    if actor.is_manager or owner == actor:
        return
    raise PermissionDenied("Only a manager can give a record to someone else; leave the owner out "
                           "and it stays yours.")


class CoachBlocked(ValidationError):
    """The coach found an error in the email and the seller gave no reason to send it anyway."""

    def __init__(self, errors: list):
        self.findings = errors
        rules = ", ".join(dict.fromkeys(f.rule for f in errors))
        super().__init__(f"The coach found {len(errors)} error{'s' if len(errors) != 1 else ''} ({rules}): "
                         "fix them, or give a reason to send anyway.", code="coach_blocked")


def email_log(*, actor, person: Person, subject: str, body: str, email_kind: str = "first_touch",
              coach_override: str = "", deal: Deal | None = None, source: str = Source.MANUAL) -> Touch:
    """Log an email the seller sent themselves as an outbound email touch, after the coach reads it.

    An error-severity finding refuses the log unless `coach_override` says why the
    seller sends anyway; the touch keeps that reason. The composer calls this one
    function, so sending through the seller's own mailbox can replace it later.
    """
    from touchbase.coach import KINDS, review  # a plain library, not an app: crm still imports no other app

    if email_kind not in KINDS:
        raise ValidationError({"email_kind": f"{email_kind!r} is not a kind of email ({', '.join(KINDS)})."})
    if not person.email:
        raise ValidationError({"person": f"{person.name} has no email address; add one on their page first."})
    # Browsers post CRLF; the coach counts a newline as one character, like the panel that judged it.
    subject = subject.replace("\r\n", "\n").replace("\r", "\n")
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.strip():
        raise ValidationError({"body": "The email is empty; write it first."})
    found = review(body, subject, email_kind, first_name=person.first_name)
    errors = [f for f in found.findings if f.severity == "error"]
    reason = coach_override.strip()
    if errors and not reason:
        raise CoachBlocked(errors)
    summary = f"Subject: {subject.strip()}\n\n{body.strip()}" if subject.strip() else body.strip()
    return touch_log(actor=actor, kind=TouchKind.EMAIL, direction=Direction.OUT, person=person, deal=deal,
                     summary=summary, source=source, coach_override=reason if errors else "")
