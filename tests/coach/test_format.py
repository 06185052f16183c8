"""format.shouting: an ALL-CAPS word that is not a known acronym, or "!!"."""

import pytest

from .spec import fired, spans


@pytest.mark.parametrize(
    "body, shout",
    [
        ("Hi Sam, this is URGENT. Call?", "URGENT"),
        ("Our launch is HUGE for Reno. Call?", "HUGE"),
        ("Congrats on the raise!! Call?", "!!"),
        ("FREE pilot for your team. Call?", "FREE"),
    ],
)
def test_it_flags_shouting(body, shout):
    assert shout in spans(body, "format.shouting")


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, our CRM syncs with HIPAA and GDPR rules, and your CFO sees ARR by EMEA region. Call?",
        "Hi Ana, ASAP works. Call at 3 PM?",
        "Hi Tom, congrats on the raise! Call?",
        "Hi %FIRSTNAME%, worth a call?",
    ],
)
def test_it_allows_acronyms_short_caps_and_one_bang(body):
    assert "format.shouting" not in fired(body)


def test_it_flags_shouting_in_the_subject():
    assert "format.shouting" in fired("Worth a call?", subject="LAST CHANCE")


def test_it_knows_compliance_acronyms():
    assert "format.shouting" not in fired("Hi Rachel, we are HITRUST and SOC 2 certified. Want the packet?")
