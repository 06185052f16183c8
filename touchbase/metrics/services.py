"""Metrics use cases: set and end targets, keep the rate table, and work out a period's target and pace.

A period's target adds up, day by day, each target row in force that day: a
row contributes its amount divided by the length of its own period (a weekly
target gives a seventh a day), times the seller's ramp that day. So a weekly
target read over a month is the month's days over seven, a target changed
mid-quarter counts each row for its own days, and a seller whose target ended
when they left carries only the days they were there.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from touchbase.accounts.models import Role, User, zone_of

from .measures import Scope
from .models import RAMP, CurrencyRate, Measure, Target, Unit
from .periods import Period, PeriodKind, period_containing


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def ramp_factor(seller, day: date) -> Fraction:
    """A seller's share of their target on `day`: 0 before they joined, then 50%, 75%, 100% by month."""
    joined = seller.date_joined.astimezone(zone_of(user=seller)).date()
    if day < joined:
        return Fraction(0)
    if day < _add_months(joined, 1):
        return Fraction(RAMP[0])
    if day < _add_months(joined, 2):
        return Fraction(RAMP[1])
    return Fraction(1)


def _row_share(target: Target, period: Period) -> Fraction:
    """How much of `target.amount` falls in `period` (1 for a full period of the same kind)."""
    share = Fraction(0)
    lengths: dict[date, int] = {}
    for day in period.dates():
        if day < target.starts_on or (target.ends_on and day > target.ends_on):
            continue
        own = period_containing(PeriodKind(target.period), day, period.zone)
        lengths.setdefault(own.start, own.days)
        factor = ramp_factor(target.seller, day) if (target.seller_id and target.ramp) else Fraction(1)
        share += factor / lengths[own.start]
    return share


def _rows(measure: str, period: Period, q: Q):
    return (Target.objects.filter(q, measure=measure, starts_on__lt=period.end)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.start)).select_related("seller"))


def _pooled_rows(pool: list[Target], measure: str, period: Period, scope: Scope) -> list[Target]:
    """The same rows as `_rows`, picked from targets already read (a report reads the table once)."""
    def in_scope(t):
        if scope.kind == "seller":
            return t.seller_id == scope.seller.pk
        if scope.kind == "team":
            return t.seller_id is not None and t.seller.role == Role.SELLER
        return t.seller_id is None

    return [t for t in pool if t.measure == measure and t.starts_on < period.end
            and (t.ends_on is None or t.ends_on >= period.start) and in_scope(t)]


@dataclass
class TargetValue:
    amount: int  # count, percent, or minor units of `currency`
    currency: str = ""


def target_for(measure: str, scope: Scope, period: Period, *, pool: list[Target] | None = None) -> TargetValue | None:
    """The target of `measure` for the scope over the period, or None when nobody set one.

    Team: the sellers' targets added up. Company: the company-wide target, or the
    team's when there is no company-wide one.
    """
    measure = Measure(measure)
    if scope.kind == "seller":
        q = Q(seller=scope.seller)
    elif scope.kind == "team":
        q = Q(seller__role=Role.SELLER)
    else:
        q = Q(seller__isnull=True)
    rows = _pooled_rows(pool, measure, period, scope) if pool is not None else list(_rows(measure, period, q))
    if not rows and scope.kind == "company":
        return target_for(measure, Scope.team(), period, pool=pool)
    if not rows:
        return None
    if measure.unit == Unit.PERCENT:
        # A rate does not add up over days or sellers: the row in force last in the period holds.
        last = max(rows, key=lambda t: (t.starts_on, t.pk))
        return TargetValue(last.amount)
    currencies = {t.currency for t in rows}
    if len(currencies) > 1:
        raise ValidationError(f"{measure.label} targets are set in {', '.join(sorted(currencies))}; "
                              "set them in one currency to add them up.")
    total = sum((t.amount * _row_share(t, period) for t in rows), Fraction(0))
    return TargetValue(round(total), currencies.pop())


def pace(actual, period: Period, now) -> Decimal | None:
    """Where the period ends at the rate so far: the actual itself once it is over, None before it starts."""
    share = period.elapsed_share(now)
    if share is None or actual is None:
        return None
    if share >= 1:
        return Decimal(actual)
    if share == 0:
        return None
    return Decimal(actual) / Decimal(share)


# -- writes ----------------------------------------------------------------------


def _ensure_manager(actor) -> None:
    if not actor.is_manager:
        raise PermissionDenied("Only a manager sets targets and rates.")


def target_set(*, actor, measure: str, period: str, amount: int, starts_on: date, seller: User | None = None,
               currency: str = "", ramp: bool = True) -> Target:
    """Put a target in force from `starts_on`, ending the row it replaces the day before."""
    _ensure_manager(actor)
    if measure not in Measure.values:
        raise ValidationError({"measure": f"{measure!r} is not a measure a target can be set on."})
    if period not in {kind.value for kind in PeriodKind}:
        raise ValidationError({"period": f"{period!r} is not week, month or quarter."})
    if isinstance(amount, float) or not isinstance(amount, int):
        raise ValidationError({"amount": "A target is a whole number (money in minor units)."})
    if amount < 0:
        raise ValidationError({"amount": "A target cannot be below zero."})
    if seller is not None and seller.role != Role.SELLER:
        raise ValidationError({"seller": f"{seller} is not a seller."})
    target = Target(measure=measure, period=period, amount=amount, starts_on=starts_on, seller=seller,
                    currency=(currency or "").upper(), ramp=ramp, set_by=actor)
    target.full_clean()
    with transaction.atomic():
        (Target.objects.filter(measure=measure, seller=seller, period=period, starts_on__lt=starts_on)
         .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
         .update(ends_on=starts_on - timedelta(days=1)))
        Target.objects.filter(measure=measure, seller=seller, period=period, starts_on=starts_on).delete()
        target.save()
    return target


def target_end(*, actor, target: Target, last_day: date) -> Target:
    """Stop a target after `last_day` (a seller who leaves keeps their target for the days they were here)."""
    _ensure_manager(actor)
    if last_day < target.starts_on:
        raise ValidationError({"ends_on": "A target cannot end before it starts."})
    target.ends_on = last_day
    target.save(update_fields=["ends_on"])
    return target


def rate_set(*, actor, currency: str, to_currency: str, rate: Decimal, valid_from: date) -> CurrencyRate:
    if not actor.is_admin:
        raise PermissionDenied("Only an admin keeps the currency rates.")
    row = CurrencyRate(currency=currency.upper(), to_currency=to_currency.upper(), rate=Decimal(rate),
                       valid_from=valid_from)
    if row.currency == row.to_currency:
        raise ValidationError({"to_currency": "A rate converts between two different currencies."})
    row.full_clean(validate_unique=False)
    CurrencyRate.objects.update_or_create(currency=row.currency, to_currency=row.to_currency, valid_from=valid_from,
                                          defaults={"rate": row.rate})
    return row


class NotASeller(ValueError):
    """The seller named for a report is nobody, or not a seller."""


def seller_from(text: str) -> User | None:
    """A seller by id or email (as typed in ?seller= or --seller); None for the company report."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        # An id past 64 bits would overflow the database driver: it is nobody anyway.
        user = User.objects.filter(pk=int(text)).first() if len(text) < 19 else None
    else:
        user = User.objects.filter(email__iexact=text).first()
    if user is None:
        raise NotASeller(f"{text!r} is nobody on the team; use a seller's email.")
    if user.role != Role.SELLER:
        raise NotASeller(f"{user.email} is a {user.get_role_display().lower()}, not a seller: "
                         "leave the seller out for the company report.")
    return user
