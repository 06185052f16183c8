"""The whole loop on real servers: aiosmtpd takes the mail, Dovecot holds both mailboxes.

Sam's sequence mails Dana; the message lands in Dana's Dovecot INBOX; what
Dana (or her mail server) sends back lands in Sam's INBOX over SMTP; the
worker reads it over IMAP and stops, pauses or carries on.
"""

import smtplib
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from touchbase.crm import services as crm
from touchbase.crm.models import Direction, Task, Touch
from touchbase.outreach import worker
from touchbase.outreach.models import Bounce, Enrollment, InboundMessage, OutboxMessage
from touchbase.outreach.services import sequence_enroll

from .conftest import MAIL_PASSWORD

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
THURSDAY_10 = TUESDAY_10 + timedelta(days=2)
EVERY_ROUND = timedelta(0)


def run(now):
    return worker.run_once(now=now, poll_every=EVERY_ROUND)


def send(smtp_server, msg: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", smtp_server.port) as smtp:
        smtp.login(str(msg["From"]).split("<")[-1].rstrip(">"), MAIL_PASSWORD)
        smtp.send_message(msg)


def reply(to_message, *, sender="Dana Reyes <dana@acme.example>", body="Yes, Tuesday works. Send an invite?",
          subject=None, headers=None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "Sam Seller <sam@example.com>"
    msg["Subject"] = subject or f"Re: {to_message['Subject']}"
    msg["Message-ID"] = make_msgid(domain="acme.example")
    if to_message is not None and subject is None:
        msg["In-Reply-To"] = to_message["Message-ID"]
        msg["References"] = to_message["Message-ID"]
    for name, value in (headers or {}).items():
        msg[name] = value
    quoted = "\n".join("> " + line for line in to_message.get_content().splitlines()) if to_message else ""
    msg.set_content(f"{body}\n\nOn Tue, Sam Seller wrote:\n{quoted}\n")
    return msg


def start(sam, reno, *people):
    result = sequence_enroll(actor=sam, sequence=reno, people=people, now=TUESDAY_10)
    assert not result.refused, result.refused
    run(TUESDAY_10)
    return result.enrolled


def status(enrollment):
    return Enrollment.objects.get(pk=enrollment.pk).status


def test_step_one_arrives_in_danas_real_inbox(sam, dana, reno, sams_full_mailbox, dovecot):
    start(sam, reno, dana)
    [received] = dovecot.messages("dana@acme.example")
    assert received["Subject"] == "Reno picking"
    assert received["Message-ID"] == OutboxMessage.objects.get().message_id


def test_a_reply_stops_the_sequence_before_step_two_and_tells_sam(sam, dana, reno, sams_full_mailbox, dovecot,
                                                                  smtp_server):
    [enrollment] = start(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    send(smtp_server, reply(first))
    run(TUESDAY_10 + timedelta(minutes=5))
    assert status(enrollment) == "replied"
    assert Task.objects.get(owner=sam, person=dana).title == "Dana replied: write back"
    touch = Touch.objects.get(person=dana, direction=Direction.IN)
    assert touch.summary.startswith("Dana replied to “Re: Reno picking”: Yes, Tuesday works.")
    assert InboundMessage.objects.get().matched_by == "headers"
    run(THURSDAY_10)
    assert len(dovecot.messages("dana@acme.example")) == 1, "step 2 went out after the reply"


def test_a_reply_in_a_new_thread_from_the_same_address_stops_it_too(sam, dana, reno, sams_full_mailbox,
                                                                   dovecot, smtp_server):
    [enrollment] = start(sam, reno, dana)
    send(smtp_server, reply(None, subject="Quick question about your pricing", body="What does it cost?"))
    run(TUESDAY_10 + timedelta(minutes=5))
    assert status(enrollment) == "replied"
    assert InboundMessage.objects.get().matched_by == "address"


def test_a_gmail_rewritten_subject_without_headers_matches_by_address_and_subject(
        sam, dana, reno, sams_full_mailbox, dovecot, smtp_server):
    [enrollment] = start(sam, reno, dana)
    send(smtp_server, reply(None, subject="RE: [EXT] Re: Reno  picking", body="Sounds good."))
    run(TUESDAY_10 + timedelta(minutes=5))
    assert status(enrollment) == "replied"
    assert InboundMessage.objects.get().matched_by == "address+subject"


def test_copies_in_sent_drafts_and_a_bcc_to_self_never_count(sam, dana, reno, sams_full_mailbox, dovecot):
    [enrollment] = start(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    for folder in ("Sent", "Drafts"):
        dovecot.append("sam@example.com", first.as_bytes(), folder)
    dovecot.append("sam@example.com", first.as_bytes(), "INBOX")  # Sam Bcc'd himself
    run(TUESDAY_10 + timedelta(minutes=5))
    assert status(enrollment) == "active"
    assert InboundMessage.objects.get().kind == "other"


def test_an_out_of_office_pauses_until_the_return_date_then_goes_on(sam, dana, reno, sams_full_mailbox, dovecot,
                                                                    smtp_server):
    [enrollment] = start(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    send(smtp_server, reply(first, subject="Automatic reply: Reno picking",
                            body="I am out of the office and will be back on Monday, December 14.",
                            headers={"Auto-Submitted": "auto-replied", "In-Reply-To": first["Message-ID"]}))
    run(TUESDAY_10 + timedelta(minutes=5))
    paused = Enrollment.objects.get(pk=enrollment.pk)
    assert paused.status == "paused"
    assert paused.paused_until == datetime(2026, 12, 15, 8, 0, tzinfo=UTC)  # the first morning after she is back
    assert "Out of office (back on Mon 14 Dec)" in paused.held_reason
    run(THURSDAY_10)
    assert len(dovecot.messages("dana@acme.example")) == 1, "the follow-up went to an empty office"
    run(datetime(2026, 12, 15, 8, 0, tzinfo=UTC))
    assert [m["Subject"] for m in dovecot.messages("dana@acme.example")] == ["Reno picking", "Fwd: Reno picking"]


def test_a_bounce_stops_the_sequence_and_blocks_the_address(sam, dana, reno, sams_full_mailbox, dovecot):
    [enrollment] = start(sam, reno, dana)
    message_id = OutboxMessage.objects.get().message_id
    dsn = (Path(__file__).parent / "mail" / "postfix_dsn.eml").read_bytes()
    dsn = dsn.replace(b"<170000000009.9.9@example.com>", message_id.encode())
    dsn = dsn.replace(b"nobody@acme.example", b"dana@acme.example")
    dovecot.append("sam@example.com", dsn)
    run(TUESDAY_10 + timedelta(minutes=5))
    assert status(enrollment) == "bounced"
    assert Bounce.objects.filter(email="dana@acme.example", status="5.1.1").exists()
    assert Task.objects.get(owner=sam, person=dana).title == "Dana's email bounced: find the right address"
    run(THURSDAY_10)
    assert OutboxMessage.objects.count() == 1


def test_a_colleagues_reply_pauses_the_others_at_that_company(sam, acme, dana, reno, sams_full_mailbox, dovecot,
                                                              smtp_server):
    lee = crm.person_create(actor=sam, first_name="Lee", last_name="Park", email="lee@acme.example", company=acme)
    dana_run, lee_run = start(sam, reno, dana, lee)
    [first] = dovecot.messages("dana@acme.example")
    send(smtp_server, reply(first))
    run(TUESDAY_10 + timedelta(minutes=5))
    assert status(dana_run) == "replied" and status(lee_run) == "paused"
    assert "Dana at Acme Robotics replied" in Enrollment.objects.get(pk=lee_run.pk).held_reason
    run(THURSDAY_10)
    assert len(dovecot.messages("lee@acme.example")) == 1


def test_an_emailed_unsubscribe_request_opts_her_out(sam, dana, reno, sams_full_mailbox, dovecot, smtp_server):
    [enrollment] = start(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    send(smtp_server, reply(first, body="Please unsubscribe me."))
    run(TUESDAY_10 + timedelta(minutes=5))
    dana.refresh_from_db()
    assert dana.opted_out and status(enrollment) == "unsubscribed"


def test_reading_the_inbox_twice_acts_once(sam, dana, reno, sams_full_mailbox, dovecot, smtp_server):
    start(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    send(smtp_server, reply(first))
    run(TUESDAY_10 + timedelta(minutes=5))
    from touchbase.outreach.models import Mailbox
    Mailbox.objects.update(imap_last_uid=0)  # as if the watermark were lost
    run(TUESDAY_10 + timedelta(minutes=6))
    assert Task.objects.filter(owner=sam, person=dana).count() == 1


def test_an_imap_outage_is_shown_on_the_mailbox_and_sends_go_on(sam, dana, reno, sams_full_mailbox, dovecot):
    from touchbase.outreach.models import Mailbox

    Mailbox.objects.update(imap_port=1)
    start(sam, reno, dana)
    assert Mailbox.objects.get().imap_error.startswith("connect:")
    assert OutboxMessage.objects.get().state == "sent"


def test_a_crashed_send_found_in_sent_is_marked_sent_not_resent(sam, dana, reno, sams_full_mailbox, dovecot,
                                                                smtp_server):
    from touchbase.outreach.models import Mailbox

    Mailbox.objects.update(server_saves_sent=True)
    smtp_server.recorder.save_sent = True
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.advance_due(TUESDAY_10, "w1", Counter())
    message = OutboxMessage.objects.select_related("mailbox__owner", "enrollment__person").get()
    with smtplib.SMTP("127.0.0.1", smtp_server.port) as smtp:  # the send happened, then the worker died
        smtp.login("sam@example.com", MAIL_PASSWORD)
        smtp.send_message(worker.build_email(message, message.mailbox))
    OutboxMessage.objects.update(state="sending", claimed_at=TUESDAY_10)
    run(TUESDAY_10 + timedelta(minutes=10))
    assert OutboxMessage.objects.get().state == "sent"
    assert len(smtp_server.messages) == 1


def test_a_crashed_send_missing_from_sent_goes_again(sam, dana, reno, sams_full_mailbox, dovecot, smtp_server):
    from touchbase.outreach.models import Mailbox

    Mailbox.objects.update(server_saves_sent=True)
    smtp_server.recorder.save_sent = True
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.advance_due(TUESDAY_10, "w1", Counter())
    OutboxMessage.objects.update(state="sending", claimed_at=TUESDAY_10)  # died before SMTP took it
    run(TUESDAY_10 + timedelta(minutes=10))
    assert OutboxMessage.objects.get().state == "sent"
    assert len(smtp_server.messages) == 1


def test_a_renumbered_inbox_is_read_again_without_acting_twice(sam, dana, reno, sams_full_mailbox, dovecot,
                                                               smtp_server):
    from touchbase.outreach.models import Mailbox

    start(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    send(smtp_server, reply(first))
    run(TUESDAY_10 + timedelta(minutes=5))
    Mailbox.objects.update(imap_uidvalidity=1)  # as if the server had rebuilt the folder
    run(TUESDAY_10 + timedelta(minutes=6))
    assert Task.objects.filter(owner=sam, person=dana).count() == 1
    assert Touch.objects.filter(person=dana, direction=Direction.IN).count() == 1
