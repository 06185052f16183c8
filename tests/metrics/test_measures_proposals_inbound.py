"""Proposals sent and inbound response time, against numbers worked out by hand on conftest's quarter.

Sam works 09:00-17:00 in Chicago, which is 15:00-23:00 UTC in December (CST, UTC-6).
"""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from touchbase.crm import services as crm
from touchbase.metrics import measures as m
from touchbase.metrics import selectors, services
from touchbase.metrics.periods import PeriodKind, parse_period

from .conftest import _deal, utc

CHICAGO = "America/Chicago"
AFTER = datetime(2027, 1, 10, tzinfo=UTC)


def period(kind, name):
    return parse_period(kind, name, CHICAGO)


# Proposals sent


def test_a_proposal_is_a_deals_first_entry_into_the_proposal_stage(quarter, stages):
    sam = m.Scope.of(quarter.sam)
    # D1 entered Proposal on Nov 10, D5 on Dec 1; nobody else's deal reached it.
    assert m.proposals_sent(period(PeriodKind.MONTH, "2026-11"), sam) == 1
    assert m.proposals_sent(period(PeriodKind.MONTH, "2026-12"), sam) == 1
    assert m.proposals_sent(period(PeriodKind.QUARTER, "2026-Q4"), m.Scope.company()) == 2
    assert m.proposals_sent(period(PeriodKind.QUARTER, "2026-Q4"), m.Scope.of(quarter.ravi)) == 0
    assert m.proposals_sent(period(PeriodKind.WEEK, "2026-W48"), sam) == 0
    # D5 goes back to Demo on Dec 3 and into Proposal again on Dec 8 (week 50): the proposal went out once.
    d5 = quarter.deals["D5"]
    crm.deal_move_stage(actor=quarter.sam, deal=d5, stage=stages["Demo"], at=utc(12, 3))
    crm.deal_move_stage(actor=quarter.sam, deal=d5, stage=stages["Proposal"], at=utc(12, 8),
                        override_reason="revised pricing")
    assert m.proposals_sent(period(PeriodKind.WEEK, "2026-W50"), sam) == 0
    assert m.proposals_sent(period(PeriodKind.MONTH, "2026-12"), sam) == 1


def test_proposals_sent_in_the_report_against_a_target(quarter, maya):
    services.target_set(actor=maya, measure="proposals", period="month", amount=4, seller=quarter.sam,
                        starts_on=date(2026, 1, 1), ramp=False)
    report = selectors.report_build(period(PeriodKind.MONTH, "2026-11"), m.Scope.of(quarter.sam), now=AFTER)
    line = report.line("proposals")
    # 1 of 4 in November; October had none (D1 reached Proposal on Nov 10).
    assert (line.actual, line.target, line.percent, line.previous_text) == (1, 4, 25, "0")


def test_the_leaderboard_shows_each_sellers_proposals_sent(quarter, stages, client_for, acme):
    # Ravi's D8 enters Proposal on Nov 12, before he leaves (so he is let back in to work it, as then);
    # D5 goes back to Demo and into Proposal again.
    quarter.ravi.is_active = True
    quarter.ravi.save()
    _deal(quarter.ravi, acme, "Acme depots", 800_000, "USD", utc(11, 6), [("Proposal", utc(11, 12))], stages)
    quarter.ravi.is_active = False
    quarter.ravi.save()
    d5 = quarter.deals["D5"]
    crm.deal_move_stage(actor=quarter.sam, deal=d5, stage=stages["Demo"], at=utc(12, 3))
    crm.deal_move_stage(actor=quarter.sam, deal=d5, stage=stages["Proposal"], at=utc(12, 8),
                        override_reason="revised pricing")
    # By hand: week 46 (Nov 9-15) D1 on the 10th for Sam, D8 on the 12th for Ravi; November the same;
    # December only D5's first entry for Sam; the quarter D1 and D5 for Sam, D8 for Ravi.
    expected = {("week", "2026-W46"): {"sam": 1, "ravi": 1}, ("month", "2026-11"): {"sam": 1, "ravi": 1},
                ("month", "2026-12"): {"sam": 1, "ravi": 0}, ("quarter", "2026-Q4"): {"sam": 2, "ravi": 1},
                ("week", "2026-W50"): {"sam": 0, "ravi": 0}}
    for (kind, name), counts in expected.items():
        report = selectors.report_build(period(PeriodKind(kind), name), m.Scope.company(), now=AFTER)
        seats = {seat.seller.first_name.lower(): seat.proposals for seat in report.leaderboard}
        assert {who: seats.get(who, 0) for who in counts} == counts, (kind, name)

    sam = client_for(quarter.sam)
    data = json.loads(sam.get("/reports/quarterly/2026-Q4", {"format": "json", "table": "leaderboard"}).content)
    assert {seat["email"]: seat["proposals sent"] for seat in data["tables"]["leaderboard"]} == {
        "sam@example.com": 2, "ravi@example.com": 1}
    rows = list(csv.DictReader(io.StringIO(sam.get("/reports/quarterly/2026-Q4",
                                                   {"format": "csv", "table": "leaderboard"}).content.decode())))
    assert {row["email"]: row["proposals sent"] for row in rows} == {"sam@example.com": "2", "ravi@example.com": "1"}
    page = sam.get("/reports/monthly/2026-11").content.decode()
    assert '<th class="num">Proposals sent</th>' in page


# Inbound response time


@pytest.fixture
def leads(quarter, acme):
    from touchbase.prospecting.models import InboundLead

    def lead(first_name, owner, tier, hours, received, due, answered_by=None, answered_at=None):
        person = crm.person_create(actor=quarter.sam, first_name=first_name, company=acme)
        InboundLead.objects.create(person=person, company=acme, owner=owner, tier=tier, target_hours=hours,
                                   received_at=received, due_at=due)
        if answered_at:
            crm.touch_log(actor=answered_by, kind="email", summary="Thanks for writing", person=person,
                          happened_at=answered_at)

    sam, maya = quarter.sam, quarter.maya
    # L1 A (1 h): Monday Dec 1 09:30 local, answered 10:00: 30 min, in time.
    lead("Ina", sam, "A", 1, utc(12, 1, 15, 30), utc(12, 1, 16, 30), sam, utc(12, 1, 16))
    # L2 B (4 h): Tuesday 16:00 local; 1 h that day and 3 h on Wednesday, due Wednesday 12:00 local.
    # Answered Wednesday 11:00 local: 1 h + 2 h = 3 h, in time.
    lead("Jo", sam, "B", 4, utc(12, 2, 22), utc(12, 3, 18), sam, utc(12, 3, 17))
    # L3 A (1 h): Thursday 09:00 local, answered 14:00: 5 h, late.
    lead("Kim", sam, "A", 1, utc(12, 4, 15), utc(12, 4, 16), sam, utc(12, 4, 20))
    # L4 C (24 h): Friday 09:00 local; 8 h Friday, Monday and Tuesday: due Tuesday Dec 9, 17:00 local. Never answered.
    lead("Liv", sam, "C", 24, utc(12, 5, 15), utc(12, 9, 23))
    # L5 A, Maya's (a manager): Monday 09:00 local, answered 09:20: 20 min, in time.
    lead("Mo", maya, "A", 1, utc(12, 1, 15), utc(12, 1, 16), maya, utc(12, 1, 15, 20))
    return quarter


def test_inbound_response_time_is_the_median_working_time_and_the_share_in_time(leads):
    w49 = period(PeriodKind.WEEK, "2026-W49")
    sam = m.inbound_response(w49, m.Scope.of(leads.sam), now=AFTER)
    # Answered: 30 min, 3 h, 5 h -> median 3 h. Settled: those three and L4, breached -> 2 of 4 in time.
    assert (sam.leads, sam.answered, sam.settled, sam.in_time) == (4, 3, 4, 2)
    assert (sam.median, sam.share_in_time) == (timedelta(hours=3), 50)
    company = m.inbound_response(w49, m.Scope.company(), now=AFTER)
    # Maya's 20 min joins: 20 min, 30 min, 3 h, 5 h -> median (30 min + 3 h) / 2 = 1 h 45 min; 3 of 5 in time.
    assert (company.median, company.share_in_time) == (timedelta(hours=1, minutes=45), 60)
    # The team is sellers only: Maya's lead is out.
    assert m.inbound_response(w49, m.Scope.team(), now=AFTER).leads == 4
    # On Saturday Dec 6, L4's clock still runs (due Tuesday): it is in neither figure yet -> 2 of 3.
    saturday = m.inbound_response(w49, m.Scope.of(leads.sam), now=utc(12, 6, 12))
    assert (saturday.settled, saturday.in_time, saturday.median) == (3, 2, timedelta(hours=3))
    # A week without leads has no figures.
    quiet = m.inbound_response(period(PeriodKind.WEEK, "2026-W48"), m.Scope.of(leads.sam), now=AFTER)
    assert (quiet.leads, quiet.median, quiet.share_in_time) == (0, None, None)


def test_inbound_response_lines_in_the_sellers_report(leads, maya):
    services.target_set(actor=maya, measure="inbound_in_time", period="week", amount=80, seller=leads.sam,
                        starts_on=date(2026, 1, 1))
    report = selectors.report_build(period(PeriodKind.WEEK, "2026-W49"), m.Scope.of(leads.sam), now=AFTER)
    median, in_time = report.line("inbound_response"), report.line("inbound_in_time")
    assert (median.text, median.previous_text) == ("3 h 00 min", "–")
    # 50% against a target of 80%: 62% of target.
    assert (in_time.text, in_time.target, in_time.percent) == ("50% (2 of 4)", 80, 62)
    # No leads in any compared week: the report leaves the lines out.
    assert selectors.report_build(period(PeriodKind.WEEK, "2026-W45"), m.Scope.of(leads.sam),
                                  now=AFTER).line("inbound_response") is None
