"""The mailboxes page: a seller lists, adds, edits, tests and deletes their own mailboxes; others cannot."""

from touchbase.outreach.models import Enrollment, EnrollmentStatus, Mailbox, Sequence
from touchbase.outreach.services import sequence_enroll

from .conftest import MAIL_PASSWORD

SECOND_PASSWORD = "second-app-password-456"


def second_mailbox_post(port, **changes):
    data = {"email": "sam.two@example.com", "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
            "imap_port": 993, "imap_security": "tls", "username": "sam@example.com", "password": SECOND_PASSWORD,
            "daily_cap": 50, "hourly_cap": 10, "min_gap_seconds": 30, "domain_daily_cap": 5}
    data.update(changes)
    return data


def test_a_seller_adds_a_second_mailbox_edits_it_and_a_sequence_can_send_from_it(sam, client_for, sams_mailbox,
                                                                                   smtp_server):
    client = client_for(sam)
    response = client.post("/outreach/mailboxes/new/", second_mailbox_post(smtp_server.port))
    second = Mailbox.objects.get(email="sam.two@example.com")
    assert response["Location"] == f"/outreach/mailboxes/{second.pk}/"
    assert second.owner == sam and second.password() == SECOND_PASSWORD
    listing = client.get("/outreach/mailbox/").content.decode()
    assert "sam@example.com" in listing and "sam.two@example.com" in listing

    edit = second_mailbox_post(smtp_server.port, password="", daily_cap=80, from_name="Sam S.")
    assert client.post(f"/outreach/mailboxes/{second.pk}/", edit).status_code == 302
    second.refresh_from_db()
    assert (second.daily_cap, second.from_name) == (80, "Sam S.")
    assert second.password() == SECOND_PASSWORD, "an empty password field keeps the saved one"
    assert sams_mailbox.email == Mailbox.objects.get(pk=sams_mailbox.pk).email

    sequence = Sequence.objects.create(name="Ops leaders", owner=sam)
    page = client.get(f"/outreach/sequences/{sequence.pk}/").content.decode()
    assert f'<option value="{second.pk}"' in page
    client.post(f"/outreach/sequences/{sequence.pk}/mailbox/", {"mailbox": second.pk})
    assert Sequence.objects.get(pk=sequence.pk).mailbox == second


def test_adding_an_address_already_connected_changes_nothing(sam, ravi, client_for, sams_mailbox, smtp_server):
    response = client_for(ravi).post("/outreach/mailboxes/new/",
                                     second_mailbox_post(smtp_server.port, email="sam@example.com"))
    assert response.status_code == 200 and b"already connected" in response.content
    assert Mailbox.objects.get(email="sam@example.com").owner == sam


def test_the_password_is_stored_encrypted_and_never_rendered(sam, client_for, sams_mailbox):
    stored = Mailbox.objects.get(pk=sams_mailbox.pk).password_encrypted
    assert MAIL_PASSWORD not in stored
    client = client_for(sam)
    for url in ["/outreach/mailbox/", f"/outreach/mailboxes/{sams_mailbox.pk}/"]:
        page = client.get(url).content
        assert MAIL_PASSWORD.encode() not in page and stored.encode() not in page, url
        assert b"A password is saved (encrypted)" in page


def test_another_seller_can_neither_see_nor_change_nor_delete_it(sam, ravi, client_for, sams_mailbox, smtp_server):
    client = client_for(ravi)
    pk = sams_mailbox.pk
    assert b"sam@example.com" not in client.get("/outreach/mailbox/").content
    assert b"sam@example.com" not in client.get(f"/outreach/mailbox/?owner={sam.pk}").content
    assert client.get(f"/outreach/mailboxes/{pk}/").status_code == 404
    post = second_mailbox_post(smtp_server.port, email="ravi@example.com")
    assert client.post(f"/outreach/mailboxes/{pk}/", post).status_code == 404
    assert client.post(f"/outreach/mailboxes/{pk}/test/").status_code == 404
    assert client.post(f"/outreach/mailboxes/{pk}/delete/").status_code == 404
    mailbox = Mailbox.objects.get(pk=pk)
    assert (mailbox.email, mailbox.owner, mailbox.password()) == ("sam@example.com", sam, MAIL_PASSWORD)


def test_a_manager_picks_the_seller_and_sees_but_cannot_change(sam, maya, client_for, sams_mailbox, smtp_server):
    client = client_for(maya)
    listing = client.get(f"/outreach/mailbox/?owner={sam.pk}").content.decode()
    assert "sam@example.com" in listing and "Sam Seller" in listing
    assert client.get(f"/outreach/mailboxes/{sams_mailbox.pk}/").status_code == 200
    response = client.post(f"/outreach/mailboxes/{sams_mailbox.pk}/", second_mailbox_post(smtp_server.port))
    assert response.status_code == 403
    assert Mailbox.objects.get(pk=sams_mailbox.pk).email == "sam@example.com"


def test_the_list_shows_each_mailboxs_state(sam, client_for, sams_mailbox):
    Mailbox.objects.filter(pk=sams_mailbox.pk).update(
        imap_host="imap.example.com", imap_error="login refused", paused_reason="5 of 100 sent today bounced hard")
    page = client_for(sam).get("/outreach/mailbox/").content.decode()
    assert "login refused" in page and "5 of 100 sent today bounced hard" in page and "paused" in page


def test_each_mailbox_is_tested_on_its_own(sam, client_for, sams_mailbox):
    response = client_for(sam).post(f"/outreach/mailboxes/{sams_mailbox.pk}/test/", HTTP_HX_REQUEST="true")
    assert b"SMTP login: logged in as sam@example.com" in response.content


def test_a_mailbox_no_run_uses_is_deleted(sam, client_for, sams_mailbox, smtp_server):
    client = client_for(sam)
    client.post("/outreach/mailboxes/new/", second_mailbox_post(smtp_server.port))
    second = Mailbox.objects.get(email="sam.two@example.com")
    sequence = Sequence.objects.create(name="Ops leaders", owner=sam, mailbox=second)
    assert client.post(f"/outreach/mailboxes/{second.pk}/delete/")["Location"] == "/outreach/mailbox/"
    assert not Mailbox.objects.filter(pk=second.pk).exists()
    assert Sequence.objects.get(pk=sequence.pk).mailbox is None, "the sequence falls back to the first mailbox"


def test_a_mailbox_a_run_uses_is_kept_and_the_page_names_the_sequence(sam, dana, reno, client_for, sams_mailbox):
    sequence_enroll(actor=sam, sequence=reno, people=[dana])
    assert Enrollment.objects.get().mailbox == sams_mailbox
    client = client_for(sam)
    response = client.post(f"/outreach/mailboxes/{sams_mailbox.pk}/delete/", follow=True)
    assert Mailbox.objects.filter(pk=sams_mailbox.pk).exists()
    assert "still sends for “Reno picking”" in response.content.decode()


def test_a_mailbox_with_past_runs_is_kept_for_their_history(sam, dana, reno, client_for, sams_mailbox):
    sequence_enroll(actor=sam, sequence=reno, people=[dana])
    Enrollment.objects.update(status=EnrollmentStatus.FINISHED)
    response = client_for(sam).post(f"/outreach/mailboxes/{sams_mailbox.pk}/delete/", follow=True)
    assert Mailbox.objects.filter(pk=sams_mailbox.pk).exists()
    assert "keeps the history of “Reno picking”" in response.content.decode()
