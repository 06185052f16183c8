"""Reading what lands in the seller's INBOX: replies, out-of-office notes, bounces, unsubscribe requests.

The messages in `mail/` are shaped like the real ones (Outlook and Gmail
auto-replies, a Postfix DSN, an Exchange non-delivery report, a Gmail delay
notice, an HTML reply with an encoded German subject).
"""

from datetime import date
from pathlib import Path

import pytest

from touchbase.outreach.inbound import read, return_date, thread_subject

MAIL = Path(__file__).parent / "mail"
TODAY = date(2026, 12, 1)  # a Tuesday


def mail(name: str):
    return read((MAIL / name).read_bytes(), TODAY)


def test_a_human_reply_is_a_reply_linked_to_our_message():
    found = mail("human_reply.eml")
    assert found.kind == "reply"
    assert found.links == ["<170000000001.1.1@example.com>"]
    assert found.from_email == "dana@acme.example"


def test_a_reply_that_mentions_being_out_of_office_is_still_a_reply():
    # "I'll be out of office next week, but Tuesday works" is a person answering, not a responder.
    assert mail("human_reply.eml").kind == "reply"


def test_the_own_text_leaves_the_quote_behind():
    own = mail("human_reply.eml").own_text
    assert own.startswith("Sam, yes") and "mispicks" not in own


def test_an_outlook_automatic_reply_is_an_auto_reply_with_its_return_date():
    found = mail("outlook_ooo.eml")
    assert found.kind == "auto_reply" and found.back_on == date(2026, 12, 14)


def test_a_gmail_vacation_responder_is_an_auto_reply_with_a_us_date():
    found = mail("gmail_vacation.eml")
    assert found.kind == "auto_reply" and found.back_on == date(2026, 12, 10)


def test_an_out_of_office_without_its_headers_is_known_by_its_words():
    found = mail("ooo_no_headers.eml")
    assert found.kind == "auto_reply" and found.back_on == date(2026, 12, 9)


def test_a_postfix_dsn_is_a_hard_bounce_naming_the_address_and_our_message():
    found = mail("postfix_dsn.eml")
    assert found.kind == "bounce"
    assert found.bounce.hard and found.bounce.status == "5.1.1"
    assert found.bounce.recipient == "nobody@acme.example"
    assert "User unknown" in found.bounce.diagnostic
    assert found.links[0] == "<170000000009.9.9@example.com>"


def test_a_delay_notice_is_a_soft_bounce():
    found = mail("gmail_delayed.eml")
    assert found.kind == "bounce" and not found.bounce.hard and found.bounce.status == "4.4.1"
    assert found.links[0] == "<170000000001.1.1@example.com>"


def test_a_full_mailbox_is_soft_even_with_a_5_code():
    found = mail("mailbox_full.eml")
    assert found.kind == "bounce" and not found.bounce.hard


def test_an_exchange_report_in_plain_text_is_a_hard_bounce():
    found = mail("exchange_ndr_plain.eml")
    assert found.kind == "bounce" and found.bounce.hard and found.bounce.status == "5.1.10"
    assert found.bounce.recipient == "gone@acme.example"
    assert found.links[0] == "<170000000002.2.2@example.com>"


def test_a_short_please_remove_me_is_an_unsubscribe_request():
    assert mail("unsubscribe_reply.eml").kind == "unsubscribe"


def test_an_html_only_reply_with_an_encoded_subject_is_read():
    found = mail("html_reply.eml")
    assert found.kind == "reply" and found.subject == "AW: Reno picking"
    assert "Dana forwarded me your note" in found.own_text


@pytest.mark.parametrize("subject", [
    "Re: Reno picking", "RE: RE: Reno picking", "Fwd: Re: Reno picking", "AW: Reno picking",
    "[EXT] Re: Reno  picking", "Re[2]: Reno picking", "SV: Reno picking", "reno picking",
])
def test_rewritten_subjects_belong_to_the_same_thread(subject):
    assert thread_subject(subject) == "reno picking"


@pytest.mark.parametrize(("text", "back"), [
    ("I'm away until Friday", date(2026, 12, 4)),
    ("back in the office on 7 January", date(2027, 1, 7)),
    ("I return on Jan 4th, 2027", date(2027, 1, 4)),
    ("out until 25/12", date(2026, 12, 25)),
    ("Back Monday", date(2026, 12, 7)),
    ("I'll be back when the project ends", None),
    ("back on 2030-01-01", None),  # too far off to be a holiday
])
def test_return_dates_in_the_common_forms(text, back):
    assert return_date(text, TODAY) == back
