"""Filters and tags the CRM templates share: money as sellers read it, the
seven-touch gauge, days in a stage, and whether the viewer may edit a record."""

from django import template
from django.utils import timezone

from touchbase.crm import permissions
from touchbase.crm.models import SEVEN_TOUCHES
from touchbase.crm.money import format_amount

register = template.Library()


@register.filter
def money(deal_or_minor, currency: str = ""):
    """{{ deal|money }} or {{ total|money:"USD" }} -> $12,500."""
    if hasattr(deal_or_minor, "amount_minor"):
        return format_amount(deal_or_minor.amount_minor, deal_or_minor.currency)
    return format_amount(int(deal_or_minor or 0), currency or "USD")


@register.filter
def money_short(deal_or_minor, currency: str = ""):
    if hasattr(deal_or_minor, "amount_minor"):
        return format_amount(deal_or_minor.amount_minor, deal_or_minor.currency, short=True)
    return format_amount(int(deal_or_minor or 0), currency or "USD", short=True)


@register.filter
def days_since(moment) -> int:
    if not moment:
        return 0
    return max(0, (timezone.now() - moment).days)


@register.filter
def can_edit(user, record) -> bool:
    return permissions.can_edit(user, record)


@register.inclusion_tag("crm/_gauge.html")
def touch_gauge(record, next_step: str = ""):
    """The row of seven segments, filled one per touch, with the count and last touch beside it."""
    count = record.touch_count
    return {
        "segments": [i < count for i in range(SEVEN_TOUCHES)],
        "count": count,
        "last_touch_at": record.last_touch_at,
        "reached": count >= SEVEN_TOUCHES,
        "next_step": next_step,
        "seven": SEVEN_TOUCHES,
    }


@register.inclusion_tag("crm/_gauge_mini.html")
def mini_gauge(record):
    count = record.touch_count
    return {"segments": [i < count for i in range(SEVEN_TOUCHES)], "count": count}
