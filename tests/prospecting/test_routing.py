"""Who gets an inbound lead: their owner, the first matching rule, else the next seller in turn; never someone away."""

from collections import Counter
from datetime import date, datetime, timedelta

from touchbase.prospecting.routing import Facts, Rule, choose_owner, next_in_turn, on_duty

TODAY = date(2026, 11, 25)
SAM, RAVI, LEE = 1, 2, 3


def route(facts=None, sellers=(SAM, RAVI, LEE), rules=(), away=None, last=None, current=None):
    return choose_owner(facts=facts or Facts(), sellers=list(sellers), rules=list(rules), away_until=away or {}, today=TODAY,
                        last_assigned=last or {}, current_owner=current)


def deal_out(n, sellers=(SAM, RAVI, LEE), away=None):
    """Route n leads one after another, as the service does, and count who got them."""
    last, got, clock = {}, [], datetime(2026, 11, 25, 9)
    for _ in range(n):
        owner = route(sellers=sellers, away=away, last=last).owner_id
        clock += timedelta(minutes=1)
        last[owner] = clock
        got.append(owner)
    return got


def test_round_robin_deals_leads_out_in_turn():
    assert deal_out(6) == [SAM, RAVI, LEE, SAM, RAVI, LEE]


def test_round_robin_is_fair_over_many_leads():
    assert Counter(deal_out(300)) == {SAM: 100, RAVI: 100, LEE: 100}


def test_a_seller_who_is_away_gets_no_leads():
    got = deal_out(10, away={RAVI: TODAY + timedelta(days=3)})
    assert RAVI not in got
    assert Counter(got) == {SAM: 5, LEE: 5}


def test_away_until_includes_the_day_itself_and_ends_after_it():
    assert on_duty([SAM, RAVI], {RAVI: TODAY}, TODAY) == [SAM]
    assert on_duty([SAM, RAVI], {RAVI: TODAY - timedelta(days=1)}, TODAY) == [SAM, RAVI]


def test_a_seller_back_from_holiday_gets_the_next_lead_but_no_backlog():
    t = datetime(2026, 11, 25, 9)
    last = {SAM: t, LEE: t + timedelta(minutes=1), RAVI: t - timedelta(days=7)}
    assert next_in_turn([SAM, RAVI, LEE], last) == RAVI
    last[RAVI] = t + timedelta(minutes=2)
    assert next_in_turn([SAM, RAVI, LEE], last) == SAM


def test_a_known_person_stays_with_their_owner():
    choice = route(current=LEE, last={SAM: None})
    assert (choice.owner_id, choice.reason) == (LEE, "already their owner")


def test_a_known_person_whose_owner_is_away_goes_round_the_others():
    assert route(current=SAM, away={SAM: TODAY}).owner_id == RAVI


def test_the_first_matching_rule_wins():
    rules = [Rule(owner_id=LEE, country="DE"), Rule(owner_id=RAVI, tier="A"), Rule(owner_id=SAM, country="DE")]
    choice = route(Facts(country="DE", tier="A"), rules=rules)
    assert (choice.owner_id, choice.reason) == (LEE, "rule 1: country DE")
    assert route(Facts(country="US", tier="A"), rules=rules).owner_id == RAVI


def test_a_rule_by_company_size_needs_a_known_size():
    big = Rule(owner_id=LEE, min_employees=500)
    small = Rule(owner_id=RAVI, max_employees=49)
    assert route(Facts(employee_count=1200), rules=[big, small]).owner_id == LEE
    assert route(Facts(employee_count=20), rules=[big, small]).owner_id == RAVI
    assert route(Facts(employee_count=None), rules=[big, small]).reason == "round robin"


def test_every_condition_of_a_rule_must_hold():
    rule = Rule(owner_id=LEE, country="GB", tier="A", min_employees=50, max_employees=1000)
    assert rule.matches(Facts(country="gb", tier="A", employee_count=50))
    assert not rule.matches(Facts(country="GB", tier="B", employee_count=50))
    assert not rule.matches(Facts(country="GB", tier="A", employee_count=1001))


def test_a_rule_whose_seller_is_away_is_passed_over():
    rules = [Rule(owner_id=LEE, country="DE")]
    choice = route(Facts(country="DE"), rules=rules, away={LEE: TODAY})
    assert choice.owner_id in (SAM, RAVI) and choice.reason == "round robin"


def test_nobody_on_duty_is_said_plainly():
    choice = route(sellers=[SAM], away={SAM: TODAY})
    assert choice == choice.__class__(None, "nobody on duty")
