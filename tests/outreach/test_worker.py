"""The worker sends due steps through the seller's real SMTP server, once each, and says why it holds one."""

from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from touchbase.crm import services as crm
from touchbase.crm.models import Source, Task, Touch
from touchbase.outreach import worker
from touchbase.outreach.models import Enrollment, OutboxMessage, Step
from touchbase.outreach.services import sequence_enroll, step_save

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
THURSDAY_10 = TUESDAY_10 + timedelta(days=2)
MONDAY_10 = TUESDAY_10 + timedelta(days=6)


def enroll(sam, reno, person):
    [enrollment] = sequence_enroll(actor=sam, sequence=reno, people=[person], now=TUESDAY_10).enrolled
    return enrollment


def fresh(enrollment):
    return Enrollment.objects.get(pk=enrollment.pk)


def test_step_one_goes_out_with_its_message_id_and_logs_a_touch(sam, dana, reno, sams_mailbox, smtp_server):
    enrollment = enroll(sam, reno, dana)
    counts = worker.run_once(now=TUESDAY_10)
    assert counts["mail sent"] == 1
    [received] = smtp_server.messages
    [message] = OutboxMessage.objects.all()
    assert message.state == "sent" and str(received["Message-ID"]) == message.message_id
    assert received["Subject"] == "Reno picking" and received["To"] == "Dana Reyes <dana@acme.example>"
    assert received.get_content().startswith("Hi Dana, your Reno site opens soon.")
    touch = Touch.objects.get(person=dana)
    assert touch.source == Source.SEQUENCE and touch.kind == "email" and message.touch_id == touch.pk
    assert fresh(enrollment).next_position == 2 and fresh(enrollment).due_at == THURSDAY_10


def test_every_email_carries_one_click_unsubscribe_and_a_visible_link(sam, dana, reno, sams_mailbox, smtp_server):
    enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    [received] = smtp_server.messages
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(received["List-Unsubscribe"]).strip("<>")
    assert "/unsubscribe/" in url
    assert f"Unsubscribe: {url}" in received.get_content()


def test_running_again_sends_nothing_more(sam, dana, reno, sams_mailbox, smtp_server):
    enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10 + timedelta(hours=1))
    assert len(smtp_server.messages) == 1


def test_the_follow_up_forwards_the_first_email_below_the_seeds_note(sam, dana, reno, sams_mailbox, smtp_server):
    enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    worker.run_once(now=THURSDAY_10)
    first, follow_up = smtp_server.messages
    assert follow_up["Subject"] == "Fwd: Reno picking"
    assert follow_up["In-Reply-To"] == first["Message-ID"] and first["Message-ID"] in follow_up["References"]
    body = follow_up.get_content().replace("\r\n", "\n")
    assert body.startswith("Hi Dana, hope all is well. Following up on the below. Thx.\n\n"
                           "---------- Forwarded message ---------\nFrom: Sam Seller <sam@example.com>")
    assert "Hi Dana, your Reno site opens soon." in body.split("Forwarded message")[1]


def test_a_call_step_becomes_a_task_and_the_run_finishes(sam, dana, reno, sams_mailbox, smtp_server):
    enrollment = enroll(sam, reno, dana)
    for when in (TUESDAY_10, THURSDAY_10, MONDAY_10):
        worker.run_once(now=when)
    task = Task.objects.get(owner=sam, person=dana, source=Source.SEQUENCE)
    assert task.title == "Call Dana Reyes (Acme Robotics): Ask about the Reno go-live"
    assert fresh(enrollment).status == "finished"


def test_outside_the_window_nothing_goes(sam, dana, reno, sams_mailbox, smtp_server):
    enroll(sam, reno, dana)
    crm.person_update(actor=sam, person=dana, time_zone="Asia/Tokyo")  # 10:00 UTC is 19:00 in Tokyo
    worker.run_once(now=TUESDAY_10)
    [message] = OutboxMessage.objects.all()
    assert smtp_server.messages == [] and message.state == "queued"
    assert "outside the send window in Asia/Tokyo" in message.held_reason
    assert message.not_before == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 08:00 Wednesday in Tokyo


def test_an_empty_merge_field_holds_the_send_with_the_reason(sam, dana, reno, sams_mailbox, smtp_server):
    step_save(actor=sam, sequence=reno, kind="email", subject="Reno picking",
              body="Hi {first_name}, as {title}, worth 15 minutes Tuesday on picking, since Reno opens soon?",
              step=reno.steps.get(position=1))
    crm.person_update(actor=sam, person=dana, title="")
    enrollment = enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    assert smtp_server.messages == []
    assert fresh(enrollment).held_reason == \
        "Step 1 cannot be filled for Dana Reyes: {title} is empty (the person's job title is not filled in)."


def test_a_step_blocked_by_the_coach_is_held_until_fixed(sam, dana, reno, sams_mailbox, smtp_server):
    from .conftest import FIRST_EMAIL

    step = reno.steps.get(position=1)
    step_save(actor=sam, sequence=reno, kind="email", subject="Re: Reno picking", body=FIRST_EMAIL, step=step)
    enrollment = enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    assert smtp_server.messages == []
    assert "Held by the coach: step 1 has subject.fake_thread" in fresh(enrollment).held_reason
    step_save(actor=sam, sequence=reno, kind="email", subject="Reno picking", body=FIRST_EMAIL,
              step=Step.objects.get(pk=step.pk))
    worker.run_once(now=TUESDAY_10 + timedelta(minutes=5))
    assert len(smtp_server.messages) == 1


def test_a_name_with_a_line_break_cannot_inject_a_header(sam, dana, reno, sams_mailbox, smtp_server):
    crm.person_update(actor=sam, person=dana, last_name="Reyes\r\nBcc: everyone@example.com")
    enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    [received] = smtp_server.messages
    assert received["Bcc"] is None
    assert "\n" not in str(received["To"])


def test_the_hourly_cap_holds_the_next_send_and_says_when(sam, acme, dana, reno, sams_mailbox, smtp_server):
    sams_mailbox.hourly_cap = 1
    sams_mailbox.save()
    lee = crm.person_create(actor=sam, first_name="Lee", email="lee@acme.example", company=acme)
    sequence_enroll(actor=sam, sequence=reno, people=[dana, lee], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    assert len(smtp_server.messages) == 1
    held = OutboxMessage.objects.get(state="queued")
    assert held.held_reason.startswith("hourly cap of 1 emails reached; goes at")
    assert held.not_before > TUESDAY_10 + timedelta(minutes=59)


def test_a_permanent_refusal_fails_the_run_and_tells_the_owner(sam, dana, reno, sams_mailbox, smtp_server):
    smtp_server.refuse["dana@acme.example"] = "550 5.1.1 No such user here"
    enrollment = enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    assert OutboxMessage.objects.get().state == "failed"
    assert fresh(enrollment).status == "failed"
    assert Task.objects.filter(owner=sam, title__contains="550 5.1.1 No such user here").exists()


def test_a_temporary_refusal_is_retried_later(sam, dana, reno, sams_mailbox, smtp_server):
    smtp_server.refuse["dana@acme.example"] = "451 4.3.0 Try again later"
    enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    message = OutboxMessage.objects.get()
    assert message.state == "queued" and message.attempts == 1 and "451" in message.error
    assert message.not_before == TUESDAY_10 + timedelta(minutes=1)
    del smtp_server.refuse["dana@acme.example"]
    worker.run_once(now=TUESDAY_10 + timedelta(minutes=1))
    assert OutboxMessage.objects.get().state == "sent" and len(smtp_server.messages) == 1


def test_a_message_left_sending_by_a_dead_worker_is_never_resent_blindly(sam, dana, reno, sams_mailbox,
                                                                          smtp_server):
    enroll(sam, reno, dana)
    worker.advance_due(TUESDAY_10, "w1", __import__("collections").Counter())
    # The worker claimed it, handed it to SMTP, and died before marking it sent.
    OutboxMessage.objects.update(state="sending", claimed_at=TUESDAY_10, claimed_by="dead:1")
    worker.run_once(now=TUESDAY_10 + timedelta(minutes=10))
    message = OutboxMessage.objects.get()
    assert message.state == "unsure" and "confirm whether it went" in message.held_reason
    assert smtp_server.messages == []


def test_a_stopped_run_does_not_send_its_queued_message(sam, dana, reno, sams_mailbox, smtp_server):
    from touchbase.outreach.services import enrollment_stop

    enrollment = enroll(sam, reno, dana)
    worker.advance_due(TUESDAY_10, "w1", __import__("collections").Counter())
    enrollment_stop(actor=sam, enrollment=fresh(enrollment), reason="Met her at a conference")
    worker.run_once(now=TUESDAY_10)
    assert smtp_server.messages == [] and OutboxMessage.objects.get().state == "cancelled"


def test_the_worker_command_runs_once(sam, dana, reno, sams_mailbox, smtp_server, capsys):
    enroll(sam, reno, dana)
    Enrollment.objects.update(due_at=TUESDAY_10 - timedelta(days=30))
    call_command("worker", "--once")
    # Whatever today is, step 1 was turned into a message; it went if today is inside the window.
    assert OutboxMessage.objects.count() == 1
    assert "step queued" in capsys.readouterr().out


def test_a_meeting_logged_with_her_stops_the_sequence(sam, dana, reno, sams_mailbox, smtp_server):
    enrollment = enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    crm.touch_log(actor=sam, kind="meeting", person=dana, summary="Demo with Dana")
    worker.run_once(now=THURSDAY_10)
    assert fresh(enrollment).status == "stopped"
    assert fresh(enrollment).stop_reason == "Stopped: a meeting was logged with Dana Reyes."
    assert len(smtp_server.messages) == 1


def test_her_deal_moving_stage_stops_the_sequence(sam, dana, reno, sams_mailbox, smtp_server, sams_deal, stages):
    enrollment = enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    crm.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Lost"], lost_reason="No budget")
    worker.run_once(now=THURSDAY_10)
    assert fresh(enrollment).status == "stopped" and len(smtp_server.messages) == 1


def test_a_call_logged_does_not_stop_it(sam, dana, reno, sams_mailbox, smtp_server):
    enrollment = enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    crm.touch_log(actor=sam, kind="call", person=dana, summary="Left a voicemail")
    worker.run_once(now=THURSDAY_10)
    assert fresh(enrollment).status == "active" and len(smtp_server.messages) == 2


def _enrollment_reads(now) -> int:
    with CaptureQueriesContext(connection) as queries:
        worker.run_once(now=now)
    return sum(1 for q in queries if q["sql"].startswith("SELECT") and 'FROM "outreach_enrollment"' in q["sql"])


def test_a_round_reads_due_enrollments_by_the_batch_not_one_by_one(sam, dana, reno, sams_mailbox, smtp_server):
    # 10,000 sends in a minute (issue 5) leave no room for a query per person to read what the batch read.
    enroll(sam, reno, dana)
    alone = _enrollment_reads(TUESDAY_10)
    later = TUESDAY_10 + timedelta(hours=1)
    for name in ("Ana", "Ben", "Cy"):
        person = crm.person_create(actor=sam, first_name=name, last_name="Ortiz", email=f"{name.lower()}@acme.example")
        sequence_enroll(actor=sam, sequence=reno, people=[person], now=later)
    assert _enrollment_reads(later) == alone
    assert len(smtp_server.messages) == 4
