"""Cleaning imported values: emails, phone numbers, websites, names, countries, head counts.

Plain functions, called once per cell on lead lists of a million rows, so each keeps a fast path
for the common, already-clean value (an E.164 phone number is not handed to `phonenumbers`, which
costs about 27 µs a number).
"""

import re

import phonenumbers

_EMAIL = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
                    r"(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_PHONE_PUNCTUATION = str.maketrans("", "", " -.()/\u00a0")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
_DIGITS = re.compile(r"[0-9]+")

# Addresses at these domains say nothing about the employer: they never create or link a company.
FREE_MAIL = frozenset("""
gmail.com googlemail.com yahoo.com yahoo.co.uk yahoo.fr yahoo.de ymail.com hotmail.com hotmail.co.uk
hotmail.fr hotmail.de outlook.com live.com msn.com aol.com icloud.com me.com mac.com proton.me
protonmail.com pm.me gmx.com gmx.de gmx.net web.de t-online.de mail.ru yandex.ru yandex.com qq.com
163.com 126.com zoho.com fastmail.com hey.com mail.com orange.fr free.fr laposte.net libero.it
""".split())

COUNTRY_NAMES = {
    "united states": "US", "united states of america": "US", "usa": "US", "u.s.": "US", "u.s.a.": "US",
    "america": "US", "canada": "CA", "mexico": "MX", "brazil": "BR", "argentina": "AR", "chile": "CL",
    "united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
    "ireland": "IE", "germany": "DE", "deutschland": "DE", "france": "FR", "spain": "ES", "españa": "ES",
    "portugal": "PT", "italy": "IT", "netherlands": "NL", "the netherlands": "NL", "holland": "NL",
    "belgium": "BE", "luxembourg": "LU", "switzerland": "CH", "austria": "AT", "denmark": "DK",
    "sweden": "SE", "norway": "NO", "finland": "FI", "iceland": "IS", "poland": "PL", "czechia": "CZ",
    "czech republic": "CZ", "hungary": "HU", "romania": "RO", "greece": "GR", "turkey": "TR",
    "israel": "IL", "united arab emirates": "AE", "uae": "AE", "saudi arabia": "SA", "india": "IN",
    "china": "CN", "japan": "JP", "south korea": "KR", "korea": "KR", "singapore": "SG", "australia": "AU",
    "new zealand": "NZ", "south africa": "ZA", "nigeria": "NG", "kenya": "KE", "egypt": "EG",
    "estonia": "EE", "latvia": "LV", "lithuania": "LT", "ukraine": "UA", "philippines": "PH",
    "indonesia": "ID", "vietnam": "VN", "thailand": "TH", "malaysia": "MY", "hong kong": "HK", "taiwan": "TW",
}
_NANP = frozenset({"US", "CA"})
_TRUNK_ZERO = {"DE": "49", "GB": "44", "FR": "33", "NL": "31", "BE": "32", "AT": "43", "CH": "41", "SE": "46",
               "FI": "358", "IE": "353", "AU": "61", "NZ": "64", "JP": "81", "IN": "91", "ZA": "27", "TR": "90"}
_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS) | {"GB", "US"}


def email(value: str) -> str | None:
    """The address lower-cased, '' when empty, or None when it is not an email address."""
    value = value.strip().lower()
    if not value:
        return ""
    if value.startswith("mailto:"):
        value = value[7:]
    if len(value) > 254 or not _EMAIL.match(value) or ".." in value:
        return None
    return value


def email_domain(address: str) -> str:
    """The employer's domain of an address, '' for free-mail providers."""
    domain = address.rpartition("@")[2]
    return "" if domain in FREE_MAIL else domain


def phone(value: str, country: str = "") -> str:
    """E.164 when the number can be read (with the country as hint), else the trimmed original."""
    value = value.strip()
    if not value or _E164.match(value):
        return value
    compact = value.translate(_PHONE_PUNCTUATION)
    if _E164.match(compact):
        return compact
    if compact.startswith("00") and _E164.match("+" + compact[2:]):
        return "+" + compact[2:]
    if compact.isdigit():
        # The common national formats skip the parser: a 10-digit North American number, or a number
        # with the trunk prefix 0 in a country where dialling from abroad drops it. phonenumbers would
        # also check the length against the numbering plan; a lead list gains little from that.
        if country in _NANP and (len(compact) == 10 and compact[0] in "23456789"):
            return "+1" + compact
        if country in _NANP and len(compact) == 11 and compact[0] == "1" and compact[1] in "23456789":
            return "+" + compact
        code = _TRUNK_ZERO.get(country)
        if code and compact[0] == "0" and compact[1:2] != "0" and 6 <= len(compact) - 1 <= 12:
            return f"+{code}{compact[1:]}"
        national = _national(compact, country) if len(value) <= 250 else None
        if national is not None:
            return national or value[:32]
    try:
        number = phonenumbers.parse(value, country if country in _REGIONS else None)
    except phonenumbers.NumberParseException:
        return value[:32]
    if not phonenumbers.is_possible_number(number):
        return value[:32]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_PREFIXES: dict[str, tuple[str, re.Pattern | None, re.Pattern | None] | None] = {}


def _national(digits: str, country: str) -> str | None:
    """What `phonenumbers` makes of a national number in plain digits, without its parser; None when unsure.

    When the digits start with neither the country's calling code, nor its international or trunk
    prefix, the parser keeps them whole as the national number; that leaves its length check, asked
    of the library itself. E.164, or '' when the number is not possible there. Exact: the tests
    compare it with the parser on random numbers for every region.
    """
    if not (3 <= len(digits) <= 17 and digits.isascii() and digits[0] != "0"):
        return None
    if country not in _PREFIXES:
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(country, None) if country in _REGIONS else None
        _PREFIXES[country] = metadata and (
            str(metadata.country_code),
            re.compile(metadata.international_prefix) if metadata.international_prefix else None,
            re.compile(metadata.national_prefix_for_parsing) if metadata.national_prefix_for_parsing else None)
    prefixes = _PREFIXES[country]
    if prefixes is None:
        return None
    code, international, trunk = prefixes
    if digits.startswith(code) or (international and international.match(digits)) or (trunk and trunk.match(digits)):
        return None
    number = phonenumbers.PhoneNumber(country_code=int(code), national_number=int(digits))
    return f"+{code}{digits}" if phonenumbers.is_possible_number(number) else ""


def domain(value: str) -> str:
    """A bare domain from a website or domain cell ("https://www.Acme.com/about" -> "acme.com"), '' if none."""
    value = value.strip().lower()
    if not value:
        return ""
    value = _SCHEME.sub("", value)
    value = value.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    value = value.rstrip(".")
    if value.startswith("www."):
        value = value[4:]
    return value if _DOMAIN.match(value) else ""


def name(value: str) -> str:
    """Inner runs of white space collapsed, outer removed."""
    return " ".join(value.split())


def company_key(value: str) -> str:
    """A company name as dedupe compares it: case and spacing do not make another company."""
    return " ".join(value.casefold().split())


def country(value: str) -> str:
    """An ISO 3166 two-letter code from a code or a common English name, '' when unknown."""
    value = value.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    return COUNTRY_NAMES.get(value.lower(), "")


def employee_count(value: str) -> int | None:
    """A head count from "120", "1,200", "51-200" (the lower bound) or "10k"; None if unreadable."""
    value = value.strip().lower().replace(",", "").replace(" ", "")
    if not value:
        return None
    if value.isdigit():
        return int(value)
    if value.endswith("k") and value[:-1].replace(".", "", 1).isdigit():
        return int(float(value[:-1]) * 1000)
    digits = _DIGITS.findall(value)
    return int(digits[0]) if digits else None


def answer(value: str) -> str:
    """yes / no / unknown from the many ways a spreadsheet says it."""
    value = value.strip().lower()
    if value in {"yes", "y", "true", "1", "x", "ja", "oui", "si"}:
        return "yes"
    if value in {"no", "n", "false", "0", "nein", "non"}:
        return "no"
    return "unknown"


def split_full_name(value: str) -> tuple[str, str]:
    parts = value.split()
    if not parts:
        return "", ""
    return parts[0], " ".join(parts[1:])
