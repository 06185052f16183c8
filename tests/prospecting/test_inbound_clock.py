"""Each inbound lead's response clock: due in the owner's working hours by tier, stopped by the first
outbound touch, shown on Today when about to breach, escalated to the managers once when breached."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from touchbase.crm.models import Direction, Source, Task, Touch
from touchbase.crm.services import touch_log
from touchbase.prospecting import inbound
from touchbase.prospecting.models import InboundLead

WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def web_form(maya, sam):
    form = inbound.inbound_form_create(actor=maya, name="Website demo request")
    inbound.inbound_form_update(actor=maya, form=form, sellers=[sam])
    return form


def receive(form, email, now, **fields):
    return inbound.inbound_receive(form=form, submission=inbound.submission_clean({"email": email, **fields}),
                                   now=now).lead


def test_an_a_lead_is_due_one_working_hour_after_it_came_in(web_form, acme, dana):
    lead = receive(web_form, "dana@acme.example", WEDNESDAY_10)
    assert (lead.tier, lead.target_hours, lead.due_at) == ("A", 1, WEDNESDAY_10 + timedelta(hours=1))


def test_a_c_lead_on_friday_afternoon_is_due_days_later_in_working_time(web_form):
    friday_4pm = datetime(2026, 11, 27, 16, tzinfo=UTC)
    lead = receive(web_form, "jo@gmail.com", friday_4pm)
    # 24 working hours: 1 on Friday, 8 on Monday, 8 on Tuesday, the last 7 on Wednesday.
    assert (lead.tier, lead.due_at) == ("C", datetime(2026, 12, 2, 16, tzinfo=UTC))


def test_the_clock_runs_in_the_owners_time_zone_and_skips_holidays(web_form, maya, sam, acme, dana):
    sam.time_zone = "America/New_York"
    sam.save()
    inbound.holiday_add(actor=maya, day=date(2026, 11, 26), name="Thanksgiving")
    # 20:30 UTC on Wednesday is 15:30 in New York: inside Sam's day, so the hour ends at 16:30 there.
    lead = receive(web_form, "dana@acme.example", datetime(2026, 11, 25, 20, 30, tzinfo=UTC))
    assert lead.due_at == datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
    # At 16:30 New York (21:30 UTC), half an hour is left; Thursday is a holiday, so it runs on Friday.
    lead2 = receive(web_form, "lee@acme.example", datetime(2026, 11, 25, 21, 30, tzinfo=UTC), first_name="Lee")
    assert lead2.due_at == datetime(2026, 11, 27, 9, 30, tzinfo=sam_zone())


def test_an_owner_whose_stored_zone_names_nothing_is_clocked_in_the_sites_zone(web_form, sam, acme, dana, settings):
    from touchbase.accounts.models import User

    settings.TIME_ZONE = "America/New_York"
    User.objects.filter(pk=sam.pk).update(time_zone="Mars/Olympus")  # straight into the database
    # 20:30 UTC on Wednesday is 15:30 in New York: inside the day there, so the hour ends at 16:30 there.
    came_in = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)
    lead = receive(web_form, "dana@acme.example", came_in)
    assert (lead.owner_id, lead.tier, lead.due_at) == (sam.pk, "A", came_in + timedelta(hours=1))
    assert clock(lead, came_in + timedelta(minutes=50)).state == inbound.State.ABOUT_TO_BREACH
    assert clock(lead, came_in + timedelta(hours=1)).state == inbound.State.BREACHED


def sam_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/New_York")


def clock(lead, now):
    lead = inbound.with_responses(InboundLead.objects.filter(pk=lead.pk).select_related("owner")).get()
    return inbound.clocks([lead], now=now)[0][1]


def test_the_clock_is_running_then_about_to_breach_then_breached(web_form, acme, dana):
    lead = receive(web_form, "dana@acme.example", WEDNESDAY_10)  # A: one working hour
    assert clock(lead, WEDNESDAY_10 + timedelta(minutes=30)).state == inbound.State.RUNNING
    about = clock(lead, WEDNESDAY_10 + timedelta(minutes=46))
    assert (about.state, about.left) == (inbound.State.ABOUT_TO_BREACH, timedelta(minutes=14))
    assert clock(lead, WEDNESDAY_10 + timedelta(hours=1)).state == inbound.State.BREACHED


def test_the_first_outbound_touch_stops_the_clock(web_form, sam, acme, dana):
    lead = receive(web_form, "dana@acme.example", WEDNESDAY_10)
    touch_log(actor=sam, kind="call", summary="Called Dana back", person=dana,
              happened_at=WEDNESDAY_10 + timedelta(minutes=20))
    touch_log(actor=sam, kind="email", summary="Follow-up", person=dana,
              happened_at=WEDNESDAY_10 + timedelta(minutes=50))
    answered = clock(lead, WEDNESDAY_10 + timedelta(hours=3))
    assert (answered.state, answered.used) == (inbound.State.ANSWERED, timedelta(minutes=20))


def test_an_outbound_touch_before_the_lead_came_in_does_not_stop_its_clock(web_form, sam, acme, dana):
    touch_log(actor=sam, kind="email", summary="Cold email", person=dana, happened_at=WEDNESDAY_10 - timedelta(days=3))
    lead = receive(web_form, "dana@acme.example", WEDNESDAY_10)
    assert clock(lead, WEDNESDAY_10 + timedelta(hours=2)).state == inbound.State.BREACHED


def test_a_breach_creates_one_task_per_manager_and_a_second_check_adds_none(web_form, maya, alice, sam, acme, dana):
    lead = receive(web_form, "dana@acme.example", WEDNESDAY_10)
    later = WEDNESDAY_10 + timedelta(hours=2)

    first = inbound.inbound_check_breaches(now=later)
    again = inbound.inbound_check_breaches(now=later + timedelta(minutes=5))

    assert (first.escalated, again.escalated) == (1, 0)
    task = Task.objects.get()  # maya is the one manager; alice the admin is asked only when there is none
    assert (task.owner, task.person, task.source, task.done) == (maya, dana, Source.SYSTEM, False)
    assert "Dana Reyes" in task.title and "1 working hour" in task.title
    lead.refresh_from_db()
    assert lead.escalated_at == later


def test_a_lead_answered_in_time_is_never_escalated(web_form, maya, sam, acme, dana):
    lead = receive(web_form, "dana@acme.example", WEDNESDAY_10)
    answered_at = WEDNESDAY_10 + timedelta(minutes=40)
    touch_log(actor=sam, kind="call", summary="Called back", person=dana, happened_at=answered_at)

    checked = inbound.inbound_check_breaches(now=WEDNESDAY_10 + timedelta(hours=5))

    assert (checked.escalated, checked.answered) == (0, 1)
    assert not Task.objects.exists()
    lead.refresh_from_db()
    assert (lead.first_response_at, lead.escalated_at) == (answered_at, None)


def test_a_lead_not_yet_due_is_left_alone(web_form, maya, acme, dana):
    receive(web_form, "dana@acme.example", WEDNESDAY_10)
    assert inbound.inbound_check_breaches(now=WEDNESDAY_10 + timedelta(minutes=59)).escalated == 0
    assert not Task.objects.exists()


def test_the_command_escalates_too(web_form, maya, acme, dana, capsys, monkeypatch):
    receive(web_form, "dana@acme.example", WEDNESDAY_10)
    monkeypatch.setattr("django.utils.timezone.now", lambda: WEDNESDAY_10 + timedelta(hours=3))
    call_command("inbound", "check")
    assert "1 lead escalated" in capsys.readouterr().out
    assert Task.objects.filter(owner=maya).count() == 1


def test_the_report_gives_each_sellers_median_p90_and_breaches(web_form, maya, sam):
    answers = [10, 20, 30, 40, 90]  # minutes to the first call; C leads have 24 working hours
    for n, minutes in enumerate(answers):
        lead = receive(web_form, f"p{n}@gmail.com", WEDNESDAY_10)
        Touch.objects.create(kind="call", direction=Direction.OUT, person=lead.person, by=sam,
                             happened_at=WEDNESDAY_10 + timedelta(minutes=minutes), summary="Called back")
    late = receive(web_form, "late@gmail.com", WEDNESDAY_10)  # never answered; due after 24 working hours

    [row] = inbound.response_report(since=WEDNESDAY_10 - timedelta(days=1), now=WEDNESDAY_10 + timedelta(days=7))

    assert (row.owner, row.leads, row.answered, row.breaches) == (sam, 6, 5, 1)
    assert (row.median, row.p90) == (timedelta(minutes=30), timedelta(minutes=90))
    assert late.due_at < WEDNESDAY_10 + timedelta(days=7)


@pytest.mark.parametrize(("minutes", "text"), [(45, "45 min"), (65, "1 h 05 min"), (8 * 60 * 2 + 60, "2 d 1 h")])
def test_working_time_reads_in_minutes_hours_and_working_days(minutes, text):
    assert inbound.duration_text(timedelta(minutes=minutes)) == text
