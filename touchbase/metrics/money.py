"""Amounts in several currencies, kept apart, and converted only through the admin's rate table."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from touchbase.crm.money import format_amount, minor_digits

from .models import CurrencyRate


class Amounts(dict):
    """Minor units per currency: {'USD': 1250000, 'EUR': 300000}. Never summed across keys."""

    def add(self, currency: str, minor: int) -> None:
        if minor or currency in self:  # no zero entries, so {} means "nothing" in every currency
            self[currency] = self.get(currency, 0) + int(minor or 0)

    def __bool__(self) -> bool:
        return any(self.values())

    def plus(self, other: "Amounts") -> "Amounts":
        out = Amounts(self)
        for currency, minor in other.items():
            out.add(currency, minor)
        return out

    def scaled(self, factor) -> "Amounts":
        return Amounts({c: round_minor(Decimal(m) * Decimal(factor)) for c, m in self.items()})

    def text(self, *, short: bool = False) -> str:
        parts = [format_amount(m, c, short=short) for c, m in sorted(self.items()) if m]
        return " + ".join(parts) or "0"


def round_minor(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@dataclass
class Converted:
    minor: int | None  # None when a rate is missing
    currency: str
    missing: list[str]

    def text(self, *, short: bool = False) -> str:
        if self.minor is None:
            return f"no rate for {', '.join(self.missing)} to {self.currency}"
        return format_amount(self.minor, self.currency, short=short)


def rate(currency: str, to_currency: str, on: date) -> Decimal | None:
    """The admin's rate in force on `on` (or the inverse of the opposite rate), None when there is none."""
    if currency == to_currency:
        return Decimal(1)
    direct = (CurrencyRate.objects.filter(currency=currency, to_currency=to_currency, valid_from__lte=on)
              .order_by("-valid_from").values_list("rate", flat=True).first())
    if direct is not None:
        return Decimal(direct)
    inverse = (CurrencyRate.objects.filter(currency=to_currency, to_currency=currency, valid_from__lte=on)
               .order_by("-valid_from").values_list("rate", flat=True).first())
    return Decimal(1) / Decimal(inverse) if inverse is not None else None


def convert(amounts: Amounts, to_currency: str, on: date) -> Converted:
    """One total in `to_currency`, or None with the currencies that have no rate: never a silent mix."""
    total, missing = Decimal(0), []
    for currency, minor in sorted(amounts.items()):
        if not minor:
            continue
        r = rate(currency, to_currency, on)
        if r is None:
            missing.append(currency)
            continue
        major = Decimal(minor).scaleb(-minor_digits(currency))
        total += (major * r).scaleb(minor_digits(to_currency))
    if missing:
        return Converted(None, to_currency, missing)
    return Converted(round_minor(total), to_currency, [])
