"""The outreach pages: the mailbox (password never shown), sequences and steps, enrolling from a person, the outbox."""

from datetime import UTC, datetime

from django.template import Context, Template

from touchbase.outreach import worker
from touchbase.outreach.models import Enrollment, Mailbox, OutboxMessage, Sequence, Step
from touchbase.outreach.services import sequence_enroll

from .conftest import FIRST_EMAIL, MAIL_PASSWORD

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def mailbox_post(port, **changes):
    data = {"email": "sam@example.com", "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
            "imap_port": 993, "imap_security": "tls", "username": "sam@example.com", "password": MAIL_PASSWORD,
            "daily_cap": 200, "hourly_cap": 30, "min_gap_seconds": 60}
    data.update(changes)
    return data


def test_a_seller_connects_a_mailbox_and_the_password_is_never_shown_again(sam, client_for, smtp_server):
    client = client_for(sam)
    response = client.post("/outreach/mailbox/", mailbox_post(smtp_server.port))
    assert response.status_code == 302
    assert Mailbox.objects.get(owner=sam).password() == MAIL_PASSWORD
    page = client.get("/outreach/mailbox/")
    assert MAIL_PASSWORD.encode() not in page.content
    assert Mailbox.objects.get().password_encrypted.encode() not in page.content
    assert b"A password is saved (encrypted)" in page.content


def test_a_bad_mailbox_form_names_the_field_and_saves_nothing(sam, client_for):
    response = client_for(sam).post("/outreach/mailbox/", mailbox_post(99999, email="not an email"))
    assert response.status_code == 200 and b"Enter a valid email address" in response.content
    assert not Mailbox.objects.exists()


def test_test_connection_shows_each_check(sam, client_for, sams_mailbox):
    response = client_for(sam).post("/outreach/mailbox/test/", HTTP_HX_REQUEST="true")
    assert b"SMTP login: logged in as sam@example.com" in response.content
    assert b"replies will not be seen" in response.content


def test_each_seller_sees_only_their_own_mailbox(ravi, client_for, sams_mailbox):
    page = client_for(ravi).get("/outreach/mailbox/")
    assert b"sam@example.com" not in page.content


def test_a_sequence_is_made_and_a_step_added_from_the_pages(sam, client_for):
    client = client_for(sam)
    response = client.post("/outreach/sequences/new/", {"name": "Ops leaders", "window_start": "08:00",
                                                        "window_end": "17:00", "window_days": "0,1,2,3,4"})
    sequence = Sequence.objects.get(name="Ops leaders")
    assert response["Location"] == f"/outreach/sequences/{sequence.pk}/"
    client.post(f"/outreach/sequences/{sequence.pk}/steps/", {
        "kind": "email", "delay_days": 0, "subject": "Reno picking", "body": FIRST_EMAIL, "follow_up_mode": "forward"})
    assert sequence.steps.count() == 1


def test_a_broken_merge_field_is_refused_on_the_page_naming_it(sam, client_for, reno):
    response = client_for(sam).post(f"/outreach/sequences/{reno.pk}/steps/", {
        "kind": "email", "delay_days": 0, "subject": "Hi", "body": "Hi {frist_name}?", "follow_up_mode": "forward"})
    assert response.status_code == 400
    assert b"{frist_name} is not a merge field" in response.content
    assert reno.steps.count() == 3


def test_the_sequence_page_shows_the_coachs_hold_and_why(sam, client_for, reno):
    step = reno.steps.get(position=1)
    client = client_for(sam)
    client.post(f"/outreach/steps/{step.pk}/", {"kind": "email", "delay_days": 0, "subject": "Re: Reno picking",
                                                "body": FIRST_EMAIL, "follow_up_mode": "forward"})
    assert Step.objects.get(pk=step.pk).coach_blocked
    page = client.get(f"/outreach/sequences/{reno.pk}/")
    assert b"held by the coach" in page.content and b"subject.fake_thread" in page.content


def test_another_seller_cannot_edit_sams_step(ravi, client_for, reno):
    step = reno.steps.get(position=1)
    response = client_for(ravi).post(f"/outreach/steps/{step.pk}/", {
        "kind": "email", "delay_days": 0, "subject": "Mine now", "body": FIRST_EMAIL, "follow_up_mode": "forward"})
    assert response.status_code == 403
    assert Step.objects.get(pk=step.pk).subject == "Reno picking"


def test_enrolling_from_the_person_page_and_being_told_why_not(sam, dana, client_for, reno, sams_mailbox):
    client = client_for(sam)
    response = client.post(f"/outreach/people/{dana.pk}/enroll/", {"sequence": reno.pk}, follow=True)
    assert Enrollment.objects.filter(person=dana, status="active").exists()
    assert "Dana Reyes is in “Reno picking”" in response.content.decode()
    again = client.post(f"/outreach/people/{dana.pk}/enroll/", {"sequence": reno.pk}, follow=True)
    assert "Not enrolled: Dana Reyes is already in “Reno picking” (active)." in again.content.decode()
    assert Enrollment.objects.count() == 1


def test_the_person_fragment_shows_the_status_and_why_a_send_is_held(sam, dana, reno, sams_mailbox, rf):
    from touchbase.crm import services as crm

    crm.person_update(actor=sam, person=dana, time_zone="Asia/Tokyo")
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    Enrollment.objects.update(held_reason="Step 1 cannot be filled for Dana Reyes: {title} is empty.")
    request = rf.get("/")
    request.user = sam
    html = Template("{% load outreach %}{% person_outreach person %}").render(
        Context({"person": dana, "user": sam, "request": request}))
    assert "Reno picking" in html and "Held: Step 1 cannot be filled for Dana Reyes: {title} is empty." in html
    assert "Pause" in html and "Stop" in html


def test_stopping_from_the_page(sam, dana, client_for, reno, sams_mailbox):
    [enrollment] = sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10).enrolled
    client_for(sam).post(f"/outreach/enrollments/{enrollment.pk}/stop/", {"back": "person"})
    assert Enrollment.objects.get(pk=enrollment.pk).status == "stopped"


def test_another_seller_cannot_stop_sams_enrollment(ravi, sam, dana, client_for, reno, sams_mailbox):
    [enrollment] = sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10).enrolled
    response = client_for(ravi).post(f"/outreach/enrollments/{enrollment.pk}/stop/")
    assert response.status_code == 403 and Enrollment.objects.get(pk=enrollment.pk).status == "active"


def test_the_outbox_shows_a_held_message_and_why(sam, dana, client_for, reno, sams_mailbox, smtp_server):
    from touchbase.crm import services as crm

    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    crm.person_update(actor=sam, person=dana, time_zone="Asia/Tokyo")  # moved after she was enrolled
    worker.run_once(now=TUESDAY_10)
    page = client_for(sam).get("/outreach/outbox/?state=queued")
    assert b"outside the send window in Asia/Tokyo" in page.content
    assert OutboxMessage.objects.get().state == "queued"


def test_a_manual_email_waits_for_the_seller_then_goes_from_the_outbox(sam, dana, client_for, sams_mailbox,
                                                                       smtp_server):
    from touchbase.outreach.services import sequence_create, step_save

    sequence = sequence_create(actor=sam, name="Hand-checked")
    step_save(actor=sam, sequence=sequence, kind="manual_email", subject="Reno picking", body=FIRST_EMAIL)
    sequence_enroll(actor=sam, sequence=sequence, people=[dana], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    draft = OutboxMessage.objects.get()
    assert draft.state == "draft" and smtp_server.messages == []
    client_for(sam).post(f"/outreach/outbox/{draft.pk}/send/")
    worker.run_once(now=TUESDAY_10)
    assert len(smtp_server.messages) == 1
    assert Enrollment.objects.get().status == "finished"
