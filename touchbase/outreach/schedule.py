"""When a step may go out: business days, the recipient's send window, and the mailbox caps.

Pure functions of their arguments (no database, no clock), so every rule has
its own tests, DST and time zones included.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = frozenset({0, 1, 2, 3, 4})
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@dataclass(frozen=True)
class SendWindow:
    """Local hours and weekdays in which a person may receive an email (in their own time zone)."""

    start: time = time(8, 0)
    end: time = time(17, 0)
    days: frozenset[int] = WEEKDAYS
    holidays: frozenset[date] = field(default_factory=frozenset)

    def is_open_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def describe(self) -> str:
        days = ", ".join(DAY_NAMES[d] for d in sorted(self.days))
        return f"{self.start:%H:%M}-{self.end:%H:%M} {days}" + (", holidays skipped" if self.holidays else "")


DEFAULT_WINDOW = SendWindow()


def add_business_days(day: date, n: int, window: SendWindow = DEFAULT_WINDOW) -> date:
    """The n-th open day after `day` (n=0 is `day` itself, open or not)."""
    if not window.days:
        raise ValueError("a send window needs at least one day")
    while n > 0:
        day += timedelta(days=1)
        if window.is_open_day(day):
            n -= 1
    return day


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    # A wall time inside a DST gap does not exist; round-tripping through UTC moves it past the gap.
    return datetime.combine(day, at, tzinfo=tz).astimezone(ZoneInfo("UTC")).astimezone(tz)


def next_in_window(moment: datetime, tz: ZoneInfo, window: SendWindow = DEFAULT_WINDOW) -> datetime:
    """The first instant at or after `moment` inside the window, in the recipient's zone `tz`."""
    if window.start >= window.end:
        raise ValueError("a send window must start before it ends")
    local = moment.astimezone(tz)
    day = local.date()
    for _ in range(400):
        if window.is_open_day(day):
            opens, closes = _local(day, window.start, tz), _local(day, window.end, tz)
            if local < opens:
                return opens
            if local < closes:
                return local
        day += timedelta(days=1)
        local = _local(day, time(0), tz)
    raise ValueError("the send window never opens in the next 400 days (check its days and holidays)")


def step_due_at(previous: datetime, delay_days: int, tz: ZoneInfo, window: SendWindow = DEFAULT_WINDOW) -> datetime:
    """When a step `delay_days` business days after `previous` may go out.

    The step goes at the same local time of day as the previous one, so a
    sequence started at 09:40 keeps landing mid-morning instead of at the
    window's opening minute along with everyone else's.
    """
    if delay_days <= 0:
        return next_in_window(previous, tz, window)
    local = previous.astimezone(tz)
    day = add_business_days(local.date(), delay_days, window)
    return next_in_window(_local(day, local.time().replace(tzinfo=None), tz), tz, window)


def preview(start: datetime, delays: Iterable[int], tz: ZoneInfo, window: SendWindow = DEFAULT_WINDOW
            ) -> list[datetime]:
    """When each step would go for someone enrolled at `start`: each step's delay counts from the one before.

    The worker does the same one step at a time (it schedules the next step when it has done one), so
    this is the sequence editor's promise, caps and replies aside.
    """
    moments, moment = [], start
    for delay in delays:
        moment = step_due_at(moment, delay, tz, window)
        moments.append(moment)
    return moments


@dataclass(frozen=True)
class Caps:
    """Deliverability limits of one mailbox. Defaults follow what Gmail and Microsoft tolerate from a person."""

    daily: int = 200
    hourly: int = 30
    min_gap_seconds: int = 60


@dataclass(frozen=True)
class Hold:
    until: datetime
    reason: str


def cap_hold(sent: Iterable[datetime], now: datetime, caps: Caps, jitter_seconds: float = 0) -> Hold | None:
    """Why and until when the next send from a mailbox must wait, or None when it may go now.

    `sent` holds the mailbox's send times of (at least) the last 24 hours. The
    caps are rolling windows: a daily cap of 200 means at most 200 in any 24
    hours, so a burst at 23:59 cannot be followed by another at 00:01.
    """
    day = sorted(t for t in sent if t > now - timedelta(days=1))
    holds = []
    if caps.daily and len(day) >= caps.daily:
        holds.append(Hold(day[len(day) - caps.daily] + timedelta(days=1),
                          f"daily cap of {caps.daily} emails reached"))
    hour = [t for t in day if t > now - timedelta(hours=1)]
    if caps.hourly and len(hour) >= caps.hourly:
        holds.append(Hold(hour[len(hour) - caps.hourly] + timedelta(hours=1),
                          f"hourly cap of {caps.hourly} emails reached"))
    if day and caps.min_gap_seconds:
        gap_ends = day[-1] + timedelta(seconds=caps.min_gap_seconds + jitter_seconds)
        if gap_ends > now:
            holds.append(Hold(gap_ends, f"at least {caps.min_gap_seconds} s between two sends"))
    return max(holds, key=lambda h: h.until) if holds else None


def jitter(caps: Caps, rng: random.Random | None = None) -> float:
    """A random extra gap of up to half the minimum gap, so sends do not tick like a machine."""
    return (rng or random).uniform(0, caps.min_gap_seconds / 2)


RETRY_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60, 240)]


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait after the n-th temporary failure (SMTP 4xx, no connection); None: give up."""
    if attempts < 1:
        raise ValueError("attempts counts failures so far, starting at 1")
    return RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else None


def bounce_rate_too_high(sent: int, hard_bounces: int, *, limit: float = 0.03, at_least: int = 2) -> bool:
    """A mailbox whose hard bounces in a day reach 3% of its sends is paused before its reputation is.

    One bounce among the first few sends is bad luck, not a bad list, hence `at_least`.
    """
    return hard_bounces >= at_least and sent > 0 and hard_bounces / sent >= limit
