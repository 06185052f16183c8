"""The touch figures read from the rollups equal the touches counted one by one, in any zone and at any moment.

The rollup counts UTC days; a period's edges are local midnights in its zone
(Chicago's -6/-5, Kathmandu's +5:45), and a day not over yet is read from the
touches, so these compare each figure with a plain count over the touches for
periods whose edges cut UTC days, with `now` inside and after the period.
"""

import random
from datetime import timedelta

import pytest

from touchbase.crm import services as crm
from touchbase.crm.models import Direction, Touch, TouchKind
from touchbase.metrics import measures as m
from touchbase.metrics.periods import PeriodKind, period_containing

from .conftest import utc

ZONES = ["America/Chicago", "Asia/Kathmandu", "UTC"]


@pytest.fixture
def touches(quarter, acme):
    rng = random.Random(48)
    people = [quarter.dana, quarter.lee] + [
        crm.person_create(actor=quarter.sam, first_name=f"Person {i}", company=acme) for i in range(6)]
    start = utc(9, 20)
    for _ in range(300):
        crm.touch_log(actor=rng.choice([quarter.sam, quarter.ravi, quarter.maya, None]),
                      kind=rng.choice(TouchKind.values), summary="random", person=rng.choice(people),
                      direction=rng.choice(["out", "out", "in"]),
                      happened_at=start + timedelta(minutes=rng.randrange(110 * 24 * 60)))
    return quarter


def counted(period, scope, now) -> dict:
    """Every touch figure counted over the touches themselves, the slow and obvious way."""
    rows = list(Touch.objects.filter(happened_at__gte=period.start_at, happened_at__lt=period.end_at)
                .filter(scope.people_q("by")))
    outreach = [t for t in rows if t.direction == Direction.OUT and t.kind in m.OUTREACH_KINDS]
    firsts = {}
    for t in Touch.objects.filter(direction=Direction.IN, person__isnull=False).order_by("happened_at", "id"):
        firsts.setdefault(t.person_id, t)
    in_scope = {t.pk for t in rows}
    return {
        "by_kind": {k.value: sum(1 for t in outreach if t.kind == k) for k in m.OUTREACH_KINDS},
        "meetings": sum(1 for t in rows if t.kind == TouchKind.MEETING and t.happened_at <= now),
        "people": len({t.person_id for t in outreach if t.person_id}),
        "conversations": sum(1 for t in firsts.values() if t.pk in in_scope),
    }


def read(period, scope, now) -> dict:
    figures = m.touch_figures(period, scope, now=now)
    return {"by_kind": figures.by_kind, "meetings": figures.meetings, "people": figures.people,
            "conversations": m.new_conversations(period, scope)}


@pytest.mark.parametrize("zone", ZONES)
def test_rollup_figures_equal_counting_the_touches(touches, zone):
    scopes = [m.Scope.company(), m.Scope.team(), m.Scope.of(touches.sam), m.Scope.of(touches.maya)]
    # A moment inside November at an odd minute, one inside the first week of December, and one after it all.
    moments = [utc(11, 18, 13, 7), utc(12, 2, 3, 50), utc(3, 1, year=2027)]
    for kind in PeriodKind:
        for day in (utc(10, 12), utc(11, 18), utc(12, 1)):
            period = period_containing(kind, day.date(), zone)
            for now in moments:
                for scope in scopes:
                    assert read(period, scope, now) == counted(period, scope, now), (kind, day, now, scope)
                board = m.per_seller(period, now=now)
                for seller in (touches.sam, touches.ravi, touches.maya):
                    expected = counted(period, m.Scope.of(seller), now)
                    seat = board.get(seller.pk) or m.SellerFigures()
                    assert (seat.touches, seat.meetings, seat.conversations) == (
                        sum(expected["by_kind"].values()), expected["meetings"], expected["conversations"])


def test_figures_follow_touches_moved_and_deleted(touches):
    period = period_containing(PeriodKind.MONTH, utc(11, 1).date(), "America/Chicago")
    after, company = utc(3, 1, year=2027), m.Scope.company()
    before = read(period, company, after)
    inside = Touch.objects.filter(happened_at__gte=period.start_at + timedelta(days=2),
                                  happened_at__lt=period.end_at - timedelta(days=2)).order_by("id")
    Touch.objects.filter(pk__in=list(inside.values_list("pk", flat=True)[:20])).update(
        happened_at=utc(1, 15, year=2027))
    Touch.objects.filter(pk__in=list(inside.values_list("pk", flat=True)[:20])).delete()
    after_edits = read(period, company, after)
    assert after_edits == counted(period, company, after)
    assert sum(after_edits["by_kind"].values()) < sum(before["by_kind"].values())
