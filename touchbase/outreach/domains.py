"""The per-recipient-domain daily cap: how many emails one mailbox may send to one company's domain a day.

Fifty emails landing at acme.com in an afternoon look like a campaign to Acme's
spam filter and to Acme's people comparing notes; the cap spreads them out.
Free-mail domains are shared by millions of unrelated people, so they are not capped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from touchbase.prospecting.normalize import FREE_MAIL

from .schedule import Hold


def recipient_domain(email: str) -> str:
    """The part after the last @, lower case; empty when there is none."""
    _, at, domain = email.strip().rpartition("@")
    return domain.lower().rstrip(".") if at else ""


def is_capped(domain: str) -> bool:
    return bool(domain) and domain not in FREE_MAIL


def domain_cap_hold(sent_to_domain: Iterable[datetime], now: datetime, cap: int, domain: str) -> Hold | None:
    """Why and until when the next email to `domain` must wait, or None when it may go now.

    `sent_to_domain` holds this mailbox's send times to the domain (at least the last 24 hours). Like the
    mailbox's daily cap, the day is rolling: the next one may go 24 hours after the oldest of the last `cap`.
    """
    if not cap or not is_capped(domain):
        return None
    day = sorted(t for t in sent_to_domain if t > now - timedelta(days=1))
    if len(day) < cap:
        return None
    return Hold(day[len(day) - cap] + timedelta(days=1), f"daily cap of {cap} emails to {domain} reached")
