"""Cleaning imported values: each function's promise, including the fast path and the hopeless cases."""

import pytest

from touchbase.prospecting import normalize


@pytest.mark.parametrize("raw, clean", [
    ("  Dana@Acme.Example ", "dana@acme.example"),
    ("mailto:lee@beta.io", "lee@beta.io"),
    ("", ""),
    ("not an email", None),
    ("two@@signs.com", None),
    ("dots..twice@x.com", None),
    ("no-tld@localhost", None),
    ("a" * 250 + "@x.com", None),
])
def test_emails_are_lower_cased_and_checked_for_syntax(raw, clean):
    assert normalize.email(raw) == clean


@pytest.mark.parametrize("raw, country, clean", [
    ("+14155550100", "", "+14155550100"),
    ("+1 (415) 555-0100", "", "+14155550100"),
    ("0049 30 1234567", "", "+49301234567"),
    ("(415) 555-0100", "US", "+14155550100"),
    ("030 1234567", "DE", "+49301234567"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("call me maybe", "US", "call me maybe"),
    ("", "US", ""),
])
def test_phone_numbers_become_e164_with_the_country_as_hint(raw, country, clean):
    assert normalize.phone(raw, country) == clean


def test_an_e164_number_skips_the_slow_parser(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("phonenumbers.parse called for a number already in E.164")

    monkeypatch.setattr(normalize.phonenumbers, "parse", boom)
    assert normalize.phone("+442079460958", "GB") == "+442079460958"


@pytest.mark.parametrize("raw, clean", [
    ("https://www.Acme.com/about?x=1", "acme.com"),
    ("acme.co.uk", "acme.co.uk"),
    ("http://shop.acme.com:8080", "shop.acme.com"),
    ("www.acme.com.", "acme.com"),
    ("not a website", ""),
    ("", ""),
])
def test_websites_become_bare_domains(raw, clean):
    assert normalize.domain(raw) == clean


def test_free_mail_domains_name_no_employer():
    assert normalize.email_domain("lee@gmail.com") == ""
    assert normalize.email_domain("lee@beta.io") == "beta.io"


@pytest.mark.parametrize("raw, clean", [("us", "US"), ("United States", "US"), ("Germany", "DE"), ("Atlantis", "")])
def test_countries_become_two_letter_codes(raw, clean):
    assert normalize.country(raw) == clean


@pytest.mark.parametrize("raw, count", [("120", 120), ("1,200", 1200), ("51-200", 51), ("10k", 10000),
                                        ("", None), ("lots", None)])
def test_employee_counts_are_read_from_what_exports_write(raw, count):
    assert normalize.employee_count(raw) == count


def test_names_are_trimmed_and_inner_spaces_collapsed():
    assert normalize.name("  Acme   Robotics \t") == "Acme Robotics"


@pytest.mark.parametrize("raw, country", [("(415) 555-0100", "US"), ("1-415-555-0100", "US"), ("030 1234567", "DE"),
                                          ("020 7946 0958", "GB"), ("06 12 34 56 78", "FR")])
def test_the_national_fast_path_agrees_with_phonenumbers(raw, country):
    import phonenumbers

    slow = phonenumbers.format_number(phonenumbers.parse(raw, country), phonenumbers.PhoneNumberFormat.E164)
    assert normalize.phone(raw, country) == slow


def test_public_ids_made_in_bulk_are_distinct_version_7_uuids_in_counter_order():
    import uuid

    from touchbase.prospecting.importer import PublicIds

    counters = [1, 2, 4095, 4096, 16_383, 16_384, 5_000_000, 67_108_863]
    ids = [uuid.UUID(hex=i) for i in PublicIds().hex(counters)]
    assert len(set(ids)) == len(counters)
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert sorted(ids) == ids
    # Two runs of the same counters differ in their random part.
    assert set(PublicIds().hex(counters)).isdisjoint(i.hex for i in ids)
