"""The per-recipient-domain daily cap: a pure rule, then the worker holding the next email to a busy domain."""

from datetime import UTC, datetime, timedelta

from touchbase.crm import services as crm
from touchbase.outreach import worker
from touchbase.outreach.domains import domain_cap_hold, recipient_domain
from touchbase.outreach.models import Mailbox, OutboxMessage
from touchbase.outreach.services import sequence_enroll

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def hours_ago(*hours):
    return [NOON - timedelta(hours=h) for h in hours]


def test_the_domain_is_what_follows_the_last_at_in_lower_case():
    assert recipient_domain("Dana.Reyes@ACME.example") == "acme.example"
    assert recipient_domain("no-at-sign") == ""


def test_under_the_cap_it_may_go():
    assert domain_cap_hold(hours_ago(1, 2), NOON, 3, "acme.example") is None


def test_at_the_cap_it_waits_24_hours_after_the_oldest_send_that_counts():
    hold = domain_cap_hold(hours_ago(1, 5, 20, 30), NOON, 3, "acme.example")
    assert hold.until == NOON - timedelta(hours=20) + timedelta(days=1)
    assert hold.reason == "daily cap of 3 emails to acme.example reached"


def test_sends_older_than_a_day_do_not_count():
    assert domain_cap_hold(hours_ago(25, 26, 27), NOON, 3, "acme.example") is None


def test_zero_means_no_cap_and_free_mail_is_never_capped():
    assert domain_cap_hold(hours_ago(1, 2, 3), NOON, 0, "acme.example") is None
    assert domain_cap_hold(hours_ago(1, 2, 3), NOON, 1, "gmail.com") is None


def test_the_worker_holds_the_third_email_to_one_domain_and_says_why(sam, acme, reno, sams_mailbox, smtp_server):
    Mailbox.objects.filter(pk=sams_mailbox.pk).update(domain_daily_cap=2, daily_cap=500)
    people = [crm.person_create(actor=sam, first_name=name, last_name="Acme", email=f"{name.lower()}@acme.example",
                                company=acme) for name in ("Dana", "Lee", "Max")]
    # Colleagues at one company are one conversation for one seller; each gets the sequence here.
    result = sequence_enroll(actor=sam, sequence=reno, people=people, now=NOON)
    assert len(result.enrolled) == 3
    worker.run_once(now=NOON)
    assert len(smtp_server.messages) == 2
    [held] = OutboxMessage.objects.filter(state="queued")
    assert held.held_reason.startswith("daily cap of 2 emails to acme.example reached; goes at")
    assert held.not_before >= NOON + timedelta(days=1)
