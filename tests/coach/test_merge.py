"""merge.unfilled: sending "Hi {{first_name}}" ends the relationship."""

import pytest

from .spec import findings, fired, spans


@pytest.mark.parametrize(
    "body, field",
    [
        ("Hi {{first_name}}, worth a call?", "{{first_name}}"),
        ("Hi {first_name}, worth a call?", "{first_name}"),
        ("Hi Sam, how is [COMPANY NAME] handling ramp?", "[COMPANY NAME]"),
        ("Hi [First Name], worth a call?", "[First Name]"),
        ("Hi %FIRSTNAME%, worth a call?", "%FIRSTNAME%"),
        ("Hi *|FNAME|*, worth a call?", "*|FNAME|*"),
        ("Saw <company> is hiring. Worth a call?", "<company>"),
        ("Hi {{ contact.first_name }}, worth a call?", "{{ contact.first_name }}"),
    ],
)
def test_it_flags_a_template_field_left_in(body, field):
    assert spans(body, "merge.unfilled") == [field]


@pytest.mark.parametrize(
    "body",
    [
        'Our API returns `{ "first_name": "Sam" }`, so mapping is one line. Worth a call?',
        'Paste this into your config:\n\n    greeting = f"Hi {first_name}"\n\nWorth a call?',
        "Ramp fell 30% [1] and churn 12%. Details at <https://acme.com/report> or <dana@acme.com>. Call?",
        "Use ```{{first_name}}``` in your template and we fill it. Worth a call?",
        "Hi Sam, worth a call? [sic] the board's words, not mine.",
        "Hi Sam, it is 100% free for 30% of teams. Call?",
    ],
)
def test_it_does_not_flag_code_footnotes_percentages_or_addresses(body):
    assert "merge.unfilled" not in fired(body)


def test_it_flags_a_field_in_the_subject():
    (finding,) = findings("Worth a call?", "merge.unfilled", subject="Idea for {{company}}")
    assert (finding.field, finding.start, finding.end) == ("subject", 9, 20)


def test_it_suggests_the_value_from_context():
    (finding,) = findings("Hi {{first_name}}, call?", "merge.unfilled", first_name="Sam")
    assert finding.suggestion == "Replace {{first_name}} with “Sam”."


def test_it_allows_fields_in_a_template():
    assert "merge.unfilled" not in fired("Hi {{first_name}}, worth a call?", template=True)
