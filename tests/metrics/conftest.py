"""A small sales quarter built by hand (Q4 2026), whose every figure is worked out in the tests.

Sam sells from Chicago and joined on 1 October; Ravi left on 15 November; Maya
is a manager who closed one deal herself (company figures count it, the
sales team's do not). All times are UTC at 15:00 unless said otherwise, which
is 10:00 CDT before 1 November and 09:00 CST after.

Deals (owner, amount, history):
  D1 sam  USD 24,000  Qualify Oct 5, Discovery Oct 10, Demo Oct 20, back to Discovery Oct 25,
                      Demo Nov 2, Proposal Nov 10, Won Nov 24 (cycle 50 days)
  D2 sam  EUR 10,000  Qualify Oct 12, Lost Oct 30, reopened to Discovery Nov 5, Won Dec 2 (51 days)
  D3 sam  USD 10,000  Qualify Nov 3, Lost Nov 20
  D4 ravi USD  6,000  Qualify Oct 2, Won Nov 4 (33 days)
  D5 sam  USD 50,000  Qualify Nov 25, Proposal Dec 1, closes Dec 15, Proposal criteria all checked
  D6 sam  EUR 20,000  Qualify Nov 10, Discovery Nov 12, Demo Nov 16, closes Dec 20, nothing checked
  D7 maya USD  5,000  Qualify Nov 1, Won Nov 18
Touches: see `touches` below.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from touchbase.crm import services
from touchbase.crm.models import Deal, StageChange


def utc(month, day, hour=15, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Quarter:
    sam: object
    ravi: object
    maya: object
    dana: object
    lee: object
    deals: dict


def _deal(owner, company, title, amount_minor, currency, created, moves, stages, **fields):
    deal = services.deal_create(actor=owner, company=company, title=title, amount_minor=amount_minor,
                                currency=currency, stage=stages["Qualify"], **fields)
    # Deals are created "now" by the service; the story needs them created on their day.
    StageChange.objects.filter(deal=deal).update(changed_at=created)
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=created)
    deal.refresh_from_db()
    for stage_name, at in moves:
        services.deal_move_stage(actor=owner, deal=deal, stage=stages[stage_name], at=at,
                                 override_reason="moved by the story", lost_reason="No budget")
    return deal


@pytest.fixture
def quarter(sam, ravi, maya, acme, dana, stages):
    for user in (sam, ravi, maya):
        user.time_zone = "America/Chicago"
    sam.date_joined = utc(10, 1, 12)
    ravi.date_joined = utc(1, 5, year=2025)
    maya.date_joined = utc(1, 5, year=2025)
    for user in (sam, ravi, maya):
        user.save()
    globex = services.company_create(actor=sam, name="Globex")
    lee = services.person_create(actor=sam, first_name="Lee", last_name="Park", company=globex)

    deals = {
        "D1": _deal(sam, acme, "Acme platform", 2_400_000, "USD", utc(10, 5),
                    [("Discovery", utc(10, 10)), ("Demo", utc(10, 20)), ("Discovery", utc(10, 25)),
                     ("Demo", utc(11, 2)), ("Proposal", utc(11, 10)), ("Won", utc(11, 24))], stages),
        "D2": _deal(sam, globex, "Globex Europe", 1_000_000, "EUR", utc(10, 12),
                    [("Lost", utc(10, 30)), ("Discovery", utc(11, 5)), ("Won", utc(12, 2))], stages),
        "D3": _deal(sam, acme, "Acme spares", 1_000_000, "USD", utc(11, 3), [("Lost", utc(11, 20))], stages),
        "D4": _deal(ravi, globex, "Globex pilot", 600_000, "USD", utc(10, 2), [("Won", utc(11, 4))], stages),
        "D5": _deal(sam, acme, "Acme rollout", 5_000_000, "USD", utc(11, 25), [("Proposal", utc(12, 1))], stages,
                    expected_close=date(2026, 12, 15)),
        "D6": _deal(sam, globex, "Globex depots", 2_000_000, "EUR", utc(11, 10),
                    [("Discovery", utc(11, 12)), ("Demo", utc(11, 16))], stages, expected_close=date(2026, 12, 20)),
        "D7": _deal(maya, acme, "Acme training", 500_000, "USD", utc(11, 1), [("Won", utc(11, 18))], stages),
    }
    for criterion in stages["Proposal"].exit_criteria.all():
        services.deal_check_criterion(actor=sam, deal=deals["D5"], criterion=criterion)

    def touch(actor, kind, at, person, direction="out"):
        services.touch_log(actor=actor, kind=kind, summary=f"{kind} {direction}", person=person,
                           direction=direction, happened_at=at)

    touch(sam, "email", utc(11, 23, 5, 30), dana)  # T1 Sunday 23:30 in Chicago: week 47 there, week 48 in UTC
    touch(sam, "call", utc(11, 23, 6, 30), dana)  # T2 Monday 00:30 in Chicago: week 48
    touch(sam, "meeting", utc(11, 30, 5), dana)  # T3 Sunday 23:00 in Chicago: week 48 there, week 49 in UTC
    touch(sam, "email", utc(11, 24), dana)  # T4
    touch(sam, "note", utc(11, 24, 16), dana)  # T5 a memo, not a touch
    touch(sam, "email", utc(11, 25), dana, "in")  # T6 Dana's first reply: a new conversation
    touch(sam, "email", utc(11, 26), dana, "in")  # T7 her second
    touch(sam, "email", utc(10, 5), lee, "in")  # T8a Lee's first reply, in October
    touch(sam, "email", utc(11, 25, 16), lee, "in")  # T8b
    touch(sam, "social", utc(11, 27), lee)  # T9
    touch(ravi, "email", utc(11, 3), lee)  # R1
    touch(maya, "email", utc(11, 24, 17), dana)  # M1 a manager's touch: company, not team

    ravi.is_active = False  # left on 15 November
    ravi.save()
    return Quarter(sam, ravi, maya, dana, lee, deals)
