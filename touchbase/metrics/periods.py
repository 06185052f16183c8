"""Report periods: a week (Monday start), a month or a quarter, bounded in a time zone.

A period is a half-open range of local dates [start, end); its instants are the
local midnights of those dates in the zone, so a touch at 23:30 on Sunday in
Chicago belongs to that week for a Chicago seller even though it is Monday in UTC.
Periods are named the way people write them: 2026-W48, 2026-11, 2026-Q4.
"""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from enum import StrEnum


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"

    @property
    def adjective(self) -> str:
        return {"week": "weekly", "month": "monthly", "quarter": "quarterly"}[self.value]

    @classmethod
    def from_adjective(cls, word: str) -> "PeriodKind":
        for kind in cls:
            if word in (kind.value, kind.adjective):
                return kind
        raise PeriodError(f"{word!r} is not a kind of report: use weekly, monthly or quarterly.")


class PeriodError(ValueError):
    """A period name that does not name a period; the message says what would."""


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date  # first local day
    end: date  # the day after the last local day
    zone: zoneinfo.ZoneInfo

    @property
    def name(self) -> str:
        if self.kind == PeriodKind.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        last = self.end - timedelta(days=1)
        if self.kind == PeriodKind.WEEK:
            return f"Week {self.start.isocalendar()[1]}, {self.start:%b} {self.start.day} – {last:%b} {last.day}, {last.year}"
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%B %Y}"
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year} ({self.start:%b}–{last:%b})"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, clock(), tzinfo=self.zone)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, clock(), tzinfo=self.zone)

    def contains(self, moment: datetime) -> bool:
        return self.start_at <= moment < self.end_at

    def dates(self):
        day = self.start
        while day < self.end:
            yield day
            day += timedelta(days=1)

    def previous(self) -> "Period":
        return period_containing(self.kind, self.start - timedelta(days=1), self.zone)

    def next(self) -> "Period":
        return period_containing(self.kind, self.end, self.zone)

    def last_year(self) -> "Period":
        """The same period a year earlier: the same ISO week number (W52 when W53 has no twin), month or quarter."""
        if self.kind == PeriodKind.WEEK:
            year, week, _ = self.start.isocalendar()
            weeks_then = date(year - 1, 12, 28).isocalendar()[1]
            return _week(year - 1, min(week, weeks_then), self.zone)
        return period_containing(self.kind, self.start.replace(year=self.start.year - 1), self.zone)

    def elapsed_share(self, now: datetime) -> float | None:
        """How much of the period has passed at `now` (0..1), None when it has not started."""
        if now < self.start_at:
            return None
        if now >= self.end_at:
            return 1.0
        return (now - self.start_at) / (self.end_at - self.start_at)

    def __str__(self) -> str:
        return self.name


def _zone(zone) -> zoneinfo.ZoneInfo:
    return zone if isinstance(zone, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(str(zone or "UTC"))


def _week(year: int, week: int, zone) -> Period:
    start = date.fromisocalendar(year, week, 1)
    return Period(PeriodKind.WEEK, start, start + timedelta(days=7), _zone(zone))


def _month_start(day: date, months_ahead: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_ahead
    return date(index // 12, index % 12 + 1, 1)


def period_containing(kind: PeriodKind, day: date, zone) -> Period:
    kind = PeriodKind(kind)
    if kind == PeriodKind.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=7), _zone(zone))
    if kind == PeriodKind.MONTH:
        start = _month_start(day)
        return Period(kind, start, _month_start(start, 1), _zone(zone))
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(kind, start, _month_start(start, 3), _zone(zone))


def current_period(kind: PeriodKind, now: datetime, zone) -> Period:
    zone = _zone(zone)
    return period_containing(kind, now.astimezone(zone).date(), zone)


PATTERNS = {
    PeriodKind.WEEK: (re.compile(r"(\d{4})-W(\d{1,2})"), "a week like 2026-W48"),
    PeriodKind.MONTH: (re.compile(r"(\d{4})-(\d{1,2})"), "a month like 2026-11"),
    PeriodKind.QUARTER: (re.compile(r"(\d{4})-Q(\d)"), "a quarter like 2026-Q4"),
}


def parse_period(kind: PeriodKind, text: str, zone) -> Period:
    """'2026-W48' -> that ISO week; raises PeriodError saying why a name is not a period."""
    kind = PeriodKind(kind)
    pattern, example = PATTERNS[kind]
    match = pattern.fullmatch((text or "").strip().upper())
    if not match:
        raise PeriodError(f"{text!r} is not {example}.")
    year, number = int(match.group(1)), int(match.group(2))
    if not 1900 <= year <= 9998:
        raise PeriodError(f"{text!r}: the year {year} is out of range.")
    if kind == PeriodKind.WEEK:
        weeks = date(year, 12, 28).isocalendar()[1]
        if not 1 <= number <= weeks:
            raise PeriodError(f"{text!r} does not exist: {year} has weeks 1 to {weeks}.")
        return _week(year, number, zone)
    if kind == PeriodKind.MONTH:
        if not 1 <= number <= 12:
            raise PeriodError(f"{text!r} does not exist: months run from 01 to 12.")
        return period_containing(kind, date(year, number, 1), zone)
    if not 1 <= number <= 4:
        raise PeriodError(f"{text!r} does not exist: quarters run from Q1 to Q4.")
    return period_containing(kind, date(year, 3 * number - 2, 1), zone)
