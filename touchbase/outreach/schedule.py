"""When a step may go out (business days in the recipient's send window) and the mailbox caps.

The window arithmetic is the shared working-hours calendar (touchbase.core.calendar, which states the
daylight-saving rule); this module adds what only sending needs. Pure functions of their arguments
(no database, no clock), so every rule has its own tests.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from touchbase.core.calendar import WorkingHours, add_working_days, instant, next_open

# A sequence's send window unless the seller sets another (Sequence.window_start/_end, a file's [window]).
DEFAULT_WINDOW = WorkingHours(opens=time(8), closes=time(17))


def step_due_at(previous: datetime, delay_days: int, tz: ZoneInfo, window: WorkingHours = DEFAULT_WINDOW) -> datetime:
    """When a step `delay_days` business days after `previous` may go out.

    The step goes at the same local time of day as the previous one, so a
    sequence started at 09:40 keeps landing mid-morning instead of at the
    window's opening minute along with everyone else's.
    """
    calendar = window.in_zone(tz)
    if delay_days <= 0:
        return next_open(previous, calendar)
    local = previous.astimezone(tz)
    day = add_working_days(local.date(), delay_days, window)
    return next_open(instant(day, local.time(), tz), calendar)


def preview(start: datetime, delays: Iterable[int], tz: ZoneInfo, window: WorkingHours = DEFAULT_WINDOW
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
