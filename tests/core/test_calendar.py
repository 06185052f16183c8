"""Working hours: one calendar, one daylight-saving rule, for the send window and the response clock alike."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from touchbase.core.calendar import (
    MAX_DAYS,
    NoWorkingTime,
    WorkingHours,
    add_working_days,
    add_working_time,
    instant,
    next_open,
    working_time_between,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute change
HOUR = timedelta(hours=1)
EVERY_DAY = frozenset(range(7))
NINE_TO_FIVE = WorkingHours(opens=time(9), closes=time(17))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_a_time_the_clocks_skip_names_the_moment_they_jump():
    # New York, 8 Mar 2026: 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
    assert instant(date(2026, 3, 8), time(2, 30), NY) == utc(2026, 3, 8, 7)
    assert instant(date(2026, 3, 8), time(2, 0), NY) == utc(2026, 3, 8, 7)
    # Berlin, 29 Mar 2026: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    assert instant(date(2026, 3, 29), time(2, 59, 59), BERLIN) == utc(2026, 3, 29, 1)
    # Lord Howe, 4 Oct 2026: 02:00 (+10:30) jumps to 02:30 (+11) at 15:30 UTC the day before.
    assert instant(date(2026, 10, 4), time(2, 15), LORD_HOWE) == utc(2026, 10, 3, 15, 30)
    # Times either side of a gap are untouched.
    assert instant(date(2026, 3, 8), time(1, 59), NY) == utc(2026, 3, 8, 6, 59)
    assert instant(date(2026, 3, 8), time(3, 0), NY) == utc(2026, 3, 8, 7)
    assert instant(date(2026, 10, 4), time(2, 30), LORD_HOWE) == utc(2026, 10, 3, 15, 30)


def test_a_time_the_clocks_show_twice_names_the_first():
    # New York, 1 Nov 2026: 01:00-02:00 happens in EDT, then again in EST.
    assert instant(date(2026, 11, 1), time(1, 30), NY) == utc(2026, 11, 1, 5, 30)
    # Read off the second 01:30, the time still names the first.
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC).astimezone(NY)
    assert second.fold == 1
    assert instant(date(2026, 11, 1), second.time(), NY) == utc(2026, 11, 1, 5, 30)
    # Lord Howe, 5 Apr 2026: 01:30-02:00 happens at +11, then again at +10:30.
    assert instant(date(2026, 4, 5), time(1, 45), LORD_HOWE) == utc(2026, 4, 4, 14, 45)


def test_hours_opening_in_the_gap_open_when_the_clocks_jump():
    early = WorkingHours(opens=time(2, 30), closes=time(17), days=EVERY_DAY)
    sunday_midnight = datetime(2026, 3, 8, 0, tzinfo=NY)
    assert next_open(sunday_midnight, early.in_zone(NY)) == utc(2026, 3, 8, 7)  # 03:00 EDT
    # On Lord Howe the gap is half an hour: hours opening at 02:15 open at 02:30.
    quarter_past = WorkingHours(opens=time(2, 15), closes=time(17), days=EVERY_DAY).in_zone(LORD_HOWE)
    assert next_open(datetime(2026, 10, 4, 0, tzinfo=LORD_HOWE), quarter_past) == utc(2026, 10, 3, 15, 30)


def test_hours_closing_in_the_gap_close_when_the_clocks_jump():
    night = WorkingHours(opens=time(0), closes=time(2, 30), days=EVERY_DAY)
    calendar = night.in_zone(NY)
    # 8 Mar 2026 in New York: from 00:00 EST (05:00 UTC) to the jump (07:00 UTC) is two real hours.
    assert working_time_between(utc(2026, 3, 8, 0), utc(2026, 3, 9, 0), calendar) == 2 * HOUR
    assert add_working_time(datetime(2026, 3, 8, 0, tzinfo=NY), 3 * HOUR, calendar) == \
        datetime(2026, 3, 9, 1, tzinfo=NY)


def test_durations_across_the_autumn_repeat_are_real_time():
    late = WorkingHours(opens=time(0), closes=time(17), days=EVERY_DAY)
    calendar = late.in_zone(NY)
    start = datetime(2026, 11, 1, 0, 30, tzinfo=NY)  # 04:30 UTC, summer time
    # One real hour later the clocks show 01:30 for the first time; two hours later, for the second time.
    assert add_working_time(start, HOUR, calendar) == utc(2026, 11, 1, 5, 30)
    two = add_working_time(start, 2 * HOUR, calendar)
    assert two == utc(2026, 11, 1, 6, 30)
    assert (two.astimezone(NY).hour, two.astimezone(NY).minute, two.astimezone(NY).fold) == (1, 30, 1)
    # From 00:00 to 03:00 on the wall clock, four real hours pass.
    assert working_time_between(datetime(2026, 11, 1, 0, tzinfo=NY), datetime(2026, 11, 1, 3, tzinfo=NY),
                                calendar) == 4 * HOUR


def test_hours_closing_in_the_repeat_close_at_its_first_occurrence():
    short = WorkingHours(opens=time(0), closes=time(1, 30), days=EVERY_DAY).in_zone(NY)
    second_0115 = utc(2026, 11, 1, 6, 15)  # 01:15 EST, after 01:30 EDT has passed
    assert next_open(second_0115, short) == datetime(2026, 11, 2, 0, tzinfo=NY)
    # 00:00 EDT to the first 01:30: an hour and a half, though the clocks show 01:00-01:30 twice.
    assert working_time_between(utc(2026, 11, 1, 0), utc(2026, 11, 2, 0), short) == 1.5 * HOUR


def test_a_lord_howe_day_is_half_an_hour_longer_or_shorter():
    whole_days = WorkingHours(opens=time(0), closes=time(0), days=EVERY_DAY).in_zone(LORD_HOWE)
    assert working_time_between(datetime(2026, 10, 4, tzinfo=LORD_HOWE), datetime(2026, 10, 5, tzinfo=LORD_HOWE),
                                whole_days) == 23.5 * HOUR
    assert working_time_between(datetime(2026, 4, 5, tzinfo=LORD_HOWE), datetime(2026, 4, 6, tzinfo=LORD_HOWE),
                                whole_days) == 24.5 * HOUR


def test_a_start_on_a_holiday_counts_from_the_next_working_morning():
    christmas = WorkingHours(opens=time(9), closes=time(17), holidays=frozenset({date(2026, 12, 25)}))
    calendar = christmas.in_zone(BERLIN)
    on_the_holiday = datetime(2026, 12, 25, 11, tzinfo=BERLIN)  # a Friday
    assert next_open(on_the_holiday, calendar) == datetime(2026, 12, 28, 9, tzinfo=BERLIN)
    assert add_working_time(on_the_holiday, 2 * HOUR, calendar) == datetime(2026, 12, 28, 11, tzinfo=BERLIN)
    assert working_time_between(on_the_holiday, datetime(2026, 12, 28, 9, tzinfo=BERLIN), calendar) == timedelta(0)


def test_a_target_spanning_a_weekend_skips_it():
    calendar = NINE_TO_FIVE.in_zone(NY)
    friday = datetime(2026, 11, 27, 15, tzinfo=NY)
    due = add_working_time(friday, 4 * HOUR, calendar)
    assert due == datetime(2026, 11, 30, 11, tzinfo=NY)
    assert working_time_between(friday, due, calendar) == 4 * HOUR


def test_hours_that_close_at_midnight_run_to_the_end_of_the_day():
    evenings = WorkingHours(opens=time(18), closes=time(0)).in_zone(BERLIN)
    friday_late = datetime(2026, 11, 27, 23, 30, tzinfo=BERLIN)
    assert next_open(friday_late, evenings) == friday_late
    assert next_open(datetime(2026, 11, 27, 23, 59, 59, tzinfo=BERLIN), evenings).second == 59
    # Half an hour on Friday, the rest from Monday 18:00; Saturday 00:00 is already closed.
    assert add_working_time(friday_late, HOUR, evenings) == datetime(2026, 11, 30, 18, 30, tzinfo=BERLIN)
    assert add_working_time(friday_late, 30 * timedelta(minutes=1), evenings) == datetime(2026, 11, 28, tzinfo=BERLIN)
    assert next_open(datetime(2026, 11, 28, 0, tzinfo=BERLIN), evenings) == datetime(2026, 11, 30, 18, tzinfo=BERLIN)
    assert working_time_between(datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 30, tzinfo=BERLIN),
                                evenings) == 5 * 6 * HOUR


def test_a_midnight_closing_on_the_autumn_night_lasts_an_hour_longer():
    # Berlin, 25 Oct 2026: 03:00 CEST goes back to 02:00 CET, so the day from 00:00 to midnight is 25 hours.
    every_day = WorkingHours(opens=time(0), closes=time(0), days=EVERY_DAY).in_zone(BERLIN)
    assert working_time_between(datetime(2026, 10, 25, tzinfo=BERLIN), datetime(2026, 10, 26, tzinfo=BERLIN),
                                every_day) == 25 * HOUR


def test_zero_working_time_is_the_next_moment_in_the_hours():
    calendar = NINE_TO_FIVE.in_zone(NY)
    inside = datetime(2026, 12, 1, 10, tzinfo=NY)
    before = datetime(2026, 12, 1, 7, tzinfo=NY)
    at_closing = datetime(2026, 12, 1, 17, tzinfo=NY)
    assert next_open(inside, calendar) == inside == add_working_time(inside, timedelta(0), calendar)
    assert next_open(before, calendar) == datetime(2026, 12, 1, 9, tzinfo=NY)
    assert next_open(at_closing, calendar) == datetime(2026, 12, 2, 9, tzinfo=NY)
    # A duration that ends exactly at closing ends there.
    assert add_working_time(inside, 7 * HOUR, calendar) == at_closing


def test_answers_are_utc_instants():
    # A local datetime in the repeated hour is never == to one in another zone (PEP 495); UTC always is.
    opens = next_open(utc(2026, 12, 1, 6), NINE_TO_FIVE.in_zone(NY))
    assert opens.tzinfo is UTC and opens == datetime(2026, 12, 1, 9, tzinfo=NY)
    assert instant(date(2026, 11, 1), time(1, 30), NY).tzinfo is UTC


def test_hours_with_no_working_day_are_an_error_not_a_hang():
    never = WorkingHours(opens=time(9), closes=time(17), days=frozenset())
    with pytest.raises(NoWorkingTime):
        next_open(utc(2026, 1, 1), never.in_zone(NY))
    with pytest.raises(NoWorkingTime):
        add_working_days(date(2026, 1, 1), 1, never)


def test_a_year_of_holidays_is_skipped_but_years_beyond_the_cap_are_an_error():
    year = frozenset(date(2027, 1, 1) + timedelta(days=n) for n in range(365))
    calendar = WorkingHours(opens=time(9), closes=time(17), holidays=year).in_zone(BERLIN)
    assert next_open(datetime(2026, 12, 31, 18, tzinfo=BERLIN), calendar) == datetime(2028, 1, 3, 9, tzinfo=BERLIN)
    assert add_working_days(date(2026, 12, 31), 1, calendar.hours) == date(2028, 1, 3)
    forever = frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(MAX_DAYS + 10))
    closed = WorkingHours(opens=time(9), closes=time(17), holidays=forever)
    with pytest.raises(NoWorkingTime):
        next_open(utc(2026, 1, 1), closed.in_zone(BERLIN))
    with pytest.raises(NoWorkingTime):
        add_working_days(date(2026, 1, 1), 1, closed)


def test_hours_that_close_before_they_open_are_refused():
    with pytest.raises(ValueError):
        WorkingHours(opens=time(17), closes=time(8)).in_zone(NY)
    with pytest.raises(ValueError):
        WorkingHours(opens=time(9), closes=time(9)).in_zone(NY)


def test_naive_moments_and_negative_durations_are_refused():
    calendar = NINE_TO_FIVE.in_zone(NY)
    with pytest.raises(ValueError):
        next_open(datetime(2026, 12, 1, 10), calendar)
    with pytest.raises(ValueError):
        working_time_between(datetime(2026, 12, 1, 10), utc(2026, 12, 2), calendar)
    with pytest.raises(ValueError):
        add_working_time(utc(2026, 12, 1, 15), -HOUR, calendar)


def test_working_time_between_undoes_adding_it_across_both_changes():
    late = WorkingHours(opens=time(0, 30), closes=time(0), days=EVERY_DAY).in_zone(NY)
    for start in (datetime(2026, 3, 7, 20, tzinfo=NY), datetime(2026, 10, 31, 20, tzinfo=NY)):
        for hours in (1, 5, 7, 24, 30):
            end = add_working_time(start, hours * HOUR, late)
            assert working_time_between(start, end, late) == hours * HOUR
