"""When a step may go out: business days, the recipient's window, DST, and the mailbox caps."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from touchbase.core.calendar import NoWorkingTime, WorkingHours, add_working_days, next_open
from touchbase.outreach.schedule import (
    DEFAULT_WINDOW,
    Caps,
    bounce_rate_too_high,
    cap_hold,
    retry_delay,
    step_due_at,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
EVERY_DAY = frozenset(range(7))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def next_in_window(moment, tz, window=DEFAULT_WINDOW):
    return next_open(moment, window.in_zone(tz))


def add_business_days(day, n, window=DEFAULT_WINDOW):
    return add_working_days(day, n, window)


def test_business_days_skip_the_weekend():
    friday = date(2026, 11, 27)
    assert add_business_days(friday, 1) == date(2026, 11, 30)  # Monday
    assert add_business_days(friday, 3) == date(2026, 12, 2)
    assert add_business_days(friday, 0) == friday


def test_business_days_skip_holidays():
    window = replace(DEFAULT_WINDOW, holidays=frozenset({date(2026, 12, 25)}))
    assert add_business_days(date(2026, 12, 24), 1, window) == date(2026, 12, 28)


def test_inside_the_window_a_send_goes_now():
    tuesday_10am_ny = datetime(2026, 12, 1, 10, 0, tzinfo=NY)
    assert next_in_window(tuesday_10am_ny, NY) == tuesday_10am_ny


def test_before_the_window_opens_it_waits_for_8am_in_the_recipients_zone():
    # 06:00 UTC is 01:00 in New York: the email waits for 08:00 there, 13:00 UTC.
    assert next_in_window(utc(2026, 12, 1, 6, 0), NY) == utc(2026, 12, 1, 13, 0)


def test_after_the_window_closes_it_waits_for_the_next_morning():
    assert next_in_window(datetime(2026, 12, 1, 17, 0, tzinfo=BERLIN), BERLIN) == \
        datetime(2026, 12, 2, 8, 0, tzinfo=BERLIN)


def test_friday_evening_waits_for_monday_morning():
    friday_evening = datetime(2026, 11, 27, 18, 30, tzinfo=NY)
    assert next_in_window(friday_evening, NY) == datetime(2026, 11, 30, 8, 0, tzinfo=NY)


def test_the_same_instant_is_inside_one_window_and_outside_another():
    instant = utc(2026, 12, 1, 14, 0)  # 09:00 New York, 23:00 Tokyo
    assert next_in_window(instant, NY) == instant
    assert next_in_window(instant, TOKYO) == datetime(2026, 12, 2, 8, 0, tzinfo=TOKYO)


def test_the_window_follows_daylight_saving_time():
    # New York leaves DST on 1 Nov 2026: 08:00 local is 12:00 UTC before and 13:00 UTC after.
    assert next_in_window(utc(2026, 10, 30, 5, 0), NY) == utc(2026, 10, 30, 12, 0)
    assert next_in_window(utc(2026, 11, 2, 5, 0), NY) == utc(2026, 11, 2, 13, 0)


def test_a_window_opening_inside_the_spring_forward_gap_opens_when_the_clocks_jump():
    window = WorkingHours(opens=time(2, 30), closes=time(17, 0), days=frozenset(range(7)))
    # 8 Mar 2026 in New York: 02:00 jumps to 03:00, so 02:30 does not exist; from 03:00 it is past 02:30.
    opens = next_in_window(datetime(2026, 3, 8, 0, 0, tzinfo=NY), NY, window)
    assert opens.astimezone(UTC) == utc(2026, 3, 8, 7, 0)  # 03:00 EDT


def test_lord_howes_half_hour_gap_moves_a_window_opening_inside_it():
    window = WorkingHours(opens=time(2, 15), closes=time(17), days=EVERY_DAY)
    # 4 Oct 2026 on Lord Howe: 02:00 jumps to 02:30 (15:30 UTC the day before).
    saturday_evening = datetime(2026, 10, 3, 20, 0, tzinfo=LORD_HOWE)
    assert next_in_window(saturday_evening, LORD_HOWE, window) == utc(2026, 10, 3, 15, 30)


def test_a_step_whose_time_of_day_the_spring_change_skips_goes_when_the_clocks_jump():
    window = WorkingHours(opens=time(0), closes=time(17), days=EVERY_DAY)
    thursday_0230 = datetime(2026, 3, 5, 2, 30, tzinfo=NY)
    # Three days later is Sunday 8 March, and 02:30 does not exist in New York that day.
    assert step_due_at(thursday_0230, 3, NY, window) == utc(2026, 3, 8, 7, 0)  # 03:00 EDT


def test_a_window_closing_in_the_repeated_autumn_hour_closes_the_first_time():
    window = WorkingHours(opens=time(0), closes=time(1, 30), days=EVERY_DAY)
    first_0115, second_0115 = utc(2026, 11, 1, 5, 15), utc(2026, 11, 1, 6, 15)  # 01:15 EDT, then 01:15 EST
    assert next_in_window(first_0115, NY, window) == first_0115
    assert next_in_window(second_0115, NY, window) == datetime(2026, 11, 2, 0, 0, tzinfo=NY)


def test_a_step_sent_in_the_repeated_hour_keeps_its_wall_time_the_next_day():
    window = WorkingHours(opens=time(0), closes=time(17), days=EVERY_DAY)
    second_0140 = utc(2026, 11, 1, 6, 40)  # 01:40 EST, the second time the clocks show it
    assert step_due_at(second_0140, 1, NY, window) == datetime(2026, 11, 2, 1, 40, tzinfo=NY)


def test_a_window_closing_at_midnight_sends_until_the_day_ends():
    evenings = WorkingHours(opens=time(18), closes=time(0))
    friday_late = datetime(2026, 11, 27, 23, 59, tzinfo=NY)
    assert next_in_window(friday_late, NY, evenings) == friday_late
    assert next_in_window(datetime(2026, 11, 28, 0, 0, tzinfo=NY), NY, evenings) == \
        datetime(2026, 11, 30, 18, 0, tzinfo=NY)
    assert step_due_at(friday_late, 1, NY, evenings) == datetime(2026, 11, 30, 23, 59, tzinfo=NY)


def test_a_step_three_business_days_later_keeps_the_time_of_day():
    monday_0940 = datetime(2026, 11, 30, 9, 40, tzinfo=NY)
    assert step_due_at(monday_0940, 3, NY) == datetime(2026, 12, 3, 9, 40, tzinfo=NY)


def test_a_step_after_a_late_send_lands_in_the_next_window():
    thursday_late = datetime(2026, 12, 3, 16, 59, tzinfo=NY)
    # one business day later is Friday 16:59, still inside; two is Monday.
    assert step_due_at(thursday_late, 1, NY) == datetime(2026, 12, 4, 16, 59, tzinfo=NY)
    assert step_due_at(datetime(2026, 12, 3, 20, 0, tzinfo=NY), 1, NY) == datetime(2026, 12, 7, 8, 0, tzinfo=NY)


def test_a_window_that_never_opens_is_an_error_not_a_hang():
    with pytest.raises(NoWorkingTime):
        next_in_window(utc(2026, 1, 1), NY, WorkingHours(opens=time(8), closes=time(17), days=frozenset()))
    with pytest.raises(ValueError):
        next_in_window(utc(2026, 1, 1), NY, WorkingHours(opens=time(17), closes=time(8)))


NOW = utc(2026, 12, 1, 15, 0)


def test_under_every_cap_a_send_may_go():
    assert cap_hold([NOW - timedelta(minutes=5)], NOW, Caps()) is None
    assert cap_hold([], NOW, Caps()) is None


def test_the_minimum_gap_holds_a_send_just_after_another():
    hold = cap_hold([NOW - timedelta(seconds=20)], NOW, Caps(min_gap_seconds=60))
    assert hold.until == NOW + timedelta(seconds=40)
    assert "60 s" in hold.reason


def test_jitter_lengthens_the_gap():
    hold = cap_hold([NOW - timedelta(seconds=20)], NOW, Caps(min_gap_seconds=60), jitter_seconds=10)
    assert hold.until == NOW + timedelta(seconds=50)


def test_the_hourly_cap_waits_for_the_oldest_send_of_the_hour_to_age_out():
    sent = [NOW - timedelta(minutes=m) for m in range(2, 32)]  # 30 sends in the last hour
    hold = cap_hold(sent, NOW, Caps(hourly=30, min_gap_seconds=0))
    assert hold.until == NOW - timedelta(minutes=31) + timedelta(hours=1)
    assert "hourly cap of 30" in hold.reason


def test_the_daily_cap_is_a_rolling_24_hours():
    sent = [NOW - timedelta(hours=23, minutes=59)] + [NOW - timedelta(hours=2)] * 199
    hold = cap_hold(sent, NOW, Caps(daily=200, hourly=0, min_gap_seconds=0))
    assert hold.until == NOW + timedelta(minutes=1)
    assert "daily cap of 200" in hold.reason
    assert cap_hold(sent[1:], NOW, Caps(daily=200, hourly=0, min_gap_seconds=0)) is None


def test_the_longest_hold_wins():
    sent = [NOW - timedelta(hours=1, minutes=-1)] * 30 + [NOW - timedelta(seconds=1)]
    hold = cap_hold(sent, NOW, Caps(hourly=30, min_gap_seconds=60))
    assert "hourly" in hold.reason


def test_caps_of_zero_are_lifted():
    assert cap_hold([NOW] * 1000, NOW, Caps(daily=0, hourly=0, min_gap_seconds=0)) is None


def test_temporary_failures_back_off_then_give_up():
    delays = [retry_delay(n) for n in range(1, 7)]
    assert delays[:5] == sorted(delays[:5]) and delays[0] == timedelta(minutes=1)
    assert delays[5] is None
    with pytest.raises(ValueError):
        retry_delay(0)


def test_a_mailbox_pauses_at_three_percent_hard_bounces():
    assert bounce_rate_too_high(100, 3)
    assert not bounce_rate_too_high(100, 2)
    assert not bounce_rate_too_high(10, 1)  # one unlucky bounce among the first sends
    assert not bounce_rate_too_high(0, 0)
