"""The CRM's big reads: the Today page, the board, the lists and the timelines.

Every function returns a bounded amount of rows with its related records
already joined, so a page runs the same handful of queries whether the
database holds fifty companies or a hundred thousand.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import apps
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import cached_property

from .models import (
    SEVEN_TOUCHES,
    Company,
    Deal,
    Person,
    Pipeline,
    Stage,
    StageChange,
    StageKind,
    Task,
    Touch,
)
from .money import format_amount

PAGE_SIZE = 25
TIMELINE_SIZE = 50
# Counting every row of a 300k-row table costs more than drawing the page; past
# this many matches the list says "10,000+" and asks for a narrower search.
COUNT_CAP = 10_000
QUIET_AFTER = timedelta(days=14)


class CappedPaginator(Paginator):
    """Django's Paginator whose count stops at COUNT_CAP rows (one cheap COUNT over a LIMIT)."""

    @cached_property
    def count(self) -> int:
        # Without the ORDER BY the database counts straight off an index instead of sorting first.
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def paginate(queryset: QuerySet, page: str | None, per_page: int = PAGE_SIZE):
    return CappedPaginator(queryset, per_page).get_page(page)


def prefix_range(prefix: str) -> tuple[str, str]:
    """The [low, high) string range holding every value that starts with `prefix`.

    A range comparison uses the name index on SQLite and PostgreSQL alike,
    where LIKE 'acm%' scans the table.
    """
    return prefix, prefix + "\U0010ffff"


def _case_variants(text: str) -> set[str]:
    return {text, text.lower(), text.capitalize(), text.title(), text.upper()}


def name_prefix_q(field: str, text: str) -> Q:
    """Rows whose `field` starts with `text` as typed, lower-case, Capitalised, Title Case or UPPER."""
    q = Q()
    for variant in _case_variants(text.strip()):
        low, high = prefix_range(variant)
        q |= Q(**{f"{field}__gte": low, f"{field}__lt": high})
    return q


# Sort keys a list accepts, in the seller's words, mapped to ORM orderings.
COMPANY_SORTS = {
    "name": ("name", "id"),
    "-touches": ("-touch_count", "name"),
    "last_touch": ("last_touch_at", "id"),
    "-last_touch": ("-last_touch_at", "id"),
    "-created": ("-created_at", "-id"),
}
PERSON_SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-touches": ("-touch_count", "last_name"),
    "last_touch": ("last_touch_at", "id"),
    "-last_touch": ("-last_touch_at", "id"),
    "-created": ("-created_at", "-id"),
}
DEAL_SORTS = {
    "-updated": ("-updated_at", "-id"),
    "-amount": ("-amount_minor", "-id"),
    "amount": ("amount_minor", "id"),
    "close": ("expected_close", "id"),
    "stage": ("stage__order", "-updated_at"),
    "title": ("title", "id"),
}


def _sorted(queryset: QuerySet, sorts: dict, sort: str | None, default: str) -> tuple[QuerySet, str]:
    key = sort if sort in sorts else default
    return queryset.order_by(*sorts[key]), key


def _owner_filter(queryset: QuerySet, owner: str | None, user) -> QuerySet:
    if owner == "me":
        return queryset.filter(owner=user)
    if owner == "none":
        return queryset.filter(owner__isnull=True)
    if owner and owner.isdigit():
        return queryset.filter(owner_id=int(owner))
    return queryset


def company_list(*, user, q: str = "", owner: str | None = None, industry: str = "",
                 sort: str | None = None) -> tuple[QuerySet, str]:
    companies = Company.objects.select_related("owner")
    if q.strip():
        companies = companies.filter(name_prefix_q("name", q))
    companies = _owner_filter(companies, owner, user)
    if industry:
        companies = companies.filter(industry=industry)
    return _sorted(companies, COMPANY_SORTS, sort, "name")


def person_list(*, user, q: str = "", owner: str | None = None, company: str | None = None,
                quiet: bool = False, sort: str | None = None) -> tuple[QuerySet, str]:
    people = Person.objects.select_related("owner", "company")
    if q.strip():
        text = q.strip()
        if "@" in text:
            people = people.filter(email__startswith=text.lower())
        else:
            people = people.filter(name_prefix_q("last_name", text) | name_prefix_q("first_name", text))
    people = _owner_filter(people, owner, user)
    if company and company.isdigit():
        people = people.filter(company_id=int(company))
    if quiet:
        people = people.filter(touch_count__lt=SEVEN_TOUCHES, last_touch_at__lt=timezone.now() - QUIET_AFTER)
    return _sorted(people, PERSON_SORTS, sort, "name")


def deal_list(*, user, q: str = "", owner: str | None = None, stage: str | None = None,
              status: str = "", sort: str | None = None) -> tuple[QuerySet, str]:
    deals = Deal.objects.select_related("owner", "company", "stage")
    if q.strip():
        deals = deals.filter(name_prefix_q("title", q))
    deals = _owner_filter(deals, owner, user)
    if stage and stage.isdigit():
        deals = deals.filter(stage_id=int(stage))
    if status in StageKind.values:
        deals = deals.filter(stage__kind=status)
    return _sorted(deals, DEAL_SORTS, sort, "-updated")


def industries() -> list[str]:
    """The industries companies are filed under, for the list filter (cached: a distinct over every company)."""
    return cache.get_or_set(
        "crm:industries",
        lambda: list(Company.objects.exclude(industry="").order_by("industry")
                     .values_list("industry", flat=True).distinct()[:200]),
        300,
    )


def open_tasks(*, user, today: date) -> list[Task]:
    """The user's tasks due today or overdue, oldest first."""
    return list(Task.objects.filter(owner=user, done=False, due__lte=today)
                .select_related("person", "company", "deal").order_by("due", "id")[:100])


def deals_without_next_step(*, user) -> list[Deal]:
    """The user's open deals with neither a next step written down nor an open task."""
    open_task = Task.objects.filter(deal=OuterRef("pk"), done=False)
    return list(Deal.objects.filter(owner=user, stage__kind=StageKind.OPEN, next_step="")
                .filter(~Exists(open_task))
                .select_related("company", "stage").order_by("stage_entered_at")[:50])


def people_gone_quiet(*, user, now: datetime) -> list[Person]:
    """People the user owns, touched fewer than seven times, whose last touch is over two weeks old."""
    return list(Person.objects.filter(owner=user, touch_count__lt=SEVEN_TOUCHES,
                                      last_touch_at__lt=now - QUIET_AFTER)
                .select_related("company").order_by("last_touch_at")[:25])


def inbound_about_to_breach(*, user, now: datetime) -> list:
    """The user's inbound leads about to miss (or past) their response target, with their clocks.

    Read from prospecting when that app is installed; imported here, not at the top, so crm
    still runs without it.
    """
    if not apps.is_installed("touchbase.prospecting"):
        return []
    from touchbase.prospecting.inbound import leads_about_to_breach

    return leads_about_to_breach(owner=user, now=now)


@dataclass
class Column:
    stage: Stage
    deals: list
    count: int
    totals: dict[str, int]  # minor units per currency: amounts in different currencies are never added

    @property
    def totals_text(self) -> str:
        """'€40k + $120k', by currency code (sizes in different currencies do not compare); '0' when empty."""
        return " + ".join(format_amount(minor, currency, short=True)
                          for currency, minor in sorted(self.totals.items())) or "0"


# A column shows its 30 latest deals and links to the full list; more cards are more scrolling, not more use.
BOARD_COLUMN_SIZE = 30


def board(*, pipeline: Pipeline) -> tuple[list[Column], list[Stage]]:
    """The open stages of a pipeline with their deals, and the closed stages (won/lost) as drop zones.

    A column shows its most recently moved deals; its count and totals (one per currency) cover them all.
    """
    stages = list(pipeline.stages.order_by("order"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    closed = [s for s in stages if s.kind != StageKind.OPEN]
    counts, totals = _column_figures(open_stages)
    deals_by_stage: dict[int, list[Deal]] = {s.pk: [] for s in open_stages}
    # One query for the whole board, not one per column: number each stage's deals and keep the first few.
    latest = (Deal.objects.filter(stage__in=open_stages).select_related("company", "owner")
              .annotate(rank=Window(RowNumber(), partition_by=[F("stage_id")],
                                    order_by=[F("stage_entered_at").desc(), F("id").desc()]))
              .filter(rank__lte=BOARD_COLUMN_SIZE).order_by("stage_id", "rank"))
    by_pk = {s.pk: s for s in open_stages}
    for deal in latest:
        deal.stage = by_pk[deal.stage_id]
        deals_by_stage[deal.stage_id].append(deal)
    columns = [Column(stage=s, deals=deals_by_stage[s.pk], count=counts.get(s.pk, 0), totals=totals.get(s.pk, {}))
               for s in open_stages]
    return columns, closed


def column_heads(*, stages: list[Stage]) -> list[Column]:
    """The count and per-currency totals of these open stages' columns, without their cards.

    The board's move answer carries them, so the columns a deal left and entered show fresh figures.
    """
    stages = [s for s in stages if s.kind == StageKind.OPEN]
    counts, totals = _column_figures(stages)
    return [Column(stage=s, deals=[], count=counts.get(s.pk, 0), totals=totals.get(s.pk, {})) for s in stages]


def _column_figures(stages: list[Stage]) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """Deals per stage and their amounts per stage and currency, in one grouped query."""
    counts: dict[int, int] = {}
    totals: dict[int, dict[str, int]] = {}
    if not stages:
        return counts, totals
    for row in (Deal.objects.filter(stage__in=stages).values("stage", "currency")
                .annotate(n=Count("id"), total=Sum("amount_minor")).order_by()):
        counts[row["stage"]] = counts.get(row["stage"], 0) + row["n"]
        if row["total"]:
            totals.setdefault(row["stage"], {})[row["currency"]] = row["total"]
    return counts, totals


def next_step(*, tasks: list[Task], deals: list[Deal] | None = None, fallback: str = "") -> str:
    """The earliest open task's title, else the first written next step of an open deal."""
    for task in tasks:
        if not task.done:
            return task.title
    if fallback:
        return fallback
    for deal in deals or []:
        if deal.next_step and deal.stage.kind == StageKind.OPEN:
            return deal.next_step
    return ""


def record_tasks(**link) -> list[Task]:
    """The open tasks of a record first (soonest due first), then the last few done."""
    base = Task.objects.filter(**link).select_related("owner")
    open_ = list(base.filter(done=False).order_by("due", "id")[:50])
    done = list(base.filter(done=True).order_by("-done_at", "-id")[:10])
    return open_ + done


def timeline(*, page: str | None = None, **link):
    """A record's touches, newest first, a page of TIMELINE_SIZE at a time."""
    touches = Touch.objects.filter(**link).select_related("by", "person").order_by("-happened_at", "-id")
    return paginate(touches, page, TIMELINE_SIZE)


def stage_history(deal: Deal) -> list[StageChange]:
    return list(StageChange.objects.filter(deal=deal).select_related("from_stage", "to_stage", "changed_by")
                .order_by("-changed_at", "-id"))
