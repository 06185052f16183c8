"""Inbound leads: taking a lead from a form or the API, routing it to an owner, and its response clock.

`inbound_submit` is the public door (rate limit, honeypot, size limits, then `inbound_receive`);
the API calls `inbound_receive` directly. Receiving creates or updates the person and company
with the import's rules (lower-cased, valid email; E.164 phone; free-mail domains never make a
company; dedupe on email and domain, filling only empty fields), scores the company, logs an
inbound touch and starts the clock. `inbound_check_breaches` is what a cron or worker runs.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from statistics import median
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from touchbase.accounts.models import Role, User, zone_of
from touchbase.core.calendar import Calendar, WorkingHours, add_working_time, working_time_between
from touchbase.crm.models import Company, Direction, Person, Source, Task, Touch, TouchKind
from touchbase.crm.services import touch_log

from . import normalize, routing
from .models import Away, CompanyFit, Holiday, InboundForm, InboundLead, InboundRate, RoutingRule, Tier
from .services import companies_rescore

# The response clock runs in these hours of the owner's zone, holidays off (the inbound page says so).
RESPONSE_HOURS = WorkingHours(opens=time(9), closes=time(17))
# A lead counts as about to breach once a quarter of its target (in working time) or less is left.
ABOUT_TO_BREACH = 0.25
TODAY_LOOKS_BACK = timedelta(days=7)
MAX_BODY_BYTES = 16 * 1024
MAX_FIELDS = 30
RATE_LIMIT = 10
RATE_WINDOW = timedelta(minutes=1)
# Bots fill every field; people never see this one (the form hides it).
HONEYPOT = "nickname"
FIELD_LIMITS = {
    "email": 254, "first_name": 100, "last_name": 100, "name": 200, "phone": 40, "title": 150,
    "company": 200, "website": 253, "country": 60, "employees": 20, "message": 5000,
}
FIELDS = tuple(FIELD_LIMITS)


class Refused(Exception):
    """A submission turned away before anything was written: an HTTP status, a code and a message."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


@dataclass(frozen=True)
class Submission:
    """A lead's fields, cleaned."""

    email: str
    first_name: str
    last_name: str = ""
    phone: str = ""
    title: str = ""
    company: str = ""
    domain: str = ""
    country: str = ""
    employee_count: int | None = None
    message: str = ""


@dataclass
class Received:
    lead: InboundLead
    person_created: bool
    company_created: bool
    new_clock: bool


def submission_clean(data: Mapping[str, object]) -> Submission:
    """The fields of a form post or a JSON object, validated; ValidationError names the first bad field."""
    if len(data) > MAX_FIELDS:
        raise ValidationError({"__all__": f"Too many fields ({len(data)}); a lead has at most {MAX_FIELDS}."})
    values: dict[str, str] = {}
    for name in FIELDS:
        value = data.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValidationError({name: "Send text here."})
        value = str(value).strip()
        if len(value) > FIELD_LIMITS[name]:
            raise ValidationError({name: f"At most {FIELD_LIMITS[name]:,} characters; this has {len(value):,}."})
        values[name] = value
    raw_email = values.get("email", "")
    if not raw_email:
        raise ValidationError({"email": "An email address is needed to answer you."})
    email = normalize.email(raw_email)
    if not email:
        raise ValidationError({"email": f"{raw_email!r} is not an email address."})
    first, last = normalize.name(values.get("first_name", "")), normalize.name(values.get("last_name", ""))
    if not first and values.get("name"):
        first, last = normalize.split_full_name(values["name"])
    if not first:
        first = email.partition("@")[0][:100]
    country = ""
    if values.get("country"):
        country = normalize.country(values["country"])
        if not country:
            raise ValidationError({"country": f"{values['country']!r} is not a country we know; "
                                              "use a two-letter code such as DE."})
    employees = None
    if values.get("employees"):
        employees = normalize.employee_count(values["employees"])
        if employees is None:
            raise ValidationError({"employees": f"{values['employees']!r} is not a number of employees."})
    domain = normalize.domain(values.get("website", "")) or normalize.email_domain(email)
    if domain in normalize.FREE_MAIL:
        domain = ""
    return Submission(email=email, first_name=first[:100], last_name=last[:100],
                      phone=normalize.phone(values.get("phone", ""), country), title=values.get("title", ""),
                      company=normalize.name(values.get("company", "")), domain=domain, country=country,
                      employee_count=employees, message=values.get("message", ""))


def rate_limit_hit(*, form: InboundForm, ip: str, now: datetime) -> None:
    """Count one submission from `ip`; Refused (429) past RATE_LIMIT in the current minute.

    Counted in its own small write before anything else, so a refused or bad submission still counts.
    """
    window = now.replace(second=0, microsecond=0)
    ip = (ip or "unknown")[:45]
    for _ in range(2):
        updated = InboundRate.objects.filter(form=form, ip=ip, window_start=window).update(count=F("count") + 1)
        if updated:
            break
        try:
            with transaction.atomic():
                InboundRate.objects.create(form=form, ip=ip, window_start=window, count=1)
            break
        except IntegrityError:
            continue  # another process made the row first: count on it
    count = InboundRate.objects.filter(form=form, ip=ip, window_start=window).values_list("count", flat=True).first()
    if count and count > RATE_LIMIT:
        raise Refused(429, "throttled", f"Too many submissions from your address: at most {RATE_LIMIT} a minute. "
                                        "Wait a minute and send again.")


def inbound_submit(*, form: InboundForm | None, data: Mapping[str, object], ip: str, now: datetime | None = None
                   ) -> Received:
    """The public form endpoint's use case: the abuse checks, then `inbound_receive`."""
    now = now or timezone.now()
    if form is None or not form.enabled:
        raise Refused(404, "not_found", "There is no form at this address, or it no longer takes leads.")
    rate_limit_hit(form=form, ip=ip, now=now)
    if str(data.get(HONEYPOT) or "").strip():
        raise Refused(400, "spam", f"The hidden field {HONEYPOT!r} was filled in, as only a program does; "
                                   "the submission was not saved.", HONEYPOT)
    try:
        return inbound_receive(form=form, submission=submission_clean(data), now=now)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else ("__all__", exc.messages)
        raise Refused(422, "invalid", " ".join(messages), None if field == "__all__" else field) from None


def inbound_api_receive(*, actor, form: InboundForm, data: Mapping[str, object], now: datetime | None = None
                        ) -> Received:
    """The API's use case: a logged-in user or a token hands a lead in through a form's routing."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Log in to hand in a lead.")
    if not form.enabled:
        raise ValidationError({"form": f"The form {form.name!r} is disabled; enable it to take leads."})
    return inbound_receive(form=form, submission=submission_clean(data), now=now, source=Source.API)


def _fill(record, values: dict) -> list[str]:
    """Set the fields that are empty on `record`; return their names."""
    changed = []
    for name, value in values.items():
        if value not in ("", None) and getattr(record, name) in ("", None):
            setattr(record, name, value)
            changed.append(name)
    return changed


def _company_for(submission: Submission) -> tuple[Company | None, bool]:
    company = None
    if submission.domain:
        company = Company.objects.filter(domain=submission.domain).order_by("pk").first()
    elif submission.company:
        company = Company.objects.filter(name__iexact=submission.company).order_by("pk").first()
    if company is None and not (submission.domain or submission.company):
        return None, False
    values = {"industry": "", "employee_count": submission.employee_count, "country": submission.country}
    if company is None:
        company = Company(name=(submission.company or submission.domain)[:200], domain=submission.domain,
                          source=Source.INBOUND)
        _fill(company, values)
        company.full_clean()
        company.save()
        return company, True
    if _fill(company, {**values, "domain": submission.domain}):
        company.full_clean()
        company.save()
    return company, False


def _person_for(submission: Submission, company: Company | None) -> tuple[Person, bool]:
    person = Person.objects.filter(email=submission.email).order_by("pk").first()
    values = {"last_name": submission.last_name, "phone": submission.phone, "title": submission.title,
              "company": company}
    if person is None:
        person = Person(email=submission.email, first_name=submission.first_name, source=Source.INBOUND)
        _fill(person, values)
        person.full_clean()
        person.save()
        return person, True
    if _fill(person, values):
        person.full_clean()
        person.save()
    return person, False


def sellers_of(form: InboundForm) -> list[int]:
    """The ids of who takes turns on this form, in a stable order."""
    chosen = list(form.sellers.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    if chosen:
        return chosen
    return list(User.objects.filter(is_active=True, role=Role.SELLER).order_by("pk").values_list("pk", flat=True))


def away_until() -> dict[int, date]:
    return dict(Away.objects.values_list("user_id", "until"))


def calendar_for(user: User | None, holidays: frozenset[date] | None = None) -> Calendar:
    """The owner's working calendar: RESPONSE_HOURS in their time zone (zone_of's fallback), the team's holidays off."""
    if holidays is None:
        holidays = frozenset(Holiday.objects.values_list("day", flat=True))
    return response_calendar(zone_of(user=user), holidays)


def response_calendar(tz: ZoneInfo, holidays: frozenset[date] = frozenset()) -> Calendar:
    """The response clock's hours in zone `tz`, with `holidays` off."""
    return replace(RESPONSE_HOURS, holidays=holidays).in_zone(tz)


def _route(form: InboundForm, person: Person, facts: routing.Facts, today: date) -> routing.Choice:
    sellers = sellers_of(form)
    rules = [routing.Rule(owner_id=r.owner_id, country=r.country, tier=r.tier, min_employees=r.min_employees,
                          max_employees=r.max_employees)
             for r in RoutingRule.objects.filter(form=form, owner__is_active=True)]
    # By id, not time: two leads in the same instant must still go to two sellers.
    last = dict(InboundLead.objects.filter(owner_id__in=sellers).values("owner_id")
                .annotate(last=Max("pk")).values_list("owner_id", "last"))
    # A seller who left (deactivated) keeps their records but takes no new leads, not even their own people's.
    current = person.owner_id if person.owner_id and User.objects.filter(pk=person.owner_id, is_active=True).exists() \
        else None
    choice = routing.choose_owner(facts=facts, sellers=sellers, rules=rules, away_until=away_until(), today=today,
                                  last_assigned=last, current_owner=current)
    if choice.owner_id is None:
        # Everyone is away: the lead still needs a human, and a manager is the one to hand it on.
        manager = User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.ADMIN]).order_by("pk").first()
        if manager is not None:
            return routing.Choice(manager.pk, "every seller is away: to a manager")
    return choice


def _open_lead(person: Person) -> InboundLead | None:
    """The person's lead whose clock still runs (no outbound touch since it came in), if any."""
    for lead in InboundLead.objects.filter(person=person, first_response_at__isnull=True).order_by("-received_at")[:1]:
        if not Touch.objects.filter(person=person, direction=Direction.OUT, happened_at__gte=lead.received_at).exists():
            return lead
    return None


def inbound_receive(*, form: InboundForm, submission: Submission, now: datetime | None = None,
                    source: str = Source.INBOUND) -> Received:
    """Create or update the person and company, score, route, log the inbound touch, start the clock.

    A person who writes again while their clock still runs gets the touch but no second clock.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # One lead routed at a time per form, so two at once do not both go to the same seller.
        form = InboundForm.objects.select_for_update().get(pk=form.pk)
        company, company_created = _company_for(submission)
        person, person_created = _person_for(submission, company)
        tier = Tier.C
        if company is not None:
            companies_rescore(company_ids=[company.pk])
            tier = CompanyFit.objects.filter(company=company).values_list("tier", flat=True).first() or Tier.C
        lead = _open_lead(person)
        new_clock = lead is None
        if new_clock:
            facts = routing.Facts(country=submission.country or (company.country if company else ""), tier=tier,
                                  employee_count=company.employee_count if company else submission.employee_count)
            choice = _route(form, person, facts, timezone.localdate(now))
            owner = User.objects.filter(pk=choice.owner_id).first() if choice.owner_id else None
            gone = set(User.objects.filter(is_active=False, pk__in=[person.owner_id, company and company.owner_id])
                       .values_list("pk", flat=True))
            for record in (person, company):
                if record is not None and (record.owner_id is None or record.owner_id in gone) and owner is not None:
                    type(record).objects.filter(pk=record.pk).update(owner=owner)
                    record.owner = owner
            hours = form.target_hours(tier)
            lead = InboundLead.objects.create(
                form=form, person=person, company=company, owner=owner, routed_by=choice.reason[:120], tier=tier,
                target_hours=hours, received_at=now,
                due_at=add_working_time(now, timedelta(hours=hours), calendar_for(owner)),
                message=submission.message, source=source)
        summary = f"Came in through the form {form.name!r}."
        if submission.message:
            summary += f"\n\n{submission.message}"
        touch_log(actor=None, kind=TouchKind.OTHER, direction=Direction.IN, person=person, company=company,
                  happened_at=now, summary=summary, source=source)
    return Received(lead=lead, person_created=person_created, company_created=company_created, new_clock=new_clock)


# -- the clock ---------------------------------------------------------------


class State:
    RUNNING = "running"
    ABOUT_TO_BREACH = "about_to_breach"
    BREACHED = "breached"
    ANSWERED = "answered"
    ANSWERED_LATE = "answered_late"


STATE_LABELS = {State.RUNNING: "On the clock", State.ABOUT_TO_BREACH: "About to breach",
                State.BREACHED: "Breached", State.ANSWERED: "Answered in time", State.ANSWERED_LATE: "Answered late"}


@dataclass(frozen=True)
class Clock:
    state: str
    target: timedelta
    used: timedelta  # working time from arrival to the answer (or to now)
    left: timedelta  # working time still left before the target; zero once due

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def used_text(self) -> str:
        return duration_text(self.used)

    @property
    def left_text(self) -> str:
        return duration_text(self.left)

    @property
    def is_open(self) -> bool:
        return self.state in (State.RUNNING, State.ABOUT_TO_BREACH, State.BREACHED)


def duration_text(value: timedelta | None) -> str:
    """Working time as a seller reads it: "45 min", "3 h 05 min", "2 d 1 h" (a day is 8 working hours)."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 8:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 8)
    return f"{days} d {hours} h"


def clock_of(*, received_at: datetime, due_at: datetime, target_hours: int, responded_at: datetime | None,
             now: datetime, calendar: Calendar) -> Clock:
    """Where a lead's clock stands at `now` in its owner's working time."""
    target = timedelta(hours=target_hours)
    if responded_at is not None:
        used = working_time_between(received_at, responded_at, calendar)
        return Clock(State.ANSWERED if responded_at <= due_at else State.ANSWERED_LATE, target, used, timedelta(0))
    used = working_time_between(received_at, now, calendar)
    if now >= due_at:
        return Clock(State.BREACHED, target, used, timedelta(0))
    left = working_time_between(now, due_at, calendar)
    return Clock(State.ABOUT_TO_BREACH if left <= target * ABOUT_TO_BREACH else State.RUNNING, target, used, left)


def with_responses(leads):
    """Leads annotated with `responded_at`: the first outbound touch to the person since the lead came in."""
    first_out = (Touch.objects.filter(person=OuterRef("person"), direction=Direction.OUT,
                                      happened_at__gte=OuterRef("received_at"))
                 .order_by("happened_at").values("happened_at")[:1])
    return leads.annotate(responded_at=Subquery(first_out))


def clocks(leads, *, now: datetime) -> list[tuple[InboundLead, Clock]]:
    """Each lead (annotated by `with_responses`) with its clock, each owner's calendar read once."""
    holidays = frozenset(Holiday.objects.values_list("day", flat=True))
    calendars: dict[int | None, Calendar] = {}
    rows = []
    for lead in leads:
        if lead.owner_id not in calendars:
            calendars[lead.owner_id] = calendar_for(lead.owner, holidays)
        rows.append((lead, clock_of(received_at=lead.received_at, due_at=lead.due_at, target_hours=lead.target_hours,
                                    responded_at=lead.responded_at, now=now, calendar=calendars[lead.owner_id])))
    return rows


def leads_about_to_breach(*, owner: User, now: datetime) -> list[tuple[InboundLead, Clock]]:
    """The owner's unanswered inbound leads that are about to breach or already have: Today's list."""
    # Leads breached more than a week ago stay on the inbound page; Today is for what can still be saved.
    leads = with_responses(InboundLead.objects.filter(owner=owner, first_response_at__isnull=True,
                                                      due_at__gte=now - TODAY_LOOKS_BACK)
                           .select_related("person", "company", "owner").order_by("due_at")[:200])
    return [(lead, clock) for lead, clock in clocks(leads, now=now)
            if clock.state in (State.ABOUT_TO_BREACH, State.BREACHED)][:25]


@dataclass
class Checked:
    escalated: int
    answered: int


def _managers() -> list[User]:
    managers = list(User.objects.filter(is_active=True, role=Role.MANAGER).order_by("pk"))
    return managers or list(User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk"))


def inbound_check_breaches(*, now: datetime | None = None) -> Checked:
    """Settle every clock that has come due: note the answer, or escalate the breach to the managers.

    A breach gets one task per manager (admins when there is no manager), once: the lead is marked
    escalated in the same conditional write that claims it, so running this twice, or in two
    workers at once, escalates nothing twice.
    """
    now = now or timezone.now()
    result = Checked(0, 0)
    due = with_responses(InboundLead.objects.filter(first_response_at__isnull=True, escalated_at__isnull=True,
                                                    due_at__lte=now)
                         .select_related("person", "owner")).order_by("due_at")
    managers = _managers()
    # In batches that each settle their leads out of `due`, so no read cursor stays open across the writes.
    while batch := list(due[:500]):
        for lead in batch:
            _settle(lead, now, result, managers)
    InboundRate.objects.filter(window_start__lt=now - timedelta(hours=1)).delete()
    return result


def _settle(lead: InboundLead, now: datetime, result: Checked, managers: list[User]) -> None:
    if lead.responded_at is not None:
        InboundLead.objects.filter(pk=lead.pk).update(first_response_at=lead.responded_at)
        result.answered += 1
        return
    with transaction.atomic():
        claimed = InboundLead.objects.filter(pk=lead.pk, escalated_at__isnull=True).update(escalated_at=now)
        if not claimed:
            return  # another worker escalated it a moment ago
        hours = f"{lead.target_hours} working hour{'s' if lead.target_hours != 1 else ''}"
        owner = str(lead.owner) if lead.owner else "nobody"
        title = f"Inbound lead {lead.person.name} not answered within {hours} (tier {lead.tier}, {owner})"
        for manager in managers:
            Task.objects.create(title=title[:200], due=timezone.localdate(now), owner=manager,
                                person=lead.person, company_id=lead.company_id, source=Source.SYSTEM)
        result.escalated += 1


# -- the report --------------------------------------------------------------


@dataclass
class SellerTimes:
    owner: User | None
    leads: int
    answered: int
    breaches: int
    median: timedelta | None
    p90: timedelta | None

    @property
    def median_text(self) -> str:
        return duration_text(self.median)

    @property
    def p90_text(self) -> str:
        return duration_text(self.p90)


def _nearest_rank(values: list[timedelta], share: float) -> timedelta:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def response_report(*, since: datetime, now: datetime) -> list[SellerTimes]:
    """Per owner, leads received since `since`: how many, answered, breaches, median and p90 response time.

    Times are working time; a breach is an answer after the target or no answer past it.
    """
    leads = with_responses(InboundLead.objects.filter(received_at__gte=since).select_related("owner"))
    by_owner: dict[int | None, list[tuple[InboundLead, Clock]]] = {}
    for lead, clock in clocks(leads, now=now):
        by_owner.setdefault(lead.owner_id, []).append((lead, clock))
    rows = []
    for items in by_owner.values():
        times = [clock.used for _lead, clock in items if not clock.is_open]
        rows.append(SellerTimes(
            owner=items[0][0].owner, leads=len(items), answered=len(times),
            breaches=sum(1 for _lead, clock in items if clock.state in (State.BREACHED, State.ANSWERED_LATE)),
            median=timedelta(seconds=median(t.total_seconds() for t in times)) if times else None,
            p90=_nearest_rank(times, 0.9) if times else None))
    return sorted(rows, key=lambda r: (r.owner is None, str(r.owner or "")))


# -- setting up: forms, rules, away dates, holidays (managers) ---------------


def _ensure_manager(actor) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_manager:
        raise PermissionDenied("Only a manager or an admin sets up inbound forms and routing.")


def inbound_form_create(*, actor, name: str) -> InboundForm:
    _ensure_manager(actor)
    form = InboundForm(name=name.strip(), created_by=actor)
    form.full_clean()
    form.save()
    return form


def inbound_form_update(*, actor, form: InboundForm, sellers: list[User] | None = None, **fields) -> InboundForm:
    """Change a form's name, enabled, targets, redirect URL or the sellers who take turns."""
    _ensure_manager(actor)
    allowed = {"name", "enabled", "target_a_hours", "target_b_hours", "target_c_hours", "redirect_url"}
    if set(fields) - allowed:
        raise ValueError(f"cannot change {', '.join(sorted(set(fields) - allowed))} of a form")
    with transaction.atomic():
        for name, value in fields.items():
            setattr(form, name, value)
        form.full_clean()
        form.save()
        if sellers is not None:
            form.sellers.set(sellers)
    return form


def routing_rule_add(*, actor, form: InboundForm, owner: User, country: str = "", tier: str = "",
                     min_employees: int | None = None, max_employees: int | None = None) -> RoutingRule:
    _ensure_manager(actor)
    if min_employees is not None and max_employees is not None and min_employees > max_employees:
        raise ValidationError({"min_employees": f"From {min_employees:,} is above to {max_employees:,}."})
    last = form.rules.aggregate(n=Max("order"))["n"]
    rule = RoutingRule(form=form, owner=owner, country=country.strip().upper(), tier=tier,
                       min_employees=min_employees, max_employees=max_employees,
                       order=0 if last is None else last + 1)
    rule.full_clean()
    rule.save()
    return rule


def routing_rule_delete(*, actor, rule: RoutingRule) -> None:
    _ensure_manager(actor)
    rule.delete()


def away_set(*, actor, user: User, until: date | None) -> None:
    """Mark a seller away through `until`, or back (None). A seller may set their own; a manager anyone's."""
    if actor is None or not actor.is_authenticated or not (actor.is_manager or actor.pk == user.pk):
        raise PermissionDenied("Only a manager, or the seller themselves, says when a seller is away.")
    if until is None:
        Away.objects.filter(user=user).delete()
    else:
        Away.objects.update_or_create(user=user, defaults={"until": until})


def holiday_add(*, actor, day: date, name: str = "") -> Holiday:
    _ensure_manager(actor)
    holiday, _ = Holiday.objects.update_or_create(day=day, defaults={"name": name.strip()[:100]})
    return holiday


def holiday_delete(*, actor, holiday: Holiday) -> None:
    _ensure_manager(actor)
    holiday.delete()


def inbound_list(*, owner: str = "", state: str = ""):
    """Inbound leads, newest first, annotated for their clocks; `owner` is a user id, `state` open/answered."""
    leads = InboundLead.objects.select_related("person", "company", "owner", "form")
    if owner.isdigit():
        leads = leads.filter(owner_id=int(owner))
    leads = with_responses(leads)
    if state == "open":
        leads = leads.filter(Q(responded_at__isnull=True))
    elif state == "answered":
        leads = leads.filter(responded_at__isnull=False)
    return leads.order_by("-received_at", "-id")
