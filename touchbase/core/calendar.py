"""Working hours: the one business-hours calendar behind the sequence send window and the inbound response clock.

`WorkingHours` is a setting a seller sees (the hours of the day, the weekdays, the team's holidays),
with no time zone; `Calendar` is those hours in one zone (the recipient's for a send window, the
lead owner's for a response clock). Each caller keeps its own default hours: sequences send 08:00-17:00
(outreach.models.Sequence), the response clock runs 09:00-17:00 (prospecting.inbound.RESPONSE_HOURS).

One rule for daylight saving time, for every caller:

- A wall time in the spring-forward gap (02:30 on the day New York jumps from 02:00 to 03:00) names
  the instant the clocks jump: hours opening at 02:30 open at 03:00, hours closing at 02:30 close then.
- A wall time in the autumn repeat (01:30 on the day New York goes from 02:00 back to 01:00) names its
  first occurrence, for opening and closing alike.
- Durations are real elapsed time: a one-hour target across the repeat is one real hour, and a working
  day that spans a change is an hour longer or shorter than on the wall clock. Every comparison is
  between instants, never between wall times.

Answers are UTC datetimes: a local datetime in the repeated hour is never == to one in another zone
(PEP 495), so callers turn an answer into a wall time only to show it.

Hours closing at 00:00 close at the midnight that ends the day. Days are searched at most
MAX_DAYS ahead, so a calendar with no working day, or years of holidays, is an error, not a hang.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = frozenset(range(5))  # Monday is 0
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MIDNIGHT = time(0)
# Ten years: past any response target or sequence delay (at most 365 business days, about 17 months).
MAX_DAYS = 3660


class NoWorkingTime(ValueError):
    """The calendar has no working time where it was looked for (no working day, or holidays all along)."""


@dataclass(frozen=True)
class WorkingHours:
    """When someone works, or may be written to: from `opens` to `closes` on `days`, except `holidays`."""

    opens: time
    closes: time  # 00:00 is the midnight at the end of the day
    days: frozenset[int] = WEEKDAYS
    holidays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def describe(self) -> str:
        days = ", ".join(DAY_NAMES[d] for d in sorted(self.days))
        return f"{self.opens:%H:%M}-{self.closes:%H:%M} {days}" + (", holidays skipped" if self.holidays else "")

    def in_zone(self, tz: ZoneInfo) -> Calendar:
        return Calendar(hours=self, tz=tz)


def closes_after_opening(opens: time, closes: time) -> bool:
    """Whether hours from `opens` to `closes` are a working day: the checks before saving hours use it."""
    return closes == MIDNIGHT or closes > opens


def instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant (in UTC) the wall time `at` on `day` names in `tz`, by the module's DST rule."""
    # fold=0: the first occurrence of a repeated time, even for a time read off the second one.
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz)
    real = local.astimezone(UTC)
    if real.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return real
    # In the gap, fold=0 reads the time with the offset from before the jump (a moment after it) and
    # fold=1 with the offset from after (a moment before it): the jump lies between the two.
    return _jump(local.replace(fold=1).astimezone(UTC), real, tz)


def _jump(before: datetime, after: datetime, tz: ZoneInfo) -> datetime:
    # Zone transitions fall on whole seconds, so bisecting seconds finds the exact instant.
    lo, hi = math.floor(before.timestamp()), math.ceil(after.timestamp())
    offset_after = after.astimezone(tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == offset_after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


@dataclass(frozen=True)
class Calendar:
    """Working hours in one time zone: a recipient's send window, or a lead owner's working week."""

    hours: WorkingHours
    tz: ZoneInfo

    def __post_init__(self):
        # Checked here, not in WorkingHours, so that a page can still describe a bad window it shows.
        if not closes_after_opening(self.hours.opens, self.hours.closes):
            raise ValueError(f"working hours must close after they open, or at 00:00 for midnight "
                             f"({self.hours.opens:%H:%M}-{self.hours.closes:%H:%M})")

    def hours_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of a local date as UTC (opens, closes), or None on a day off."""
        if not self.hours.is_working_day(day):
            return None
        opens = instant(day, self.hours.opens, self.tz)
        if self.hours.closes == MIDNIGHT:
            return opens, instant(day + timedelta(days=1), MIDNIGHT, self.tz)
        return opens, instant(day, self.hours.closes, self.tz)


def _aware(*moments: datetime) -> None:
    if any(m.tzinfo is None or m.utcoffset() is None for m in moments):
        raise ValueError("working time is counted between aware datetimes")


def add_working_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The moment (in UTC) `duration` of working time after `start`.

    Outside working hours the count starts at the next opening; a duration that ends exactly at
    closing time ends there, not at the next opening.
    """
    _aware(start)
    if duration < timedelta(0):
        raise ValueError("working time is added, not taken away")
    if not calendar.hours.days:
        raise NoWorkingTime("the working hours have no working day")
    remaining, now = duration, start.astimezone(UTC)
    day = start.astimezone(calendar.tz).date()
    for _ in range(MAX_DAYS):
        hours = calendar.hours_on(day)
        if hours is not None:
            begin = max(hours[0], now)
            if begin < hours[1]:
                if begin + remaining <= hours[1]:
                    return begin + remaining
                remaining -= hours[1] - begin
        day += timedelta(days=1)
    raise NoWorkingTime(f"the working hours ({calendar.hours.describe()}) have not enough working time in the "
                        f"{MAX_DAYS} days from {start:%Y-%m-%d}: check their days and holidays")


def next_open(moment: datetime, calendar: Calendar) -> datetime:
    """The first instant at or after `moment` inside working hours (no working time added)."""
    return add_working_time(moment, timedelta(0), calendar)


def working_time_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """The working time from `start` to `end`; zero when `end` is not after `start`."""
    _aware(start, end)
    total = timedelta(0)
    if end <= start:
        return total
    day, last_day = start.astimezone(calendar.tz).date(), end.astimezone(calendar.tz).date()
    while day <= last_day:
        hours = calendar.hours_on(day)
        if hours is not None:
            begin, finish = max(hours[0], start), min(hours[1], end)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total


def add_working_days(day: date, n: int, hours: WorkingHours) -> date:
    """The n-th working day after `day` (n=0 is `day` itself, working or not)."""
    if not hours.days:
        raise NoWorkingTime("the working hours have no working day")
    for _ in range(MAX_DAYS + 1):
        if n <= 0:
            return day
        day += timedelta(days=1)
        if hours.is_working_day(day):
            n -= 1
    raise NoWorkingTime(f"fewer than the working days asked for in the {MAX_DAYS} days after the start: "
                        "check the days and holidays")
