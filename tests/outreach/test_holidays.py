"""The send window skips the team's holidays (prospecting's Holiday rows), across time zones and DST."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from touchbase.core.calendar import next_open
from touchbase.outreach import schedule
from touchbase.outreach.models import forget_team_holidays
from touchbase.outreach.services import sequence_enroll
from touchbase.prospecting.inbound import holiday_add, holiday_delete

BERLIN = ZoneInfo("Europe/Berlin")
NY = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _fresh_holidays():
    # A test's holidays roll back with its transaction; the kept copy must not outlive it.
    forget_team_holidays()
    yield
    forget_team_holidays()


def test_a_holiday_on_the_team_calendar_closes_every_sequence_window(maya, reno):
    holiday_add(actor=maya, day=date(2026, 12, 25), name="Christmas")
    window = reno.window
    assert not window.is_working_day(date(2026, 12, 25)) and window.is_working_day(date(2026, 12, 24))
    assert "holidays skipped" in window.describe()


def test_a_step_due_on_a_holiday_goes_the_next_business_day_at_the_same_local_time(maya, reno):
    holiday_add(actor=maya, day=date(2026, 12, 25))
    thursday = datetime(2026, 12, 24, 14, 40, tzinfo=NY)
    assert schedule.step_due_at(thursday, 1, NY, reno.window) == datetime(2026, 12, 28, 14, 40, tzinfo=NY)


def test_the_monday_after_the_spring_change_being_a_holiday_keeps_the_local_hour(maya, reno):
    # Europe goes to summer time on Sunday 29 March 2026; Monday 30 March is a holiday here.
    holiday_add(actor=maya, day=date(2026, 3, 30))
    friday = datetime(2026, 3, 27, 9, 40, tzinfo=BERLIN)  # 08:40 UTC in winter time
    due = schedule.step_due_at(friday, 1, BERLIN, reno.window)
    assert due.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 31, 9, 40)
    assert due.astimezone(UTC) == datetime(2026, 3, 31, 7, 40, tzinfo=UTC)  # summer time: an hour earlier in UTC


def test_a_message_held_to_the_window_skips_a_holiday_after_the_autumn_change(maya, reno):
    # New York leaves summer time on Sunday 1 November 2026; Monday 2 November is a holiday here.
    holiday_add(actor=maya, day=date(2026, 11, 2))
    saturday_evening = datetime(2026, 10, 31, 22, 0, tzinfo=UTC)
    opens = next_open(saturday_evening, reno.window.in_zone(NY))
    assert opens == datetime(2026, 11, 3, 8, 0, tzinfo=NY)
    assert opens.astimezone(UTC) == datetime(2026, 11, 3, 13, 0, tzinfo=UTC)


def test_enrolling_the_day_before_a_holiday_schedules_the_first_email_after_it(sam, maya, dana, reno,
                                                                                sams_mailbox):
    holiday_add(actor=maya, day=date(2026, 12, 25))
    christmas_eve_evening = datetime(2026, 12, 24, 23, 0, tzinfo=UTC)  # 18:00 in New York, past the window
    dana.time_zone = "America/New_York"
    dana.save(update_fields=["time_zone"])
    result = sequence_enroll(actor=sam, sequence=reno, people=[dana], now=christmas_eve_evening)
    assert result.enrolled[0].due_at == datetime(2026, 12, 28, 8, 0, tzinfo=NY)


def test_removing_a_holiday_reopens_the_day_at_once(maya, reno):
    holiday = holiday_add(actor=maya, day=date(2026, 12, 25))
    assert not reno.window.is_working_day(date(2026, 12, 25))
    holiday_delete(actor=maya, holiday=holiday)
    assert reno.window.is_working_day(date(2026, 12, 25))
