"""The report reads its figures in shared, grouped queries; each must equal the measure asked on its own.

On the hand-built quarter plus a seeded random year of deals and touches by
three people (a seller, a seller who left, a manager), for every kind of period
and every scope: each headline figure with both comparisons, the trend charts,
the quiet deals and every seat of the leaderboard.
"""

import random
from datetime import date, timedelta

import pytest

from touchbase.crm import services as crm
from touchbase.crm.models import TouchKind
from touchbase.metrics import measures as m
from touchbase.metrics import selectors
from touchbase.metrics.models import Measure, Target
from touchbase.metrics.periods import PeriodKind, period_containing

from .conftest import _deal, utc

CHICAGO = "America/Chicago"
NOW = utc(12, 10)  # inside the story's last month, so some meetings are still to come


@pytest.fixture
def busy_year(quarter, acme, stages):
    rng = random.Random(6)
    people = [quarter.dana, quarter.lee] + [
        crm.person_create(actor=quarter.sam, first_name=f"Person {i}", company=acme) for i in range(8)]
    sellers = [quarter.sam, quarter.ravi, quarter.maya]
    start = utc(9, 1, year=2025)
    quarter.ravi.is_active = True  # back for the year he worked, so he may act in it
    quarter.ravi.save()

    def moment():
        return start + timedelta(minutes=rng.randrange(480 * 24 * 60))

    deals = []
    for i in range(40):
        created = moment()
        moves, at = [], created
        for _ in range(rng.randrange(5)):
            at += timedelta(hours=rng.randrange(1, 30 * 24))
            stage = rng.choice(["Discovery", "Demo", "Proposal", "Won", "Lost", "Lost"])
            moves.append((stage, at))
            if stage == "Won":
                break
        deals.append(_deal(rng.choice(sellers), acme, f"Deal {i}", rng.randrange(1, 50) * 100_000, rng.choice(["USD", "EUR"]),
              created, moves, stages, expected_close=(created + timedelta(days=rng.randrange(120))).date()))
    for _ in range(400):
        crm.touch_log(actor=rng.choice(sellers), kind=rng.choice(TouchKind.values), summary="random",
                      person=rng.choice(people), deal=rng.choice([*deals, None]),
                      direction=rng.choice(["out", "out", "in"]), happened_at=moment())
    quarter.ravi.is_active = False
    quarter.ravi.save()
    return quarter


def _expected(scope, now):
    def figures(p):
        return m.touch_figures(p, scope, now=now)

    return {
        Measure.TOUCHES: lambda p: figures(p).touches,
        Measure.MEETINGS: lambda p: figures(p).meetings,
        Measure.NEW_CONVERSATIONS: lambda p: m.new_conversations(p, scope),
        Measure.PEOPLE_TOUCHED: lambda p: figures(p).people,
        Measure.PIPELINE_CREATED: lambda p: m.pipeline_created(p, scope).count,
        Measure.PIPELINE_CREATED_VALUE: lambda p: m.pipeline_created(p, scope).value,
        Measure.WON: lambda p: m.won(p, scope).count,
        Measure.WON_VALUE: lambda p: m.won(p, scope).value,
        "lost": lambda p: m.lost(p, scope).count,
        Measure.WIN_RATE: lambda p: m.win_rate(p, scope),
        "average_deal_size": lambda p: m.average_deal_size(p, scope),
        "sales_cycle": lambda p: m.sales_cycle_days(p, scope),
    }


@pytest.mark.parametrize("kind", list(PeriodKind))
def test_every_report_figure_equals_its_measure_asked_alone(busy_year, kind):
    pool = list(Target.objects.select_related("seller"))
    quiet_seen = 0
    for day in (date(2026, 11, 20), date(2026, 10, 2)):
        period = period_containing(kind, day, CHICAGO)
        for scope in (m.Scope.company(), m.Scope.team(), m.Scope.of(busy_year.sam), m.Scope.of(busy_year.ravi)):
            report = selectors.report_build(period, scope, now=NOW)
            expected = _expected(scope, NOW)
            for key, fn in expected.items():
                line = report.line(key)
                values = [fn(p) for p in (period, period.previous(), period.last_year())]
                assert line.actual == values[0], (key, period, scope)
                assert (line.previous_text, line.last_year_text) == (
                    selectors._fmt(values[1], line.unit), selectors._fmt(values[2], line.unit)), (key, period, scope)
            assert report.touches_by_kind == m.touches_by_kind(period, scope)
            quiet = m.quiet_deals(period, scope, now=NOW)
            assert (report.quiet, report.quiet_total) == (list(quiet[:selectors.LIST_SIZE]), quiet.count())
            quiet_seen += report.quiet_total
            for key, label, measure in ((Measure.TOUCHES, "Touches", Measure.TOUCHES),
                                        (Measure.MEETINGS, "Meetings held", Measure.MEETINGS)):
                drawn = selectors._trend_chart(period, scope, key, label, expected[measure], pool)
                assert report.charts[key] == drawn
            for seat in report.leaderboard:
                own = m.Scope.of(seat.seller)
                assert (seat.touches, seat.meetings, seat.conversations, seat.proposals) == (
                    m.touches(period, own), m.meetings_held(period, own, now=NOW), m.new_conversations(period, own),
                    m.proposals_sent(period, own))
                assert (seat.created, seat.won, seat.win_rate) == (
                    m.pipeline_created(period, own).value, m.won(period, own).value, m.win_rate(period, own))
    assert quiet_seen  # the story has quiet deals to compare
