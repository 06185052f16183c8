"""Every measure against numbers worked out by hand on the quarter in conftest.py.

The figures in each assertion are derived in the comment beside it, so a
reader can check the arithmetic without running anything.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from touchbase.metrics import measures as m
from touchbase.metrics import services
from touchbase.metrics.models import CurrencyRate, Target
from touchbase.metrics.money import Amounts, convert
from touchbase.metrics.periods import PeriodError, PeriodKind, parse_period

from .conftest import utc

CHICAGO = "America/Chicago"
AFTER = datetime(2027, 1, 10, tzinfo=UTC)  # every period of the story is over


def week(name="2026-W48", zone=CHICAGO):
    return parse_period(PeriodKind.WEEK, name, zone)


def month(name="2026-11", zone=CHICAGO):
    return parse_period(PeriodKind.MONTH, name, zone)


def q4(zone=CHICAGO):
    return parse_period(PeriodKind.QUARTER, "2026-Q4", zone)


# Periods


def test_a_week_starts_on_monday_at_local_midnight():
    w = week()
    assert (w.start, w.end) == (date(2026, 11, 23), date(2026, 11, 30))
    assert w.start_at.astimezone(UTC) == utc(11, 23, 6)  # CST is UTC-6
    assert w.name == "2026-W48"


def test_periods_know_their_neighbours_and_last_year():
    assert week().previous().name == "2026-W47"
    assert week().next().name == "2026-W49"
    assert week("2026-W53").last_year().name == "2025-W52"  # 2025 has no week 53
    assert month("2026-01").previous().name == "2025-12"
    assert month().last_year().name == "2025-11"
    assert q4().previous().name == "2026-Q3"
    assert q4().next().name == "2027-Q1"
    assert (q4().start, q4().end, q4().days) == (date(2026, 10, 1), date(2027, 1, 1), 92)


@pytest.mark.parametrize("kind, text, says", [
    (PeriodKind.WEEK, "2026-W54", "2026 has weeks 1 to 53"),
    (PeriodKind.WEEK, "2025-W53", "2025 has weeks 1 to 52"),
    (PeriodKind.MONTH, "2026-13", "months run from 01 to 12"),
    (PeriodKind.QUARTER, "2026-Q5", "quarters run from Q1 to Q4"),
    (PeriodKind.WEEK, "2026-11", "a week like 2026-W48"),
    (PeriodKind.MONTH, "next month", "a month like 2026-11"),
])
def test_a_period_that_does_not_exist_is_refused_with_the_reason(kind, text, says):
    with pytest.raises(PeriodError, match=says):
        parse_period(kind, text, CHICAGO)


# Leading measures


def test_touches_by_kind_follow_the_sellers_week_in_chicago(quarter):
    # T2 call, T3 meeting (Sunday night in Chicago), T4 email, T9 social; T1 is last week there; T5 is a note.
    assert m.touches_by_kind(week(), m.Scope.of(quarter.sam)) == {
        "email": 1, "call": 1, "meeting": 1, "social": 1, "other": 0}


def test_the_same_week_in_utc_takes_sunday_nights_touch_and_drops_the_next(quarter):
    # In UTC, T1 (Mon 05:30) falls in week 48 and T3 (Mon 05:00 of week 49) does not.
    assert m.touches_by_kind(week(zone="UTC"), m.Scope.of(quarter.sam)) == {
        "email": 2, "call": 1, "meeting": 0, "social": 1, "other": 0}


def test_touches_for_seller_team_and_company(quarter):
    # November in Chicago: sam T1 T2 T3 T4 T9 = 5; the team adds Ravi's R1 = 6; the company adds Maya's M1 = 7.
    assert m.touches(month(), m.Scope.of(quarter.sam)) == 5
    assert m.touches(month(), m.Scope.team()) == 6
    assert m.touches(month(), m.Scope.company()) == 7
    assert m.touches(month(), m.Scope.of(quarter.ravi)) == 1  # a seller who left keeps his numbers


def test_a_new_conversation_is_a_persons_first_reply_ever(quarter):
    # Dana's first inbound is T6 in week 48; Lee replied in October first (T8a), so T8b is not new.
    assert m.new_conversations(week(), m.Scope.of(quarter.sam)) == 1
    assert m.new_conversations(month("2026-10"), m.Scope.of(quarter.sam)) == 1
    assert m.new_conversations(month(), m.Scope.company()) == 1


def test_meetings_held_are_meetings_in_the_past(quarter):
    assert m.meetings_held(week(), m.Scope.of(quarter.sam), now=AFTER) == 1
    # On Thursday the 26th, Sunday's meeting has not been held yet.
    assert m.meetings_held(week(), m.Scope.of(quarter.sam), now=utc(11, 26, 12)) == 0


def test_people_touched_counts_each_person_once(quarter):
    # Dana (T2 T3 T4) and Lee (T9); Maya's M1 is to Dana again.
    assert m.people_touched(week(), m.Scope.of(quarter.sam)) == 2
    assert m.people_touched(week(), m.Scope.company()) == 2


# Lagging measures


def test_pipeline_created_is_counted_and_valued_per_currency(quarter):
    # November: D3 USD 10k, D5 USD 50k, D6 EUR 20k (sam) and D7 USD 5k (Maya).
    sams = m.pipeline_created(month(), m.Scope.of(quarter.sam))
    assert (sams.count, sams.value) == (3, {"USD": 6_000_000, "EUR": 2_000_000})
    company = m.pipeline_created(month(), m.Scope.company())
    assert (company.count, company.value) == (4, {"USD": 6_500_000, "EUR": 2_000_000})


def test_won_and_lost_read_where_a_deal_ended_up(quarter):
    # November won: D1 (sam), D4 (Ravi, who left), D7 (Maya). Lost: D3.
    # D2 was lost in October but reopened and won in December: it is lost nowhere.
    assert m.won(month(), m.Scope.of(quarter.sam)).value == {"USD": 2_400_000}
    assert m.won(month(), m.Scope.team()).value == {"USD": 3_000_000}
    assert m.won(month(), m.Scope.company()).count == 3
    assert m.lost(month("2026-10"), m.Scope.company()).count == 0
    assert m.lost(q4(), m.Scope.company()).value == {"USD": 1_000_000}
    assert m.won(month("2026-12"), m.Scope.of(quarter.sam)).value == {"EUR": 1_000_000}


def test_win_rate(quarter):
    assert m.win_rate(month(), m.Scope.of(quarter.sam)) == 50  # 1 won, 1 lost
    assert round(m.win_rate(month(), m.Scope.team()), 2) == Decimal("66.67")  # 2 won, 1 lost
    assert m.win_rate(month(), m.Scope.company()) == 75  # 3 won, 1 lost
    assert m.win_rate(month("2026-10"), m.Scope.company()) is None  # nothing closed for good


def test_average_deal_size_stays_in_its_currency(quarter):
    assert m.average_deal_size(q4(), m.Scope.of(quarter.sam)) == {"USD": 2_400_000, "EUR": 1_000_000}
    assert m.average_deal_size(q4(), m.Scope.team()) == {"USD": 1_500_000, "EUR": 1_000_000}  # (24k+6k)/2


def test_sales_cycle_counts_moves_back_and_time_spent_lost(quarter):
    # D1 Oct 5 -> Nov 24 = 50 days (with a move back); D2 Oct 12 -> Dec 2 = 51 days (lost and reopened).
    assert m.sales_cycle_days(q4(), m.Scope.of(quarter.sam)) == Decimal("50.5")
    # The team adds Ravi's D4, Oct 2 -> Nov 4 = 33 days: (50 + 51 + 33) / 3.
    assert m.sales_cycle_days(q4(), m.Scope.team()) == Decimal(134) / 3
    assert m.sales_cycle_days(week("2026-W40"), m.Scope.team()) is None


def test_stage_conversion_and_time_in_stage_in_november(quarter):
    flow = {step.stage.name: step for step in m.stage_flow(month(), m.Scope.of(quarter.sam))}
    # Qualify: D3 (then lost), D5 (on to Proposal), D6 (on to Discovery) -> 2 of 3.
    # Discovery: D2 (reopened, then won), D6 (on to Demo) -> 2 of 2.
    # Demo: D1 (on to Proposal), D6 (still there) -> 1 of 2. Proposal: D1 won -> 1 of 1.
    assert {n: (s.entered, s.advanced) for n, s in flow.items()} == {
        "Qualify": (3, 2), "Discovery": (2, 2), "Demo": (2, 1), "Proposal": (1, 1), "Negotiation": (0, 0)}
    assert flow["Demo"].conversion == 50
    # Left in November: Qualify D3 after 17 days and D6 after 2; Discovery D1 after 8 (Oct 25 -> Nov 2)
    # and D6 after 4; Demo D1 after 8; Proposal D1 after 14.
    assert {n: s.days_in_stage for n, s in flow.items()} == {
        "Qualify": Decimal("9.5"), "Discovery": Decimal(6), "Demo": Decimal(8), "Proposal": Decimal(14),
        "Negotiation": None}


def test_a_deal_moved_back_counts_once_per_stage_and_still_converts(quarter):
    # October: D1 entered Discovery twice (Oct 10, and back on Oct 25) and moved on to Demo in November.
    # D2 left Qualify for Lost: entered, not converted (its reopening goes from Lost, not from Qualify).
    flow = {step.stage.name: step for step in m.stage_flow(month("2026-10"), m.Scope.of(quarter.sam))}
    assert (flow["Discovery"].entered, flow["Discovery"].advanced) == (1, 1)
    assert (flow["Qualify"].entered, flow["Qualify"].advanced) == (2, 1)


# Forecast


def test_forecast_weights_by_stage_and_commits_only_checked_deals(quarter):
    december = month("2026-12")
    forecast = m.forecast(december, m.Scope.of(quarter.sam))
    # D5 USD 50k at Proposal (65%) with its criteria checked; D6 EUR 20k at Demo (45%), nothing checked.
    assert forecast.deals == 2
    assert forecast.pipeline == {"USD": 5_000_000, "EUR": 2_000_000}
    assert forecast.weighted == {"USD": 3_250_000, "EUR": 900_000}
    assert forecast.commit == {"USD": 5_000_000}
    deals = {d.title: (d.weighted_x100 // 100, d.committed) for d in m.forecast_deals(december, m.Scope.company())}
    assert deals == {"Acme rollout": (3_250_000, True), "Globex depots": (900_000, False)}
    assert m.forecast(month(), m.Scope.company()).deals == 0


def test_unchecking_a_criterion_takes_the_deal_out_of_commit(quarter, stages):
    from touchbase.crm.services import deal_check_criterion

    criterion = stages["Proposal"].exit_criteria.first()
    deal_check_criterion(actor=quarter.sam, deal=quarter.deals["D5"], criterion=criterion, checked=False)
    assert m.forecast(month("2026-12"), m.Scope.company()).commit == {}


# Deals that moved, slipped, went quiet


def test_moves_slips_and_quiet_deals(quarter):
    moves = [(c.deal.title, c.to_stage.name) for c in m.stage_moves(week(), m.Scope.company())]
    assert moves == [("Acme platform", "Won")]  # D5 was created in week 48 but did not move until December
    # D5 was due Dec 15 and D6 Dec 20; on Dec 22 both have slipped, in December and in week 51 (Dec 14-20).
    on_22nd = utc(12, 22)
    assert [d.title for d in m.slipped_deals(month("2026-12"), m.Scope.company(), now=on_22nd)] == [
        "Acme rollout", "Globex depots"]
    assert m.slipped_deals(week("2026-W51"), m.Scope.company(), now=on_22nd).count() == 2
    assert m.slipped_deals(week("2026-W50"), m.Scope.company(), now=on_22nd).count() == 0
    # Seen on Dec 16, D6's due date (Dec 20) has not passed yet.
    assert m.slipped_deals(month("2026-12"), m.Scope.company(), now=utc(12, 16)).count() == 1


def test_a_deal_goes_quiet_in_the_period_its_two_weeks_without_a_touch_run_out(quarter):
    from touchbase.crm.services import touch_log

    d5, d6 = quarter.deals["D5"], quarter.deals["D6"]
    touch_log(actor=quarter.sam, kind="call", summary="Pricing", deal=d6, happened_at=utc(11, 20))
    touch_log(actor=quarter.sam, kind="call", summary="Rollout", deal=d5, happened_at=utc(12, 1))
    # D6's last touch is Nov 20: quiet from Dec 4, in week 49 (Nov 30 - Dec 6). D5's runs out Dec 15.
    assert [d.title for d in m.quiet_deals(week("2026-W49"), m.Scope.company(), now=AFTER)] == ["Globex depots"]
    assert [d.title for d in m.quiet_deals(week("2026-W51"), m.Scope.company(), now=AFTER)] == ["Acme rollout"]
    assert {d.title for d in m.quiet_deals(month("2026-12"), m.Scope.company(), now=AFTER)} == {
        "Acme rollout", "Globex depots"}
    # On Dec 10, D5 was touched nine days before: not quiet yet.
    assert [d.title for d in m.quiet_deals(month("2026-12"), m.Scope.company(), now=utc(12, 10))] == [
        "Globex depots"]
    # A touch after the silence began wakes the deal up again.
    touch_log(actor=quarter.sam, kind="email", summary="Checking in", deal=d6, happened_at=utc(12, 5))
    assert m.quiet_deals(week("2026-W49"), m.Scope.company(), now=AFTER).count() == 0


# Money across currencies


def test_currencies_convert_only_with_a_rate_from_the_table(quarter, alice):
    won = m.won(q4(), m.Scope.of(quarter.sam)).value
    assert won == {"USD": 2_400_000, "EUR": 1_000_000}
    missing = convert(won, "USD", date(2026, 12, 31))
    assert (missing.minor, missing.missing) == (None, ["EUR"])
    assert "no rate for EUR" in missing.text()
    services.rate_set(actor=alice, currency="EUR", to_currency="USD", rate=Decimal("1.10"),
                      valid_from=date(2026, 10, 1))
    services.rate_set(actor=alice, currency="EUR", to_currency="USD", rate=Decimal("1.20"),
                      valid_from=date(2027, 1, 1))  # not yet in force at the quarter's end
    assert convert(won, "USD", date(2026, 12, 31)).minor == 3_500_000  # 24,000 + 10,000 x 1.10
    # The other way round, through the inverse: 24,000 / 1.10 = 21,818.18 + 10,000.
    assert convert(won, "EUR", date(2026, 12, 31)).minor == 3_181_818


def test_only_an_admin_keeps_the_rates(maya):
    with pytest.raises(PermissionDenied):
        services.rate_set(actor=maya, currency="EUR", to_currency="USD", rate=Decimal("1.1"), valid_from=date.today())
    assert not CurrencyRate.objects.exists()


def test_amounts_never_add_across_currencies():
    total = Amounts({"USD": 100}).plus(Amounts({"EUR": 50, "USD": 1}))
    assert total == {"USD": 101, "EUR": 50}
    assert total.text() == "€0.50 + $1.01"


# Targets, ramp and pace


def test_a_new_sellers_target_ramps_50_then_75_percent(quarter, maya):
    services.target_set(actor=maya, measure="touches", period="week", amount=60, seller=quarter.sam,
                        starts_on=date(2026, 10, 1))
    sam = m.Scope.of(quarter.sam)
    assert services.target_for("touches", sam, week()).amount == 45  # November is month 2: 75% of 60
    assert services.target_for("touches", sam, week("2026-W41")).amount == 30  # October: 50%
    assert services.target_for("touches", sam, week("2026-W50")).amount == 60
    # A weekly target over November: 60/7 a day x 30 days x 75% = 192.86.
    assert services.target_for("touches", sam, month()).amount == 193
    # Over the quarter: 60/7 x (31 x 50% + 30 x 75% + 31) = 60/7 x 69 = 591.43.
    assert services.target_for("touches", sam, q4()).amount == 591


def test_a_seller_who_left_carries_his_target_only_for_the_days_he_was_here(quarter, maya):
    services.target_set(actor=maya, measure="won_value", period="quarter", amount=3_000_000, currency="USD",
                        seller=quarter.ravi, starts_on=date(2026, 7, 1), ramp=False)
    target = Target.objects.get(seller=quarter.ravi)
    services.target_end(actor=maya, target=target, last_day=date(2026, 11, 15))
    services.target_set(actor=maya, measure="won_value", period="quarter", amount=4_000_000, currency="USD",
                        seller=quarter.sam, starts_on=date(2026, 7, 1), ramp=False)
    # Ravi: Oct 1 - Nov 15 is 46 of Q4's 92 days -> half of 30,000.
    assert services.target_for("won_value", m.Scope.of(quarter.ravi), q4()).amount == 1_500_000
    team = services.target_for("won_value", m.Scope.team(), q4())
    assert (team.amount, team.currency) == (5_500_000, "USD")
    # No company-wide target: the company's is the team's.
    assert services.target_for("won_value", m.Scope.company(), q4()).amount == 5_500_000
    assert services.target_for("won_value", m.Scope.of(quarter.ravi), parse_period("quarter", "2027-Q1", CHICAGO)) is None


def test_a_new_target_ends_the_one_it_replaces(quarter, maya):
    services.target_set(actor=maya, measure="meetings", period="month", amount=8, starts_on=date(2026, 1, 1))
    services.target_set(actor=maya, measure="meetings", period="month", amount=12, starts_on=date(2026, 11, 16))
    # November: 8 for the 15 days before, 12 for the 15 days after -> 4 + 6.
    assert services.target_for("meetings", m.Scope.company(), month()).amount == 10
    first = Target.objects.get(amount=8)
    assert first.ends_on == date(2026, 11, 15)


@pytest.mark.parametrize("fields, field", [
    ({"amount": -1}, "amount"),
    ({"measure": "happiness"}, "measure"),
    ({"period": "fortnight"}, "period"),
    ({"measure": "won_value"}, "currency"),
    ({"currency": "USD"}, "currency"),
    ({"measure": "win_rate", "amount": 120}, "amount"),
])
def test_a_bad_target_is_refused_and_nothing_is_saved(maya, fields, field):
    args = {"measure": "touches", "period": "week", "amount": 60, "starts_on": date(2026, 10, 1), **fields}
    with pytest.raises(ValidationError) as refused:
        services.target_set(actor=maya, **args)
    assert field in refused.value.message_dict
    assert not Target.objects.exists()


def test_a_seller_cannot_set_targets_and_a_manager_is_no_seller(quarter, sam, maya):
    with pytest.raises(PermissionDenied):
        services.target_set(actor=sam, measure="touches", period="week", amount=100, starts_on=date(2026, 10, 1))
    with pytest.raises(ValidationError, match="not a seller"):
        services.target_set(actor=maya, measure="touches", period="week", amount=1, seller=maya,
                            starts_on=date(2026, 10, 1))


def test_ramp_factor_by_month_of_tenure(quarter):
    sam = quarter.sam  # joined Oct 1 (Chicago)
    assert [services.ramp_factor(sam, d) for d in (date(2026, 9, 30), date(2026, 10, 31), date(2026, 11, 1),
                                                   date(2026, 12, 1))] == [0, Fraction(1, 2), Fraction(3, 4), 1]


def test_pace_projects_the_period_at_the_rate_so_far():
    w = week()
    # Thursday 00:00 in Chicago: 3 of 7 days gone; 4 touches so far -> 9.33 by Sunday night.
    assert round(services.pace(4, w, utc(11, 26, 6)), 2) == Decimal("9.33")
    assert services.pace(4, w, AFTER) == 4  # a past period ends where it ended
    assert services.pace(4, w, utc(11, 1)) is None  # not started


def test_the_leaderboards_grouped_figures_equal_each_sellers_own(quarter):
    for period in (week(), month(), q4()):
        board = m.per_seller(period, now=AFTER)
        for seller in (quarter.sam, quarter.ravi, quarter.maya):
            scope, figures = m.Scope.of(seller), board.get(seller.pk) or m.SellerFigures()
            assert figures.touches == m.touches(period, scope)
            assert figures.meetings == m.meetings_held(period, scope, now=AFTER)
            assert figures.conversations == m.new_conversations(period, scope)
            assert figures.proposals == m.proposals_sent(period, scope)
            assert figures.created == m.pipeline_created(period, scope).value
            assert figures.won == m.won(period, scope).value
            assert figures.win_rate == m.win_rate(period, scope)


def test_targets_read_once_give_the_same_answer_as_targets_queried(quarter, maya):
    services.target_set(actor=maya, measure="touches", period="week", amount=60, seller=quarter.sam,
                        starts_on=date(2026, 10, 1))
    services.target_set(actor=maya, measure="touches", period="week", amount=40, seller=quarter.ravi,
                        starts_on=date(2026, 10, 1))
    pool = list(Target.objects.select_related("seller"))
    for scope in (m.Scope.of(quarter.sam), m.Scope.team(), m.Scope.company()):
        for period in (week(), month(), q4()):
            assert services.target_for("touches", scope, period, pool=pool) == services.target_for(
                "touches", scope, period)


def test_people_enrolled_in_outreach_count_each_person_once(quarter):
    from django.apps import apps

    if not apps.is_installed("touchbase.outreach"):
        pytest.skip("the outreach app is not installed")
    from touchbase.outreach.models import Enrollment, Mailbox, Sequence

    mailbox = Mailbox.objects.create(owner=quarter.sam, email="sam@example.com", smtp_host="127.0.0.1",
                                     username="sam", password_encrypted="-")
    sequence = Sequence.objects.create(name="Intro", owner=quarter.sam)
    for person, status in ((quarter.dana, "finished"), (quarter.dana, "active"), (quarter.lee, "active")):
        enrollment = Enrollment.objects.create(sequence=sequence, person=person, owner=quarter.sam,
                                               mailbox=mailbox, status=status)
        Enrollment.objects.filter(pk=enrollment.pk).update(created_at=utc(11, 24))
    assert m.people_enrolled(week(), m.Scope.of(quarter.sam)) == 2  # Dana twice, Lee once
    assert m.people_enrolled(week(), m.Scope.of(quarter.ravi)) == 0
    assert m.people_enrolled(week().previous(), m.Scope.company()) == 0
