"""The phone fast path for national numbers in plain digits says what `phonenumbers` would, without its parser."""

import random

import phonenumbers

from touchbase.prospecting import normalize


def parser(value: str, region: str) -> str:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_it_agrees_with_the_parser_on_random_numbers_in_every_region():
    rng = random.Random(4)
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    fast = 0
    for _ in range(40_000):
        region = rng.choice(regions)
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 19)))
        if rng.random() < 0.3:
            digits = str(phonenumbers.country_code_for_region(region)) + digits
        value = "".join(c + rng.choice(["", "", "", " ", "-", ".", ") ", "/"]) for c in digits)
        if rng.random() < 0.2:
            value = "(" + value
        answer = normalize._national(digits, region)
        if answer is not None:
            fast += 1
            assert answer == parser(value, region), (value, region)
    assert fast > 15_000, "the fast path must serve most national numbers"


def test_phone_gives_the_parsers_answer_or_the_original_through_the_fast_path():
    assert normalize.phone("(415) 555-0100", "FR") == "(415) 555-0100"
    assert normalize.phone("(415) 555-0100", "GB") == "+444155550100"
    assert normalize.phone("(415) 555-0100", "GB") == parser("(415) 555-0100", "GB")
    assert normalize._national("4155550100", "GB") == "+444155550100"
    assert normalize._national("4155550100", "XX") is None
