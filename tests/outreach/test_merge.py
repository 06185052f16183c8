"""Merge fields: refused when broken at save time, holding the send when empty, never a header injection."""

import pytest

from touchbase.outreach.merge import MergeError, render, template_problems

VALUES = {"first_name": "Dana", "company": "Acme Robotics", "title": "", "seller_first_name": "Sam"}


def test_known_fields_are_filled():
    assert render("Hi {first_name}, {company} and {seller_first_name}", VALUES) == \
        "Hi Dana, Acme Robotics and Sam"


def test_a_template_with_good_fields_has_no_problems():
    assert template_problems("Hi {first_name}, how is {company}?", "body") == []


def test_an_unknown_field_is_named():
    problems = template_problems("Hi {frist_name}", "body")
    assert len(problems) == 1 and "{frist_name} is not a merge field" in problems[0].message
    assert problems[0].field == "body"


def test_double_braces_are_refused_with_the_fix():
    problems = template_problems("Hi {{first_name}}", "subject")
    assert "write {first_name}" in problems[0].message


def test_an_unclosed_field_is_refused():
    problems = template_problems("Hi {first_name, how are you", "body")
    assert problems and "never closes" in problems[0].message


def test_an_empty_value_blocks_with_the_field_named():
    with pytest.raises(MergeError, match=r"\{title\} is empty"):
        render("As {title} at {company}", VALUES)


def test_line_breaks_in_a_value_cannot_reach_a_header():
    evil = {"first_name": "Dana\r\nBcc: everyone@example.com"}
    subject = render("For {first_name}", evil, header=True)
    assert "\n" not in subject and "\r" not in subject
    assert subject == "For Dana Bcc: everyone@example.com"
