"""Money as integer minor units: parse what a seller types, format what they read.

Parsing goes through Decimal so that "1234.56" is 123456 cents exactly; a float
never appears between the form and the database.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

# Currencies whose minor unit is not the cent.
MINOR_DIGITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "JOD": 3, "OMR": 3, "TND": 3}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def minor_digits(currency: str) -> int:
    return MINOR_DIGITS.get(currency.upper(), 2)


def parse_amount(text: str, currency: str) -> int:
    """'12,500.50' in USD -> 1250050. Raises ValidationError saying what is wrong."""
    cleaned = (text or "").strip().replace(",", "").replace("_", "").replace(" ", "")
    for symbol in SYMBOLS.values():
        cleaned = cleaned.replace(symbol, "")
    if cleaned == "":
        return 0
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValidationError(f"{text!r} is not an amount; write it like 12500 or 12,500.00.") from exc
    if value < 0:
        raise ValidationError("An amount cannot be negative.")
    digits = minor_digits(currency)
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise ValidationError(f"{currency} amounts have at most {digits} decimal places.")
    return int(scaled)


def format_amount(minor: int, currency: str, *, short: bool = False) -> str:
    """1250050, 'USD' -> '$12,500.50'; short=True -> '$12.5k'."""
    digits = minor_digits(currency)
    value = Decimal(minor).scaleb(-digits)
    symbol = SYMBOLS.get(currency.upper())
    if short:
        for limit, suffix in ((Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
            if value >= limit:
                text = f"{(value / limit).quantize(Decimal('0.1')).normalize():f}{suffix}"
                break
        else:
            text = f"{value.quantize(Decimal(1)):,f}"
    else:
        text = f"{value:,.{digits}f}" if value != value.to_integral_value() else f"{value.quantize(Decimal(1)):,f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"
