"""One-click unsubscribe (RFC 8058): a POST opts the person out of everything; a GET changes nothing."""

from datetime import UTC, datetime
from urllib.parse import urlparse

from django.test import Client

from touchbase.crm.models import Person
from touchbase.outreach import worker
from touchbase.outreach.models import Enrollment, OutboxMessage
from touchbase.outreach.services import sequence_enroll, unsubscribe_url

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def path_of(url):
    return urlparse(url).path


def test_the_link_in_the_email_unsubscribes_her_by_one_click_post(sam, dana, reno, sams_mailbox, smtp_server):
    [enrollment] = sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10).enrolled
    worker.run_once(now=TUESDAY_10)
    [received] = smtp_server.messages
    url = str(received["List-Unsubscribe"]).strip("<>")
    # What Gmail and Yahoo send: no cookie, no CSRF token, the RFC 8058 body.
    response = Client(enforce_csrf_checks=True).post(path_of(url), "List-Unsubscribe=One-Click",
                                                     content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and b"You are unsubscribed" in response.content
    assert Person.objects.get(pk=dana.pk).opted_out
    assert Enrollment.objects.get(pk=enrollment.pk).status == "unsubscribed"
    worker.run_once(now=datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    assert len(smtp_server.messages) == 1


def test_a_get_only_shows_the_button_and_changes_nothing(dana):
    response = Client().get(path_of(unsubscribe_url(dana)))
    assert response.status_code == 200
    assert b"Unsubscribe me" in response.content and b'method="post"' in response.content
    assert not Person.objects.get(pk=dana.pk).opted_out


def test_unsubscribing_cancels_a_queued_message_and_every_running_sequence(sam, dana, reno, sams_mailbox,
                                                                           smtp_server):
    from collections import Counter

    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.advance_due(TUESDAY_10, "w1", Counter())
    Client().post(path_of(unsubscribe_url(dana)))
    worker.run_once(now=TUESDAY_10)
    assert smtp_server.messages == []
    assert OutboxMessage.objects.get().state == "cancelled"


def test_a_forged_or_damaged_token_changes_nothing(dana):
    token = path_of(unsubscribe_url(dana)).rstrip("/").rsplit("/", 1)[-1]
    for bad in (token[:-2] + "xx", "not-a-token", token.replace(":", "")):
        response = Client().post(f"/unsubscribe/{bad}/")
        assert response.status_code == 404 and b"not valid" in response.content
    assert not Person.objects.get(pk=dana.pk).opted_out


def test_the_name_in_the_page_is_escaped(sam, dana):
    from touchbase.crm import services as crm

    crm.person_update(actor=sam, person=dana, first_name="<script>alert(1)</script>")
    response = Client().get(path_of(unsubscribe_url(dana)))
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;" in response.content


def test_unsubscribing_twice_is_harmless(dana):
    client = Client()
    client.post(path_of(unsubscribe_url(dana)))
    response = client.post(path_of(unsubscribe_url(dana)))
    assert response.status_code == 200 and Person.objects.get(pk=dana.pk).opted_out
