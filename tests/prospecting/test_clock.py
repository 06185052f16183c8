"""The response clock counts working time only: 09:00-17:00 Monday to Friday in the owner's zone, no holidays."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from touchbase.core.calendar import add_working_time, working_time_between
from touchbase.prospecting.inbound import RESPONSE_HOURS, response_calendar

UTC_CAL = response_calendar(ZoneInfo("UTC"))
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_an_hour_inside_the_working_day_is_an_hour():
    # Wednesday 2026-11-25 10:00
    assert add_working_time(utc(2026, 11, 25, 10), HOUR, UTC_CAL) == utc(2026, 11, 25, 11)


def test_what_is_left_at_closing_time_carries_over_to_the_next_morning():
    assert add_working_time(utc(2026, 11, 25, 16, 30), HOUR, UTC_CAL) == utc(2026, 11, 26, 9, 30)


def test_a_lead_that_comes_in_at_night_starts_its_clock_at_nine():
    assert add_working_time(utc(2026, 11, 25, 22), HOUR, UTC_CAL) == utc(2026, 11, 26, 10)
    assert add_working_time(utc(2026, 11, 26, 6), HOUR, UTC_CAL) == utc(2026, 11, 26, 10)


def test_the_weekend_does_not_count():
    friday_afternoon = utc(2026, 11, 27, 16)
    assert add_working_time(friday_afternoon, 4 * HOUR, UTC_CAL) == utc(2026, 11, 30, 12)  # Monday noon
    assert add_working_time(utc(2026, 11, 28, 12), HOUR, UTC_CAL) == utc(2026, 11, 30, 10)  # Saturday lead
    assert working_time_between(friday_afternoon, utc(2026, 11, 30, 12), UTC_CAL) == 4 * HOUR


def test_a_holiday_does_not_count():
    holiday = response_calendar(ZoneInfo("UTC"), frozenset({date(2026, 11, 26)}))  # Thursday
    assert add_working_time(utc(2026, 11, 25, 16), 2 * HOUR, holiday) == utc(2026, 11, 27, 10)
    assert working_time_between(utc(2026, 11, 25, 16), utc(2026, 11, 27, 10), holiday) == 2 * HOUR


def test_twenty_four_working_hours_are_three_working_days():
    assert add_working_time(utc(2026, 11, 23, 9), 24 * HOUR, UTC_CAL) == utc(2026, 11, 25, 17)


def test_the_owners_time_zone_sets_the_working_day():
    berlin = response_calendar(BERLIN)
    # 16:30 UTC is 17:30 in Berlin in winter: after hours, so the clock starts at 09:00 Berlin (08:00 UTC).
    assert add_working_time(utc(2026, 11, 25, 16, 30), HOUR, berlin) == utc(2026, 11, 26, 9)
    # The same moment is 11:30 in New York: well inside the day.
    assert add_working_time(utc(2026, 11, 25, 16, 30), HOUR, response_calendar(NEW_YORK)) == \
        utc(2026, 11, 25, 17, 30)


def test_the_daylight_saving_change_moves_the_day_in_utc_not_its_length():
    berlin = response_calendar(BERLIN)
    # Berlin springs forward on Sunday 2026-03-29: Friday 17:00 is 16:00 UTC, Monday 09:00 is 07:00 UTC.
    friday = datetime(2026, 3, 27, 16, tzinfo=BERLIN)
    due = add_working_time(friday, 2 * HOUR, berlin)
    assert due == datetime(2026, 3, 30, 10, tzinfo=BERLIN)
    assert due.astimezone(UTC) == utc(2026, 3, 30, 8)
    assert working_time_between(friday, due, berlin) == 2 * HOUR
    # And a whole working day after the change is still eight hours.
    assert working_time_between(datetime(2026, 3, 30, 0, tzinfo=BERLIN), datetime(2026, 3, 31, 0, tzinfo=BERLIN),
                                berlin) == 8 * HOUR


def test_the_autumn_change_in_new_york_keeps_eight_hour_days():
    ny = response_calendar(NEW_YORK)
    # New York falls back on Sunday 2026-11-01.
    friday = datetime(2026, 10, 30, 15, tzinfo=NEW_YORK)
    assert add_working_time(friday, 4 * HOUR, ny) == datetime(2026, 11, 2, 11, tzinfo=NEW_YORK)
    assert add_working_time(friday, 4 * HOUR, ny).astimezone(UTC) == utc(2026, 11, 2, 16)


def test_no_working_time_passes_between_a_moment_and_an_earlier_one():
    assert working_time_between(utc(2026, 11, 25, 12), utc(2026, 11, 25, 10), UTC_CAL) == timedelta(0)


def test_working_time_between_is_the_inverse_of_adding_it():
    start = utc(2026, 11, 20, 14, 17)
    for hours in (1, 3, 8, 13, 24, 40):
        end = add_working_time(start, hours * HOUR, response_calendar(BERLIN, frozenset({date(2026, 11, 24)})))
        assert working_time_between(start, end, response_calendar(BERLIN, frozenset({date(2026, 11, 24)}))) \
            == hours * HOUR


def test_a_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        add_working_time(datetime(2026, 11, 25, 10), HOUR, UTC_CAL)


LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def test_a_lead_arriving_as_the_clocks_spring_forward_starts_its_clock_on_monday_morning():
    # Berlin jumps from 02:00 to 03:00 on Sunday 2026-03-29, at 01:00 UTC.
    due = add_working_time(utc(2026, 3, 29, 1), HOUR, response_calendar(BERLIN))
    assert due == datetime(2026, 3, 30, 10, tzinfo=BERLIN)


def test_a_lead_arriving_in_the_second_pass_of_the_autumn_hour_starts_its_clock_on_monday_morning():
    second_0130 = utc(2026, 11, 1, 6, 30)  # 01:30 EST in New York, after 01:30 EDT
    assert add_working_time(second_0130, HOUR, response_calendar(NEW_YORK)) == datetime(2026, 11, 2, 10,
                                                                                       tzinfo=NEW_YORK)


def test_lord_howes_half_hour_change_keeps_the_working_day_eight_hours():
    lord_howe = response_calendar(LORD_HOWE)
    # Lord Howe moves from +10:30 to +11 on Sunday 2026-10-04.
    friday = datetime(2026, 10, 2, 16, 30, tzinfo=LORD_HOWE)
    due = add_working_time(friday, 2 * HOUR, lord_howe)
    assert due == datetime(2026, 10, 5, 10, 30, tzinfo=LORD_HOWE)
    assert due.astimezone(UTC) == utc(2026, 10, 4, 23, 30)
    assert working_time_between(friday, due, lord_howe) == 2 * HOUR
    assert working_time_between(datetime(2026, 10, 5, tzinfo=LORD_HOWE), datetime(2026, 10, 6, tzinfo=LORD_HOWE),
                                lord_howe) == 8 * HOUR


def test_a_lead_arriving_on_a_holiday_starts_its_clock_the_next_working_morning():
    christmas = response_calendar(BERLIN, frozenset({date(2026, 12, 25)}))  # a Friday
    assert add_working_time(datetime(2026, 12, 25, 11, tzinfo=BERLIN), HOUR, christmas) == \
        datetime(2026, 12, 28, 10, tzinfo=BERLIN)


def test_zero_target_is_the_next_working_moment():
    assert add_working_time(utc(2026, 11, 28, 12), timedelta(0), UTC_CAL) == utc(2026, 11, 30, 9)  # Saturday
    assert add_working_time(utc(2026, 11, 25, 12), timedelta(0), UTC_CAL) == utc(2026, 11, 25, 12)


def test_the_response_clock_keeps_its_nine_to_five_hours():
    assert (RESPONSE_HOURS.opens, RESPONSE_HOURS.closes, sorted(RESPONSE_HOURS.days)) == (time(9), time(17),
                                                                                         [0, 1, 2, 3, 4])
