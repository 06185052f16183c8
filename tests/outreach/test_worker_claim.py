"""The last look before a send is in the claim itself: whatever stopped the run since it was queued holds it."""

from collections import Counter
from datetime import UTC, datetime

from touchbase.crm.models import Person
from touchbase.outreach import worker
from touchbase.outreach.models import Enrollment, Mailbox, OutboxMessage
from touchbase.outreach.services import sequence_enroll

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def queued(sam, reno, dana):
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.advance_due(TUESDAY_10, "w1", Counter())
    return OutboxMessage.objects.get()


def test_a_person_opted_out_after_the_message_was_queued_is_not_sent_it(sam, dana, reno, sams_mailbox, smtp_server):
    queued(sam, reno, dana)
    Person.objects.filter(pk=dana.pk).update(opted_out=True)  # another process, between queueing and sending
    counts = Counter()
    worker.send_queued(TUESDAY_10, "w1", counts)
    assert smtp_server.messages == [] and OutboxMessage.objects.get().state == "cancelled"
    assert counts == Counter({"mail cancelled": 1})


def test_a_run_that_replied_since_does_not_send(sam, dana, reno, sams_mailbox, smtp_server):
    queued(sam, reno, dana)
    Enrollment.objects.update(status="replied")
    worker.send_queued(TUESDAY_10, "w1", Counter())
    assert smtp_server.messages == [] and OutboxMessage.objects.get().state == "cancelled"


def test_a_paused_mailbox_holds_the_message_with_the_reason(sam, dana, reno, sams_mailbox, smtp_server):
    queued(sam, reno, dana)
    Mailbox.objects.update(paused_reason="3 hard bounces today")
    counts = Counter()
    worker.send_queued(TUESDAY_10, "w1", counts)
    message = OutboxMessage.objects.get()
    assert smtp_server.messages == [] and message.state == "queued" and counts["mail held"] == 1
    assert message.held_reason == "Mailbox paused: 3 hard bounces today"


def test_a_finished_run_still_sends_its_last_email(sam, dana, reno, sams_mailbox, smtp_server):
    queued(sam, reno, dana)
    Enrollment.objects.update(status="finished")
    counts = Counter()
    worker.send_queued(TUESDAY_10, "w1", counts)
    assert counts["mail sent"] == 1 and OutboxMessage.objects.get().state == "sent"
