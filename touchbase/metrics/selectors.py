"""The report: every measure of a period for one scope, against targets, with charts and lists.

`report_build` is the one read behind the page, the present view, the PDF,
the CSV/JSON exports and the email, so they cannot disagree. Each figure is an
aggregate query from `measures`; the period's conversations, deals created and
deals closed are read once, grouped by person, for both the headline and the
leaderboard. The lists are bounded (LIST_SIZE rows, with the full count beside
them).
"""

import functools
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from touchbase.accounts.models import Role, User
from touchbase.crm.models import Deal, StageKind
from touchbase.crm.money import format_amount

from . import charts
from . import measures as m
from .models import Measure, Target, Unit
from .money import Amounts, convert
from .periods import Period, PeriodKind
from .services import pace, target_for

LIST_SIZE = 20
TREND_LENGTH = {PeriodKind.WEEK: 8, PeriodKind.MONTH: 6, PeriodKind.QUARTER: 4}


def report_currency() -> str:
    """The currency totals are converted into when a report mixes currencies."""
    return getattr(settings, "REPORT_CURRENCY", "USD")


@dataclass
class Line:
    """One headline figure: actual, target, percent, pace and the two comparisons, raw and as text."""

    key: str
    label: str
    unit: str
    actual: object
    text: str
    target: int | None = None
    target_text: str = ""
    percent: int | None = None
    pace_text: str = ""
    previous_text: str = ""
    last_year_text: str = ""
    note: str = ""

    def as_row(self) -> dict:
        return {"measure": self.label, "actual": self.text, "target": self.target_text,
                "percent": "" if self.percent is None else f"{self.percent}%", "pace": self.pace_text,
                "previous period": self.previous_text, "same period last year": self.last_year_text,
                "note": self.note}


def _fmt(value, unit: str, currency: str = "") -> str:
    if value is None:
        return "–"
    if unit == Unit.MONEY:
        if isinstance(value, Amounts):
            return value.text()
        return format_amount(int(value), currency)
    if unit == Unit.PERCENT:
        return f"{Decimal(value):.0f}%"
    if unit == "days":
        return f"{Decimal(value):.1f} days"
    if unit == "working time":
        from touchbase.prospecting.inbound import duration_text

        return duration_text(value)
    if isinstance(value, Decimal):
        return f"{value:.1f}" if value != value.to_integral_value() else f"{value:.0f}"
    return f"{value:,}"


@dataclass
class Seat:
    """A seller's row on the leaderboard."""

    seller: User
    touches: int
    meetings: int
    conversations: int
    proposals: int
    created: Amounts
    won: Amounts
    won_converted: int | None
    win_rate: Decimal | None
    touches_target: int | None

    def as_row(self) -> dict:
        return {"seller": str(self.seller), "email": self.seller.email, "active": self.seller.is_active,
                "touches": self.touches, "touches target": self.touches_target or "",
                "meetings held": self.meetings, "new conversations": self.conversations,
                "proposals sent": self.proposals, "pipeline created": self.created.text(), "won": self.won.text(),
                "win rate": _fmt(self.win_rate, Unit.PERCENT)}


@dataclass
class Report:
    period: Period
    scope: m.Scope
    generated_at: datetime
    lines: list[Line] = field(default_factory=list)
    touches_by_kind: dict = field(default_factory=dict)
    flow: list = field(default_factory=list)
    forecasts: list = field(default_factory=list)  # (period, Forecast, deals, converted texts)
    leaderboard: list[Seat] = field(default_factory=list)
    moves: list = field(default_factory=list)
    moves_total: int = 0
    slipped: list = field(default_factory=list)
    slipped_total: int = 0
    quiet: list = field(default_factory=list)
    quiet_total: int = 0
    charts: dict = field(default_factory=dict)
    empty: bool = False

    @property
    def title(self) -> str:
        return f"{self.scope.label}: {self.period.kind.adjective} report, {self.period.label}"

    def line(self, key: str) -> Line | None:
        return next((line for line in self.lines if line.key == key), None)

    def tables(self) -> dict[str, list[dict]]:
        """Every table of the report as rows of plain values, for CSV and JSON."""
        money = lambda minor, cur: format_amount(minor, cur)  # noqa: E731
        return {
            "headline": [line.as_row() for line in self.lines],
            "touches_by_kind": [{"kind": k, "touches": n} for k, n in self.touches_by_kind.items()],
            "stages": [{"stage": s.stage.name, "entered": s.entered, "moved forward": s.advanced,
                        "conversion": _fmt(s.conversion, Unit.PERCENT), "left": s.left,
                        "average days in stage": "" if s.days_in_stage is None else f"{s.days_in_stage:.1f}"}
                       for s in self.flow],
            "forecast": [{"period": p.name, "deal": d.title, "company": d.company.name, "owner": str(d.owner or ""),
                          "stage": d.stage.name, "probability": d.stage.probability,
                          "amount": money(d.amount_minor, d.currency),
                          "weighted": money(round(Decimal(d.weighted_x100) / 100), d.currency),
                          "commit": "yes" if d.committed else "no",
                          "expected close": d.expected_close.isoformat()}
                         for p, _f, deals, _t in self.forecasts for d in deals],
            "leaderboard": [seat.as_row() for seat in self.leaderboard],
            "moved": [{"deal": c.deal.title, "company": c.deal.company.name, "from": c.from_stage.name,
                       "to": c.to_stage.name, "when": c.changed_at.astimezone(self.period.zone).isoformat(),
                       "by": str(c.changed_by or "")} for c in self.moves],
            "slipped": [{"deal": d.title, "company": d.company.name, "owner": str(d.owner or ""),
                         "stage": d.stage.name, "expected close": d.expected_close.isoformat(),
                         "amount": money(d.amount_minor, d.currency)} for d in self.slipped],
            "quiet": [{"deal": d.title, "company": d.company.name, "owner": str(d.owner or ""),
                       "stage": d.stage.name, "amount": money(d.amount_minor, d.currency)} for d in self.quiet],
        }


def _compare(key: str, unit: str, actual, target, period: Period, now: datetime):
    """Percent of target and pace text; money is compared in the target's currency."""
    if target is None:
        return None, _pace_text(key, unit, actual, None, period, now), ""
    note = ""
    value = actual
    if unit == Unit.MONEY:
        converted = convert(actual, target.currency, period.end)
        if converted.minor is None:
            return None, "", converted.text()
        value = converted.minor
    percent = round(100 * Decimal(value) / target.amount) if target.amount else None
    return percent, _pace_text(key, unit, value, target, period, now), note


ADDITIVE = {Measure.TOUCHES, Measure.MEETINGS, Measure.NEW_CONVERSATIONS, Measure.PIPELINE_CREATED,
            Measure.PIPELINE_CREATED_VALUE, Measure.WON, Measure.WON_VALUE, Measure.PROPOSALS}


def _pace_text(key, unit, value, target, period, now) -> str:
    if key not in ADDITIVE or period.elapsed_share(now) in (None, 1.0) or isinstance(value, Amounts):
        return ""
    projected = pace(value, period, now)
    if projected is None:
        return ""
    currency = target.currency if target else ""
    return _fmt(round(projected), unit, currency)


def _line(key: str, label: str, unit: str, values: tuple, period: Period, scope: m.Scope, now: datetime,
          pool: list) -> Line:
    actual, previous, last_year = values
    target = target_for(key, scope, period, pool=pool) if key in Measure.values else None
    percent, pace_text, note = _compare(key, unit, actual, target, period, now)
    return Line(key=key, label=label, unit=unit, actual=actual, text=_fmt(actual, unit),
                target=target.amount if target else None,
                target_text=_fmt(target.amount, unit, target.currency) if target else "",
                percent=percent, pace_text=pace_text, previous_text=_fmt(previous, unit),
                last_year_text=_fmt(last_year, unit), note=note)


def _headline(period: Period, scope: m.Scope, now: datetime, pool: list, figures, current: m.ByPerson) -> list[Line]:
    periods = (period, period.previous(), period.last_year())
    team_ids = set(User.objects.filter(role=Role.SELLER).values_list("pk", flat=True)) if scope.kind == "team" else set()

    def each(fn):
        return tuple(fn(p) for p in periods)

    def tally(fn, grouped):
        """The period's own figure from the rows it shares with the leaderboard, the two comparisons by query."""
        return [grouped(scope, team_ids), *(fn(p, scope) for p in periods[1:])]

    created, closed = tally(m.pipeline_created, current.pipeline_created), tally(m.closed, current.closed)
    conversations = tally(m.new_conversations, current.new_conversations)
    won, lost = [c[StageKind.WON] for c in closed], [c[StageKind.LOST] for c in closed]
    lines = [
        _line(Measure.TOUCHES, "Touches", Unit.COUNT, each(lambda p: figures(p).touches), period, scope, now, pool),
        _line(Measure.MEETINGS, "Meetings held", Unit.COUNT,
              each(lambda p: figures(p).meetings), period, scope, now, pool),
        _line(Measure.NEW_CONVERSATIONS, "New conversations", Unit.COUNT,
              tuple(conversations), period, scope, now, pool),
        _line(Measure.PEOPLE_TOUCHED, "People touched", Unit.COUNT,
              each(lambda p: figures(p).people), period, scope, now, pool),
        _line(Measure.PIPELINE_CREATED, "Deals created", Unit.COUNT, tuple(t.count for t in created),
              period, scope, now, pool),
        _line(Measure.PIPELINE_CREATED_VALUE, "Pipeline created", Unit.MONEY, tuple(t.value for t in created),
              period, scope, now, pool),
        _line(Measure.WON, "Deals won", Unit.COUNT, tuple(t.count for t in won), period, scope, now, pool),
        _line(Measure.WON_VALUE, "Revenue won", Unit.MONEY, tuple(t.value for t in won), period, scope, now, pool),
        _line("lost", "Deals lost", Unit.COUNT, tuple(t.count for t in lost), period, scope, now, pool),
        _line(Measure.WIN_RATE, "Win rate", Unit.PERCENT, tuple(m.rate_of(c) for c in closed), period, scope, now, pool),
        _line("average_deal_size", "Average deal won", Unit.MONEY,
              tuple(m.average_of(t) for t in won), period, scope, now, pool),
        _line("sales_cycle", "Sales cycle", "days", tuple(m.cycle_of(t) for t in won), period, scope, now, pool),
    ]
    lines.insert(4, _line(Measure.PROPOSALS, "Proposals sent", Unit.COUNT,
                          each(lambda p: m.proposals_sent(p, scope)), period, scope, now, pool))
    responses = each(lambda p: m.inbound_response(p, scope, now=now))
    if responses[0] is not None and any(r.leads for r in responses):
        lines.append(_line("inbound_response", "Inbound response time (median)", "working time",
                           tuple(r.median for r in responses), period, scope, now, pool))
        in_time = _line(Measure.INBOUND_IN_TIME, "Inbound answered in time", Unit.PERCENT,
                        tuple(r.share_in_time for r in responses), period, scope, now, pool)
        if responses[0].settled:
            in_time.text += f" ({responses[0].in_time} of {responses[0].settled})"
        lines.append(in_time)
    if m.people_enrolled(period, scope) is not None:
        lines.insert(4, _line("people_enrolled", "People enrolled", Unit.COUNT,
                              each(lambda p: m.people_enrolled(p, scope)), period, scope, now, pool))
    coverage = m.a_tier_coverage(period, scope)
    if coverage and coverage[1]:
        touched, total = coverage
        lines.append(Line(key="a_tier_coverage", label="A-tier coverage", unit=Unit.PERCENT,
                          actual=Decimal(100 * touched) / total,
                          text=f"{round(100 * touched / total)}% ({touched} of {total} A companies)"))
    return lines


def _trend_chart(period: Period, scope: m.Scope, key: str, label: str, fn, pool: list) -> str:
    periods = [period]
    for _ in range(TREND_LENGTH[period.kind] - 1):
        periods.insert(0, periods[0].previous())
    values = [fn(p) for p in periods]
    targets = [getattr(target_for(key, scope, p, pool=pool), "amount", None) for p in periods]
    short = {PeriodKind.WEEK: lambda p: p.name[-3:], PeriodKind.MONTH: lambda p: f"{p.start:%b}",
             PeriodKind.QUARTER: lambda p: p.name[-2:]}[period.kind]
    return charts.trend(f"{label} by {period.kind.value}", [short(p) for p in periods], values, targets)


def _leaderboard(period: Period, now: datetime, pool: list, current: m.ByPerson) -> list[Seat]:
    figures = m.per_seller(period, now=now, grouped=current)
    # Sellers who have left stay on the board for the periods they have figures in.
    sellers = User.objects.filter(role=Role.SELLER).filter(Q(is_active=True) | Q(pk__in=list(figures)))
    seats = []
    for seller in sellers:
        f = figures.get(seller.pk) or m.SellerFigures()
        target = target_for(Measure.TOUCHES, m.Scope.of(seller), period, pool=pool)
        seats.append(Seat(seller, f.touches, f.meetings, f.conversations, f.proposals, f.created, f.won,
                          convert(f.won, report_currency(), period.end).minor, f.win_rate,
                          target.amount if target else None))
    seats.sort(key=lambda s: (-(s.won_converted or 0), -s.touches, str(s.seller)))
    return seats


def _forecast(period: Period, scope: m.Scope):
    result = m.forecast(period, scope)
    deals = list(m.forecast_deals(period, scope).select_related("company", "owner", "stage")
                 .order_by("-weighted_x100", "id")[:LIST_SIZE])
    texts = {name: convert(getattr(result, name), report_currency(), period.end).text()
             for name in ("pipeline", "weighted", "commit")}
    return period, result, deals, texts


def _first(queryset) -> tuple[list, int]:
    """The first LIST_SIZE rows and how many there are.

    Counted apart, on ids alone: a count in the same query (a window) makes the
    database join every matching row to its related records before the LIMIT.
    """
    rows = list(queryset[:LIST_SIZE])
    if len(rows) < LIST_SIZE:
        return rows, len(rows)
    return rows, queryset.order_by().values("pk").count()


def _quiet(period: Period, scope: m.Scope, now: datetime) -> tuple[list, int]:
    """Like `_first` for the quiet deals, whose filter (two ranges of touches) is the dear part:
    their ids are read once and counted here, then the first rows fetched by id."""
    ids = list(m.quiet_deals(period, scope, now=now).values_list("pk", flat=True))
    rows = Deal.objects.filter(pk__in=ids[:LIST_SIZE]).select_related("company", "owner", "stage").order_by("id")
    return list(rows), len(ids)


def report_build(period: Period, scope: m.Scope, *, now: datetime | None = None) -> Report:
    now = now or timezone.now()
    report = Report(period=period, scope=scope, generated_at=now)
    pool = list(Target.objects.select_related("seller"))
    # The headline, its comparisons and the trend charts share periods: one pass over each period's touches,
    # counting distinct people only where the headline shows them.
    compared = {period, period.previous(), period.last_year()}
    figures = functools.lru_cache(maxsize=None)(lambda p: m.touch_figures(p, scope, now=now, people=p in compared))
    current = m.by_person(period)
    report.lines = _headline(period, scope, now, pool, figures, current)
    report.touches_by_kind = figures(period).by_kind
    report.flow = m.stage_flow(period, scope)
    report.forecasts = [_forecast(period, scope), _forecast(period.next(), scope)]
    report.leaderboard = _leaderboard(period, now, pool, current)
    report.moves, report.moves_total = _first(m.stage_moves(period, scope))
    report.slipped, report.slipped_total = _first(m.slipped_deals(period, scope, now=now))
    report.quiet, report.quiet_total = _quiet(period, scope, now)
    report.empty = not (any(report.touches_by_kind.values()) or report.moves_total
                        or any(line.actual for line in report.lines if line.key in ("pipeline_created", "won", "lost"))
                        or any(f.deals for _p, f, _d, _t in report.forecasts))
    _draw(report, now, pool, figures)
    return report


def _draw(report: Report, now: datetime, pool: list, figures) -> None:
    period, scope = report.period, report.scope
    report.charts["touches"] = _trend_chart(period, scope, Measure.TOUCHES, "Touches", lambda p: figures(p).touches, pool)
    report.charts["meetings"] = _trend_chart(period, scope, Measure.MEETINGS, "Meetings held",
                                             lambda p: figures(p).meetings, pool)
    report.charts["conversations"] = _trend_chart(period, scope, Measure.NEW_CONVERSATIONS, "New conversations",
                                                  lambda p: m.new_conversations(p, scope), pool)
    report.charts["funnel"] = charts.funnel(
        "Stages: deals that entered, and the share that moved forward",
        [(s.stage.name, s.entered, _fmt(s.conversion, Unit.PERCENT)) for s in report.flow])
    won = report.line(Measure.WON_VALUE)
    target = target_for(Measure.WON_VALUE, scope, period, pool=pool)
    currency = target.currency if target else report_currency()
    converted = convert(won.actual, currency, period.end)
    projected = pace(converted.minor, period, now) if converted.minor is not None else None
    report.charts["won"] = charts.progress(
        "Revenue won against target", converted.minor or 0, target.amount if target else None,
        float(projected) if projected is not None and period.elapsed_share(now) not in (None, 1.0) else None,
        converted.text(), _fmt(target.amount, Unit.MONEY, currency) if target else "")
    bars = []
    for p, result, _deals, _texts in report.forecasts:
        for label, amounts in (("commit", result.commit), ("weighted", result.weighted)):
            c = convert(amounts, currency, p.end)
            bars.append((f"{p.name} {label}", c.minor or 0, c.text(short=True)))
    report.charts["forecast"] = charts.forecast(f"Forecast ({currency})", bars)


def sellers() -> list[User]:
    return list(User.objects.filter(role=Role.SELLER).order_by("-is_active", "first_name", "email"))


