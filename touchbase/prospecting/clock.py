"""Working-hours arithmetic for the inbound response clock: plain functions over aware datetimes.

A seller works 09:00-17:00, Monday to Friday, in their own time zone, and not on the team's
holidays. Each day's hours are laid out on the local wall clock and only then turned into UTC, so a
daylight-saving change moves the working day in UTC but never lengthens or shortens it.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A calendar without a single working day would loop for ever; ten years is past any target.
MAX_DAYS = 3660


@dataclass(frozen=True)
class Calendar:
    """When one seller works: a time zone, the team's holidays, the working day and week."""

    tz: ZoneInfo = ZoneInfo("UTC")
    holidays: frozenset[date] = field(default_factory=frozenset)
    day_start: time = time(9)
    day_end: time = time(17)
    workdays: frozenset[int] = frozenset(range(5))  # Monday is 0

    def hours_on(self, day: date) -> tuple[datetime, datetime] | None:
        """The working hours of a local date as a UTC (start, end), or None on a day off."""
        if day.weekday() not in self.workdays or day in self.holidays:
            return None
        start = datetime.combine(day, self.day_start, tzinfo=self.tz)
        end = datetime.combine(day, self.day_end, tzinfo=self.tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    def _days_from(self, moment: datetime):
        day = moment.astimezone(self.tz).date()
        for _ in range(MAX_DAYS):
            yield day
            day += timedelta(days=1)


def add_working_time(start: datetime, duration: timedelta, calendar: Calendar) -> datetime:
    """The moment `duration` of working time after `start` (outside working hours, counting from the next opening)."""
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    remaining = duration
    for day in calendar._days_from(start):
        hours = calendar.hours_on(day)
        if hours is None:
            continue
        begin = max(hours[0], start)
        if begin >= hours[1]:
            continue
        if begin + remaining <= hours[1]:
            return begin + remaining
        remaining -= hours[1] - begin
    raise ValueError("the calendar has no working hours in ten years")


def working_time_between(start: datetime, end: datetime, calendar: Calendar) -> timedelta:
    """The working time from `start` to `end`; zero when `end` is not after `start`."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be aware datetimes")
    total = timedelta(0)
    if end <= start:
        return total
    last_day = end.astimezone(calendar.tz).date()
    for day in calendar._days_from(start):
        if day > last_day:
            break
        hours = calendar.hours_on(day)
        if hours is None:
            continue
        begin, finish = max(hours[0], start), min(hours[1], end)
        if finish > begin:
            total += finish - begin
    return total
