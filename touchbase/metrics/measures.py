"""The measures: each a small function of a period and a scope, computed by aggregate queries.

A scope is one seller, the team (everyone whose role is seller, including
sellers who have since left) or the company (every record, whoever owns it).
Deals count for their owner, touches for the person who made them.

Definitions, in the seller's words:

- touches: outbound touches that reach someone (email, call, meeting, social,
  other); notes are the seller's own memos and do not count.
- new conversation: a person's first inbound touch ever, counted in the period
  it happened and for whoever logged it.
- meetings held: meetings (either direction) in the period that are in the past.
- people enrolled: people put into an outreach sequence (when outreach is installed).
- proposals sent: deals that entered their pipeline's proposal stage (an open
  stage whose name starts with "Proposal") for the first time in the period,
  for the deal's owner. The CRM's own record of it, the stage history, rather
  than an email or a document: a deal moved back and on again counts once, and
  a deal that skipped the stage sent no proposal the pipeline knows of.
- inbound response time: over the inbound leads that came in during the period
  (for their owner), the median working time to the first outbound touch of
  the leads answered, and the share answered within their tier's target of the
  leads settled (answered, or past due unanswered); leads whose clock still
  runs are in neither yet. The clock is prospecting's, in the owner's working hours.
- pipeline created: deals whose first stage row (from nothing) is in the period.
- won and lost: deals whose current stage is won (lost) and that closed in the
  period. A lost deal that was reopened is not lost any more; if it is won
  later it counts as won then.
- sales cycle: from a deal's first stage row to its close, over the deals won
  in the period; the history's seconds-in-stage add up to exactly that, moves
  back and reopenings included.
- conversion: of the deals that entered a stage in the period, the share that
  later moved forward out of it (to a later open stage or to won).
- time in stage: the average time deals spent in a stage, measured when they
  left it in the period.
- forecast: open deals expected to close in the period, each weighted by its
  stage's probability; commit is those whose current stage's exit criteria are
  all checked.
- slipped: open deals whose expected close date fell in the period and passed.
- went quiet: open deals whose two weeks without a touch ran out in the period.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.apps import apps
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from touchbase.accounts.models import Role, User
from touchbase.crm.models import (
    CriterionCheck,
    Deal,
    Direction,
    ExitCriterion,
    FirstReply,
    Stage,
    StageChange,
    StageKind,
    Touch,
    TouchDay,
    TouchKind,
)

from .money import Amounts
from .periods import Period

OUTREACH_KINDS = [TouchKind.EMAIL, TouchKind.CALL, TouchKind.MEETING, TouchKind.SOCIAL, TouchKind.OTHER]


@dataclass(frozen=True)
class Scope:
    kind: str  # "seller", "team" or "company"
    seller: object = None

    @classmethod
    def company(cls) -> "Scope":
        return cls("company")

    @classmethod
    def team(cls) -> "Scope":
        return cls("team")

    @classmethod
    def of(cls, seller) -> "Scope":
        return cls("seller", seller)

    @property
    def label(self) -> str:
        return {"company": "Company", "team": "Sales team"}.get(self.kind) or str(self.seller)

    def holds(self, user_id, team_ids) -> bool:
        """Whether rows grouped by person (`user_id`) belong to this scope; `team_ids` are the sellers' ids."""
        if self.kind == "seller":
            return user_id == self.seller.pk
        if self.kind == "team":
            return user_id in team_ids
        return True

    def people_q(self, field: str) -> Q:
        """Rows whose `field` (a user foreign key) is in this scope."""
        if self.kind == "seller":
            return Q(**{f"{field}": self.seller})
        if self.kind == "team":
            return Q(**{f"{field}__role": Role.SELLER})
        return Q()


def _in(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.start_at, f"{field}__lt": period.end_at})


def _touches(period: Period, scope: Scope) -> QuerySet:
    return Touch.objects.filter(_in(period, "happened_at"), scope.people_q("by"))


def _by_q(scope: Scope) -> Q:
    """Rollup rows (TouchDay, FirstReply: `by` is a plain user id) in this scope."""
    if scope.kind == "seller":
        return Q(by=scope.seller.pk)
    if scope.kind == "team":
        return Q(by__in=User.objects.filter(role=Role.SELLER).values("pk"))
    return Q()


@dataclass(frozen=True)
class Split:
    """A period cut into whole UTC days read from the rollup and the hours at its edges read from the touches.

    The rollup counts UTC days; a period's edges are local midnights in its own
    zone, so the hours between an edge and the nearest UTC midnight inside the
    period are counted from the touches, which keeps every figure exact in any
    zone. Days not over by `now` are read from the touches too, so "held" can
    compare a meeting with now.
    """

    days: tuple[date, date] | None  # [first, last) UTC days from the rollup
    edges: Q  # the touches outside those days

    @classmethod
    def of(cls, period: Period, now: datetime) -> "Split":
        start, end = period.start_at.astimezone(UTC), period.end_at.astimezone(UTC)
        first = datetime.combine(start.date(), clock(), tzinfo=UTC)
        if first < start:
            first += timedelta(days=1)
        until = min(end, now.astimezone(UTC))
        last = datetime.combine(until.date(), clock(), tzinfo=UTC)
        if last <= first:
            return cls(None, _in(period, "happened_at"))
        edges = (Q(happened_at__gte=period.start_at, happened_at__lt=first)
                 | Q(happened_at__gte=last, happened_at__lt=period.end_at))
        return cls((first.date(), last.date()), edges)


def _counts(period: Period, scope: Scope, now: datetime, *, per_seller: bool) -> dict:
    """Outbound touches by kind and meetings held, per seller id (None: nobody) or for the scope (key None).

    Whole UTC days come from the TouchDay rollup, the period's edges from the touches.
    """
    split = Split.of(period, now)
    totals: dict = {}

    def add(key, row):
        seat = totals.setdefault(key, {**{k.value: 0 for k in OUTREACH_KINDS}, "meetings": 0})
        for name in seat:
            seat[name] += row[name] or 0

    if split.days:
        sums = {kind.value: Sum("touches", filter=Q(direction=Direction.OUT, kind=kind)) for kind in OUTREACH_KINDS}
        sums["meetings"] = Sum("touches", filter=Q(kind=TouchKind.MEETING))
        rows = TouchDay.objects.filter(_by_q(scope), day__gte=split.days[0], day__lt=split.days[1]).order_by()
        for row in (rows.values("by").annotate(**sums) if per_seller else [rows.aggregate(**sums)]):
            add(row.get("by") or None, row)
    counts = {kind.value: Count("id", filter=Q(direction=Direction.OUT, kind=kind)) for kind in OUTREACH_KINDS}
    counts["meetings"] = Count("id", filter=Q(kind=TouchKind.MEETING, happened_at__lte=now))
    rows = Touch.objects.filter(split.edges, scope.people_q("by")).order_by()
    for row in (rows.annotate(seller=_seller()).values("seller").annotate(**counts) if per_seller
                else [rows.aggregate(**counts)]):
        add(row.get("seller"), row)
    return totals


# -- leading -----------------------------------------------------------------


@dataclass
class TouchFigures:
    by_kind: dict[str, int]  # outbound touches by kind, every kind present
    meetings: int  # meetings held (either direction, in the past)
    people: int | None  # distinct people touched; None when not asked for

    @property
    def touches(self) -> int:
        return sum(self.by_kind.values())


def touch_figures(period: Period, scope: Scope, *, now: datetime | None = None, people: bool = True) -> TouchFigures:
    """Touches by kind and meetings held (from the rollup), and people touched (from the touches).

    people=False skips the distinct count, the one figure read over the whole
    period's touches, for the trend chart's periods, which show only touches and meetings.
    """
    now = now or timezone.now()
    row = _counts(period, scope, now, per_seller=False).get(None) or {k.value: 0 for k in OUTREACH_KINDS}
    distinct = None
    if people:
        out = Q(direction=Direction.OUT, kind__in=OUTREACH_KINDS, person__isnull=False)
        distinct = _touches(period, scope).filter(out).order_by().aggregate(n=Count("person", distinct=True))["n"]
    return TouchFigures({kind.value: row[kind.value] for kind in OUTREACH_KINDS}, row.get("meetings", 0), distinct)


def touches_by_kind(period: Period, scope: Scope) -> dict[str, int]:
    return touch_figures(period, scope, people=False).by_kind


def touches(period: Period, scope: Scope) -> int:
    return touch_figures(period, scope, people=False).touches


def _first_replies(period: Period, scope: Scope) -> QuerySet:
    """People whose first inbound touch ever (FirstReply, kept by the database) fell in the period."""
    return FirstReply.objects.filter(_in(period, "happened_at"), _by_q(scope)).order_by()


def new_conversations(period: Period, scope: Scope) -> int:
    return _first_replies(period, scope).count()


def meetings_held(period: Period, scope: Scope, *, now: datetime | None = None) -> int:
    return touch_figures(period, scope, now=now, people=False).meetings


def people_touched(period: Period, scope: Scope) -> int:
    return touch_figures(period, scope).people


def a_tier_coverage(period: Period, scope: Scope) -> tuple[int, int] | None:
    """(A companies touched in the period, A companies), for the companies the scope owns.

    None when the prospecting app (which holds the tiers) is not installed.
    """
    if not apps.is_installed("touchbase.prospecting"):
        return None
    from touchbase.prospecting.models import CompanyFit, Tier

    touched = Touch.objects.filter(company=OuterRef("company"), direction=Direction.OUT,
                                   kind__in=OUTREACH_KINDS).filter(_in(period, "happened_at"))
    row = (CompanyFit.objects.filter(tier=Tier.A).filter(scope.people_q("company__owner"))
           .annotate(was_touched=Exists(touched))
           .aggregate(total=Count("company"), touched=Count("company", filter=Q(was_touched=True))))
    return row["touched"], row["total"]


def people_enrolled(period: Period, scope: Scope) -> int | None:
    """People put into an outreach sequence in the period, by the enrollment's owner.

    None when the outreach app is not installed.
    """
    if not apps.is_installed("touchbase.outreach"):
        return None
    from touchbase.outreach.models import Enrollment

    return (Enrollment.objects.filter(_in(period, "created_at")).filter(scope.people_q("owner"))
            .order_by().aggregate(n=Count("person", distinct=True))["n"])


PROPOSAL_STAGE = "proposal"  # an open stage whose name starts with this (any case) is where proposals go out


def proposal_stages() -> QuerySet:
    return Stage.objects.filter(kind=StageKind.OPEN, name__istartswith=PROPOSAL_STAGE)


def _proposal_entries(period: Period) -> QuerySet:
    """Each deal's first move into a proposal stage, when it falls in the period."""
    stages = proposal_stages()
    earlier = StageChange.objects.filter(deal=OuterRef("deal"), to_stage__in=stages).filter(
        Q(changed_at__lt=OuterRef("changed_at")) | Q(changed_at=OuterRef("changed_at"), id__lt=OuterRef("id")))
    return (StageChange.objects.filter(_in(period, "changed_at"), to_stage__in=stages)
            .filter(~Exists(earlier)).order_by())


def proposals_sent(period: Period, scope: Scope) -> int:
    return _proposal_entries(period).filter(scope.people_q("deal__owner")).count()


@dataclass
class ResponseTimes:
    leads: int  # inbound leads that came in during the period
    answered: int
    settled: int  # answered, or past due without an answer
    in_time: int  # answered within the target
    median: timedelta | None  # working time to the first answer, over the answered leads

    @property
    def share_in_time(self) -> Decimal | None:
        return Decimal(100 * self.in_time) / self.settled if self.settled else None


def inbound_response(period: Period, scope: Scope, *, now: datetime | None = None) -> ResponseTimes | None:
    """Response times of the period's inbound leads, by their owner; None without the prospecting app."""
    if not apps.is_installed("touchbase.prospecting"):
        return None
    from statistics import median

    from touchbase.prospecting.inbound import State, clocks, with_responses
    from touchbase.prospecting.models import InboundLead

    leads = with_responses(InboundLead.objects.filter(_in(period, "received_at"), scope.people_q("owner"))
                           .select_related("owner"))
    states = [clock for _lead, clock in clocks(leads, now=now or timezone.now())]
    answered = [c.used for c in states if c.state in (State.ANSWERED, State.ANSWERED_LATE)]
    return ResponseTimes(
        leads=len(states), answered=len(answered),
        settled=sum(1 for c in states if c.state in (State.ANSWERED, State.ANSWERED_LATE, State.BREACHED)),
        in_time=sum(1 for c in states if c.state == State.ANSWERED),
        median=timedelta(seconds=median(t.total_seconds() for t in answered)) if answered else None)


# -- lagging -----------------------------------------------------------------


@dataclass
class Tally:
    count: int
    value: Amounts
    counts: dict = None  # deals per currency
    cycle_seconds: int = 0  # for won deals: their stage history's seconds, and the deals that have one
    cycle_deals: int = 0

    def per_currency(self):
        return [(c, v, (self.counts or {}).get(c, 0)) for c, v in self.value.items()]


def pipeline_created(period: Period, scope: Scope) -> Tally:
    rows = (StageChange.objects.filter(from_stage__isnull=True).filter(_in(period, "changed_at"))
            .filter(scope.people_q("deal__owner")).order_by()
            .values("deal__currency").annotate(n=Count("deal", distinct=True), value=Sum("deal__amount_minor")))
    return _tally(rows, "deal__currency")


def _tally(rows, currency_field: str) -> Tally:
    value, count, counts, seconds, timed = Amounts(), 0, {}, 0, 0
    for row in rows:
        count += row["n"]
        value.add(row[currency_field], row["value"])
        counts[row[currency_field]] = counts.get(row[currency_field], 0) + row["n"]
        seconds += row.get("seconds") or 0
        timed += row.get("timed") or 0
    return Tally(count, value, counts, seconds, timed)


def _closed_in(period: Period) -> Q:
    """Deals closed in the period, found through the stage history's time index.

    A deal's closed_at is the moment of its move into the closed stage, so the
    deals closed in a period are among those with such a move in it; reading
    them off StageChange (indexed on changed_at) spares a scan of every deal.
    """
    moved = StageChange.objects.filter(_in(period, "changed_at"),
                                       to_stage__kind__in=[StageKind.WON, StageKind.LOST]).values("deal")
    return Q(pk__in=moved) & _in(period, "closed_at")


def _closed(period: Period, scope: Scope, kind: str) -> QuerySet:
    return Deal.objects.filter(_closed_in(period), stage__kind=kind).filter(scope.people_q("owner"))


def _closed_rows(period: Period, scope: Scope, *fields: str) -> list[dict]:
    """Deals won and lost in the period by kind, currency and `fields`: count, value, and the sales cycle.

    The won rows carry their deals' stage-history seconds and how many of them
    have a history, so the sales cycle needs no second pass over the closed deals.
    """
    # Grouped by deal, so a deal without history gives NULL (not 0) and is left out of `timed`.
    history = (StageChange.objects.filter(deal=OuterRef("pk")).order_by().values("deal")
               .annotate(s=Coalesce(Sum("seconds_in_from"), 0)).values("s"))
    won = Q(stage__kind=StageKind.WON)
    return list(Deal.objects.filter(_closed_in(period), stage__kind__in=[StageKind.WON, StageKind.LOST])
                .filter(scope.people_q("owner")).order_by()
                .annotate(cycle=Subquery(history, output_field=IntegerField()))
                .values("stage__kind", "currency", *fields)
                .annotate(n=Count("id"), value=Sum("amount_minor"), seconds=Sum("cycle", filter=won),
                          timed=Count("cycle", filter=won)))


def _split_closed(rows: list[dict]) -> dict[str, Tally]:
    return {kind: _tally([r for r in rows if r["stage__kind"] == kind], "currency")
            for kind in (StageKind.WON, StageKind.LOST)}


def closed(period: Period, scope: Scope) -> dict[str, Tally]:
    """Deals won and lost in the period ({"won": Tally, "lost": Tally}), in one query."""
    return _split_closed(_closed_rows(period, scope))


def won(period: Period, scope: Scope) -> Tally:
    return closed(period, scope)[StageKind.WON]


def lost(period: Period, scope: Scope) -> Tally:
    return closed(period, scope)[StageKind.LOST]


def rate_of(tallies: dict[str, Tally]) -> Decimal | None:
    """Won as a percent of the deals closed (won or lost); None when none closed."""
    total = tallies[StageKind.WON].count + tallies[StageKind.LOST].count
    return Decimal(100 * tallies[StageKind.WON].count) / total if total else None


def win_rate(period: Period, scope: Scope) -> Decimal | None:
    return rate_of(closed(period, scope))


def average_of(tally: Tally) -> Amounts:
    """Per currency: won value over won count in that currency."""
    return Amounts({c: round(v / n) for c, v, n in tally.per_currency() if n})


def average_deal_size(period: Period, scope: Scope) -> Amounts:
    return average_of(won(period, scope))


def cycle_of(won: Tally) -> Decimal | None:
    """The sales cycle in days from a won Tally read by `closed`; equal to `sales_cycle_days`."""
    return Decimal(won.cycle_seconds) / won.cycle_deals / 86400 if won.cycle_deals else None


def sales_cycle_days(period: Period, scope: Scope) -> Decimal | None:
    """Average days from a deal's first stage row to its win, over deals won in the period."""
    won_deals = _closed(period, scope, StageKind.WON)
    row = StageChange.objects.filter(deal__in=won_deals.values("id")).aggregate(
        seconds=Sum("seconds_in_from"), deals=Count("deal", distinct=True))
    if not row["deals"]:
        return None
    return Decimal(row["seconds"] or 0) / row["deals"] / 86400


@dataclass
class StageStep:
    stage: Stage
    entered: int
    advanced: int
    days_in_stage: Decimal | None  # average, over deals that left the stage in the period
    left: int

    @property
    def conversion(self) -> Decimal | None:
        return Decimal(100 * self.advanced) / self.entered if self.entered else None


def stage_flow(period: Period, scope: Scope, pipeline=None) -> list[StageStep]:
    """Each open stage of the pipeline, in order: entered, moved forward, conversion, time in stage."""
    from touchbase.crm.services import default_pipeline

    pipeline = pipeline or default_pipeline()
    stages = list(pipeline.stages.filter(kind=StageKind.OPEN).order_by("order"))
    moved_on = StageChange.objects.filter(
        deal=OuterRef("deal"), from_stage=OuterRef("to_stage"), changed_at__gte=OuterRef("changed_at"),
        to_stage__order__gt=OuterRef("to_stage__order"),
    ).exclude(to_stage__kind=StageKind.LOST)
    entered = {row["to_stage"]: row for row in (
        StageChange.objects.filter(to_stage__in=stages).filter(_in(period, "changed_at"))
        .filter(scope.people_q("deal__owner")).annotate(moved_on=Exists(moved_on)).order_by()
        .values("to_stage").annotate(entered=Count("deal", distinct=True),
                                     advanced=Count("deal", distinct=True, filter=Q(moved_on=True))))}
    left = {row["from_stage"]: row for row in (
        StageChange.objects.filter(from_stage__in=stages).filter(_in(period, "changed_at"))
        .filter(scope.people_q("deal__owner")).order_by()
        .values("from_stage").annotate(n=Count("id"), seconds=Sum("seconds_in_from")))}
    steps = []
    for stage in stages:
        e, out = entered.get(stage.pk, {}), left.get(stage.pk, {})
        days = Decimal(out["seconds"] or 0) / out["n"] / 86400 if out.get("n") else None
        steps.append(StageStep(stage, e.get("entered", 0), e.get("advanced", 0), days, out.get("n", 0)))
    return steps


# -- forecast ----------------------------------------------------------------


@dataclass
class Forecast:
    deals: int
    pipeline: Amounts  # open value expected to close in the period
    weighted: Amounts  # by stage probability
    commit: Amounts  # exit criteria of the current stage all checked
    commit_deals: int


def forecast_deals(period: Period, scope: Scope) -> QuerySet:
    """Open deals expected to close in the period, each with its weighted amount and whether it is commit."""
    criteria = (ExitCriterion.objects.filter(stage=OuterRef("stage")).order_by().values("stage")
                .annotate(n=Count("id")).values("n"))
    checked = (CriterionCheck.objects.filter(deal=OuterRef("pk"), criterion__stage=OuterRef("stage")).order_by()
               .values("deal").annotate(n=Count("id")).values("n"))
    return (Deal.objects.filter(stage__kind=StageKind.OPEN, expected_close__gte=period.start,
                                expected_close__lt=period.end)
            .filter(scope.people_q("owner"))
            .annotate(criteria_n=Coalesce(Subquery(criteria, output_field=IntegerField()), Value(0)),
                      checked_n=Coalesce(Subquery(checked, output_field=IntegerField()), Value(0)),
                      weighted_x100=F("amount_minor") * F("stage__probability"))
            .annotate(committed=ExpressionWrapper(Q(checked_n__gte=F("criteria_n")), output_field=BooleanField())))


def forecast(period: Period, scope: Scope) -> Forecast:
    rows = (forecast_deals(period, scope).order_by().values("currency")
            .annotate(n=Count("id"), value=Sum("amount_minor"), weighted=Sum("weighted_x100"),
                      commit=Sum("amount_minor", filter=Q(committed=True)),
                      commit_n=Count("id", filter=Q(committed=True))))
    result = Forecast(0, Amounts(), Amounts(), Amounts(), 0)
    for row in rows:
        result.deals += row["n"]
        result.commit_deals += row["commit_n"]
        result.pipeline.add(row["currency"], row["value"])
        # Rounded once per currency, half to even, so the listed contributions may differ by a cent.
        result.weighted.add(row["currency"], round(Decimal(row["weighted"] or 0) / 100))
        result.commit.add(row["currency"], row["commit"] or 0)
    return result


# -- lists for the report ----------------------------------------------------


def stage_moves(period: Period, scope: Scope) -> QuerySet:
    return (StageChange.objects.filter(_in(period, "changed_at"), from_stage__isnull=False)
            .filter(scope.people_q("deal__owner"))
            .select_related("deal", "deal__company", "deal__owner", "from_stage", "to_stage", "changed_by")
            .order_by("-changed_at", "-id"))


def slipped_deals(period: Period, scope: Scope, *, now: datetime | None = None) -> QuerySet:
    """Open deals whose expected close date fell in the period and has passed (by today, if sooner)."""
    today = (now or timezone.now()).astimezone(period.zone).date()
    return (Deal.objects.filter(stage__kind=StageKind.OPEN, expected_close__gte=period.start,
                                expected_close__lt=min(period.end, today))
            .filter(scope.people_q("owner")).select_related("company", "owner", "stage")
            .order_by("expected_close", "id"))


QUIET_AFTER = timedelta(days=14)


def quiet_deals(period: Period, scope: Scope, *, now: datetime | None = None) -> QuerySet:
    """Open deals that went quiet in the period: two weeks since their last touch passed during it.

    That is, the last touch fell in [start - 14 days, end - 14 days) and none came
    after (up to the period's end, or now if sooner). Read from two ranges of the
    touch log's time index, not by asking each open deal for its last touch.
    """
    until = min(period.end_at, now or timezone.now())
    if until <= period.start_at:
        return Deal.objects.none()
    then = Touch.objects.filter(deal__isnull=False, happened_at__gte=period.start_at - QUIET_AFTER,
                                happened_at__lt=until - QUIET_AFTER).values("deal")
    since = Touch.objects.filter(deal__isnull=False, happened_at__gte=until - QUIET_AFTER,
                                 happened_at__lt=until).values("deal")
    return (Deal.objects.filter(stage__kind=StageKind.OPEN, pk__in=then).exclude(pk__in=since)
            .filter(scope.people_q("owner")).select_related("company", "owner", "stage").order_by("id"))


# -- the leaderboard: every seller at once ---------------------------------------


@dataclass
class SellerFigures:
    touches: int = 0
    meetings: int = 0
    conversations: int = 0
    proposals: int = 0
    created: Amounts = None
    won: Amounts = None
    closed: int = 0
    won_count: int = 0

    def __post_init__(self):
        self.created = self.created or Amounts()
        self.won = self.won or Amounts()

    @property
    def win_rate(self) -> Decimal | None:
        return Decimal(100 * self.won_count) / self.closed if self.closed else None


@dataclass
class ByPerson:
    """A period's new conversations, deals created and deals closed, grouped by whom they count for.

    Read once for the period and shared by the leaderboard (per seller) and the
    headline (the scope's rows added up). The rows add up exactly: a deal has one
    owner, and a person's first reply is one touch made by one person.
    """

    conversations: dict  # by -> new conversations
    created_rows: list  # deal__owner, deal__currency, n (deals), value
    closed_rows: list  # owner, stage__kind, currency, n, value, seconds, timed (see _closed_rows)

    def new_conversations(self, scope: Scope, team_ids) -> int:
        return sum(n for by, n in self.conversations.items() if scope.holds(by, team_ids))

    def pipeline_created(self, scope: Scope, team_ids) -> Tally:
        return _tally([r for r in self.created_rows if scope.holds(r["deal__owner"], team_ids)], "deal__currency")

    def closed(self, scope: Scope, team_ids) -> dict[str, Tally]:
        return _split_closed([r for r in self.closed_rows if scope.holds(r["owner"], team_ids)])


def by_person(period: Period) -> ByPerson:
    firsts = _first_replies(period, Scope.company()).values("by").annotate(n=Count("person_id"))
    created = (StageChange.objects.filter(from_stage__isnull=True).filter(_in(period, "changed_at")).order_by()
               .values("deal__owner", "deal__currency")
               .annotate(n=Count("deal", distinct=True), value=Sum("deal__amount_minor")))
    closed = _closed_rows(period, Scope.company(), "owner")
    return ByPerson({r["by"] or None: r["n"] for r in firsts}, list(created), closed)


def _seller() -> ExpressionWrapper:
    """A touch's `by`, to group on.

    Grouped on the column itself, SQLite walks the (by, happened_at) index and
    reads every touch row of the period (about twice as slow on a quarter); on an
    expression it stays on the covering time index and sorts the few columns.
    """
    return ExpressionWrapper(F("by") + 0, output_field=IntegerField())


def per_seller(period: Period, *, now: datetime | None = None, grouped: ByPerson | None = None
               ) -> dict[int, SellerFigures]:
    """The leaderboard's figures for every person with any, in a handful of grouped queries.

    Each figure is the one the seller's own report shows (same filters), grouped
    by seller instead of asked seller by seller. `grouped` is the period's
    `by_person`, when the caller has read it already.
    """
    now = now or timezone.now()
    grouped = grouped or by_person(period)
    company = Scope.company()
    figures: dict[int, SellerFigures] = {}

    def row(pk) -> SellerFigures:
        return figures.setdefault(pk, SellerFigures())

    for seller, counts in _counts(period, company, now, per_seller=True).items():
        row(seller).touches = sum(counts[kind.value] for kind in OUTREACH_KINDS)
        row(seller).meetings = counts["meetings"]
    for by, n in grouped.conversations.items():
        row(by).conversations = n
    for r in _proposal_entries(period).values("deal__owner").annotate(n=Count("id")):
        row(r["deal__owner"]).proposals = r["n"]
    for r in grouped.created_rows:
        row(r["deal__owner"]).created.add(r["deal__currency"], r["value"])
    for r in grouped.closed_rows:
        seat = row(r["owner"])
        seat.closed += r["n"]
        if r["stage__kind"] == StageKind.WON:
            seat.won_count += r["n"]
            seat.won.add(r["currency"], r["value"] or 0)
    figures.pop(None, None)
    return figures
