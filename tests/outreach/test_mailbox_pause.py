"""A mailbox paused at 3% hard bounces in a day: the owner is told (a task, a banner) and resumes it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from touchbase.crm.models import Person, Task
from touchbase.outreach import worker
from touchbase.outreach.models import Enrollment, EnrollmentStatus, Mailbox, OutboxMessage, OutboxState
from touchbase.outreach.services import bounce_rate_check, mailbox_resume, sequence_enroll

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
PAUSED_TASK = ("Your mailbox was paused: 2 of 50 sent today bounced hard. Check the list, then resume "
               "(sam@example.com)")


def sent_today(sam, reno, mailbox, *, sent: int, bounced: int, at=TUESDAY_10):
    """`sent` emails of step 1 went out in the last hours; the first `bounced` of them bounced hard."""
    step = reno.steps.get(position=1)
    people = Person.objects.bulk_create(Person(first_name=f"P{i}", last_name="List", email=f"p{i}@list.example",
                                               owner=sam) for i in range(sent))
    runs = Enrollment.objects.bulk_create(
        Enrollment(sequence=reno, person=p, owner=sam, mailbox=mailbox, ended_at=at - timedelta(hours=1),
                   status=EnrollmentStatus.BOUNCED if i < bounced else EnrollmentStatus.FINISHED)
        for i, p in enumerate(people))
    OutboxMessage.objects.bulk_create(
        OutboxMessage(enrollment=run, step=step, mailbox=mailbox, state=OutboxState.SENT, to_email=run.person.email,
                      message_id=f"<{i}@list.example>", subject="Reno picking", body="Hi",
                      sent_at=at - timedelta(hours=2))
        for i, run in enumerate(runs))


@pytest.fixture
def paused(sam, reno, sams_mailbox):
    sent_today(sam, reno, sams_mailbox, sent=50, bounced=2)
    assert bounce_rate_check(sams_mailbox, TUESDAY_10)
    return Mailbox.objects.get(pk=sams_mailbox.pk)


def test_two_hard_bounces_in_fifty_sends_pause_the_mailbox_and_tell_the_owner(sam, paused):
    assert paused.paused_reason.startswith("2 of 50 sent today bounced hard (3% or more)")
    [task] = Task.objects.filter(owner=sam)
    assert task.title == PAUSED_TASK and not task.done and task.due is not None


def test_checking_again_does_not_tell_the_owner_twice(sam, paused):
    assert not bounce_rate_check(paused, TUESDAY_10 + timedelta(minutes=5))
    assert Task.objects.filter(owner=sam).count() == 1


def test_under_three_percent_nothing_is_paused(sam, reno, sams_mailbox):
    sent_today(sam, reno, sams_mailbox, sent=100, bounced=2)
    assert not bounce_rate_check(sams_mailbox, TUESDAY_10)
    assert Mailbox.objects.get(pk=sams_mailbox.pk).paused_reason == "" and not Task.objects.exists()


def test_the_owner_and_managers_see_the_banner_on_outreach_pages(sam, ravi, maya, reno, paused, client_for):
    for url in ("/outreach/", f"/outreach/sequences/{reno.pk}/", "/outreach/outbox/", "/outreach/drips/"):
        page = client_for(sam).get(url).content.decode()
        assert "Your mailbox sam@example.com is paused:" in page and "Resume sending" in page, url
    managers = client_for(maya).get("/outreach/").content.decode()
    assert "Sam Seller's mailbox sam@example.com is paused" in managers and "Resume sending" in managers
    assert "data-mailbox-paused" not in client_for(ravi).get("/outreach/").content.decode()


def test_resuming_sends_the_held_email_and_ticks_the_task_off(sam, dana, reno, paused, smtp_server):
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    held = OutboxMessage.objects.get(to_email=dana.email)
    assert held.state == OutboxState.QUEUED and held.held_reason.startswith("Mailbox paused:")
    assert smtp_server.messages == []
    mailbox_resume(actor=sam, mailbox=paused, now=TUESDAY_10 + timedelta(minutes=5))
    assert Task.objects.get(title=PAUSED_TASK).done
    worker.run_once(now=TUESDAY_10 + timedelta(minutes=5))
    assert OutboxMessage.objects.get(pk=held.pk).state == OutboxState.SENT
    assert [m["To"] for m in smtp_server.messages] == ["Dana Reyes <dana@acme.example>"]


def test_the_bounces_looked_at_before_a_resume_do_not_pause_it_again(sam, paused):
    mailbox_resume(actor=sam, mailbox=paused, now=TUESDAY_10 + timedelta(minutes=5))
    assert not bounce_rate_check(Mailbox.objects.get(pk=paused.pk), TUESDAY_10 + timedelta(minutes=10))


def test_the_resume_button_works_for_the_owner_and_not_for_another_seller(sam, ravi, paused, client_for):
    assert client_for(ravi).post(f"/outreach/mailboxes/{paused.pk}/resume/").status_code == 403
    assert Mailbox.objects.get(pk=paused.pk).paused_reason
    assert client_for(sam).post(f"/outreach/mailboxes/{paused.pk}/resume/").status_code == 302
    assert Mailbox.objects.get(pk=paused.pk).paused_reason == ""


def test_a_manager_can_resume_a_sellers_mailbox(maya, paused):
    mailbox_resume(actor=maya, mailbox=paused)
    assert Mailbox.objects.get(pk=paused.pk).paused_reason == ""


def test_the_resume_command(paused, capsys):
    call_command("mailbox", "resume", "sam@example.com")
    assert "sam@example.com sends again (it was paused: 2 of 50 sent today" in capsys.readouterr().out
    with pytest.raises(CommandError, match="sam@example.com is not paused"):
        call_command("mailbox", "resume", "sam@example.com")


def test_the_task_is_on_todays_page_until_the_mailbox_is_resumed(sam, paused, client_for):
    from django.urls import reverse

    today = reverse("crm:today")
    assert "Your mailbox was paused: 2 of 50 sent today bounced hard." in client_for(sam).get(today).content.decode()
    mailbox_resume(actor=sam, mailbox=paused)
    assert "Your mailbox was paused" not in client_for(sam).get(today).content.decode()
