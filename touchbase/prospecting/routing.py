"""Who gets an inbound lead: plain functions over ids and dates, no database.

The order of the questions: a person we already know stays with their owner (unless that owner is
away); then the form's rules, first match wins (country, tier, company size); then the turn goes
round the sellers on duty. A seller who is away is skipped by all three.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Facts:
    """What the rules can read about a lead."""

    country: str = ""
    tier: str = ""
    employee_count: int | None = None


@dataclass(frozen=True)
class Rule:
    """Leads matching every condition given go to `owner_id`; an empty condition matches anything."""

    owner_id: int
    country: str = ""
    tier: str = ""
    min_employees: int | None = None
    max_employees: int | None = None

    def matches(self, facts: Facts) -> bool:
        if self.country and self.country.upper() != facts.country.upper():
            return False
        if self.tier and self.tier != facts.tier:
            return False
        if self.min_employees is not None or self.max_employees is not None:
            if facts.employee_count is None:
                return False
            if self.min_employees is not None and facts.employee_count < self.min_employees:
                return False
            if self.max_employees is not None and facts.employee_count > self.max_employees:
                return False
        return True

    def describe(self) -> str:
        parts = []
        if self.country:
            parts.append(f"country {self.country}")
        if self.tier:
            parts.append(f"tier {self.tier}")
        if self.min_employees is not None or self.max_employees is not None:
            low = "" if self.min_employees is None else f"{self.min_employees:,}"
            high = "" if self.max_employees is None else f"{self.max_employees:,}"
            parts.append(f"{low}-{high} employees")
        return ", ".join(parts) or "every lead"


def is_away(user_id: int, away_until: Mapping[int, date], today: date) -> bool:
    """Away through the `away_until` date itself; back the day after."""
    until = away_until.get(user_id)
    return until is not None and until >= today


def on_duty(sellers: Iterable[int], away_until: Mapping[int, date], today: date) -> list[int]:
    return [seller for seller in sellers if not is_away(seller, away_until, today)]


def next_in_turn(sellers: list[int], last_assigned: Mapping[int, Any]) -> int | None:
    """The seller who has waited longest for an inbound lead (never first; ties in list order).

    `last_assigned` orders each seller's last lead: its id, or the time it came in.

    Going by the last lead each one got, rather than a pointer into the list, keeps the turn fair
    when sellers join, leave or come back from holiday: the returning seller gets the next lead,
    not a backlog of the ones they missed.
    """
    if not sellers:
        return None
    order = {seller: n for n, seller in enumerate(sellers)}
    return min(sellers, key=lambda s: (last_assigned.get(s) is not None,
                                       0 if last_assigned.get(s) is None else last_assigned[s], order[s]))


@dataclass(frozen=True)
class Choice:
    owner_id: int | None
    reason: str


def choose_owner(*, facts: Facts, sellers: list[int], rules: list[Rule], away_until: Mapping[int, date],
                 today: date, last_assigned: Mapping[int, Any],
                 current_owner: int | None = None) -> Choice:
    """The owner of a new inbound lead, and why (kept on the lead for the seller to read)."""
    if current_owner is not None and not is_away(current_owner, away_until, today):
        return Choice(current_owner, "already their owner")
    for n, rule in enumerate(rules, start=1):
        if rule.matches(facts) and not is_away(rule.owner_id, away_until, today):
            return Choice(rule.owner_id, f"rule {n}: {rule.describe()}")
    turn = next_in_turn(on_duty(sellers, away_until, today), last_assigned)
    if turn is not None:
        return Choice(turn, "round robin")
    return Choice(None, "nobody on duty")
