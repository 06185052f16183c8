"""The email the worker writes by hand is a correct MIME email, read back the same by a real parser."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

from touchbase.crm import services as crm
from touchbase.outreach import worker
from touchbase.outreach.models import OutboxMessage
from touchbase.outreach.services import sequence_enroll

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def queued(sam, reno, person):
    sequence_enroll(actor=sam, sequence=reno, people=[person], now=TUESDAY_10)
    worker.advance_due(TUESDAY_10, "w1", __import__("collections").Counter())
    return OutboxMessage.objects.select_related("mailbox__owner", "enrollment__person").get(enrollment__person=person)


def parsed(message):
    raw = worker.email_bytes(message, message.mailbox)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only, as SMTP wants
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    return message_from_bytes(raw, policy=policy.default)


def test_names_and_subjects_beyond_ascii_travel_as_encoded_words(sam, dana, reno, sams_mailbox):
    crm.person_update(actor=sam, person=dana, first_name="Zoë", last_name="Ångström-Núñez")
    message = queued(sam, reno, dana)
    OutboxMessage.objects.filter(pk=message.pk).update(subject=("Reno — picking, café à 8 h " + "très long " * 12).strip())
    message.refresh_from_db()
    email = parsed(message)
    assert str(email["To"]) == "Zoë Ångström-Núñez <dana@acme.example>"
    assert str(email["Subject"]) == message.subject
    assert email["Message-ID"] == message.message_id
    assert email.get_content().startswith("Hi Zoë, your Reno site opens soon.")


def test_the_hand_written_email_says_what_the_email_package_would(sam, dana, reno, sams_mailbox):
    crm.person_update(actor=sam, person=dana, first_name="Zoë")
    message = queued(sam, reno, dana)
    ours, stock = parsed(message), worker.build_email(message, message.mailbox)
    for header in ("From", "To", "Subject", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post"):
        assert str(ours[header]) == str(stock[header]), header
    assert ours.get_content().replace("\r\n", "\n") == stock.get_content()  # CRLF on the wire
    assert ours.get_content_type() == "text/plain" and ours.get_content_charset() == "utf-8"


def test_a_follow_up_threads_under_every_earlier_message(sam, dana, reno, sams_mailbox, smtp_server):
    message = queued(sam, reno, dana)
    long_chain = " ".join(f"<{i}.{'x' * 60}@example.com>" for i in range(30))
    OutboxMessage.objects.filter(pk=message.pk).update(in_reply_to="<0.x@example.com>", references=long_chain)
    message.refresh_from_db()
    email = parsed(message)
    assert email["References"].split() == long_chain.split()
    assert email["In-Reply-To"] == "<0.x@example.com>"


def test_a_line_break_in_any_stored_header_field_stays_inside_its_header(sam, dana, reno, sams_mailbox):
    message = queued(sam, reno, dana)
    OutboxMessage.objects.filter(pk=message.pk).update(subject="Hi\r\nBcc: everyone@example.com",
                                                       to_name="Dana\nCc: x@example.com")
    message.refresh_from_db()
    email = parsed(message)
    assert email["Bcc"] is None and email["Cc"] is None
    assert "everyone@example.com" in str(email["Subject"])


def test_the_round_hands_every_message_to_the_server_through_the_sender_threads(sam, acme, reno, sams_mailbox,
                                                                                 smtp_server):
    people = [crm.person_create(actor=sam, first_name=f"P{i}", email=f"p{i}@acme{i}.example") for i in range(25)]
    sequence_enroll(actor=sam, sequence=reno, people=people, now=TUESDAY_10)
    counts = worker.run_once(now=TUESDAY_10)
    assert counts["mail sent"] == 25
    ids = smtp_server.message_ids()
    assert sorted(ids) == sorted(OutboxMessage.objects.filter(state="sent").values_list("message_id", flat=True))
    assert len(set(ids)) == 25
    worker.run_once(now=TUESDAY_10 + timedelta(hours=1))
    assert len(smtp_server.message_ids()) == 25
