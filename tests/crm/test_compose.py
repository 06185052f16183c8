"""The composer: write an email to a person beside the coach, and log it as sent.

An error the coach finds holds the email until it is fixed or the seller says
why it goes anyway; the touch keeps that reason.
"""

import pytest
from django.urls import reverse

from touchbase.crm import services
from touchbase.crm.models import Direction, Touch, TouchKind

pytestmark = pytest.mark.django_db

GOOD = "Hi Dana, have 5 mins to chat this week? Have a board meeting coming up and need to get on the same page. Thx."
# Over 400 characters: the coach's length.chars is an error.
PADDED = (
    "Hi Dana, I'm writing to setup some time with you on Wednesday or Thursday of this week. I am participating "
    "in our company's board presentation this week and we are trying to lock down a couple of pieces of "
    "information about our potential partnership. I know that you are extremely busy, but it would be greatly "
    "appreciated if you could spare a few minutes so that we can discuss the details of our partnership. "
    "Please let me know the best way to setup a call. Kind Regards."
)


def url(person):
    return reverse("crm:person_email", args=[person.pk])


def post(client, person, **fields):
    data = {"subject": "Board meeting Friday", "body": GOOD, "email_kind": "first_touch", **fields}
    return client.post(url(person), data)


def test_the_composer_shows_the_recipient_the_fields_and_the_coach_panel(client_for, sam, dana):
    response = client_for(sam).get(url(dana))
    assert response.status_code == 200
    page = response.content.decode()
    assert "dana@acme.example" in page
    assert 'name="subject"' in page and 'name="body"' in page and 'name="email_kind"' in page
    assert "data-coach-panel" in page
    assert 'data-body="id_body"' in page and 'data-subject="id_subject"' in page
    assert 'data-kind-field="id_email_kind"' in page and 'data-first-name="Dana"' in page
    assert reverse("api:coach") in page
    assert "coach-panel.js" in page
    assert "Log as sent" in page and 'href="mailto:dana@acme.example"' in page


def test_the_person_page_links_to_the_composer(client_for, sam, dana):
    page = client_for(sam).get(reverse("crm:person_detail", args=[dana.pk])).content.decode()
    assert f'href="{url(dana)}"' in page and "Write email" in page


def test_an_email_the_coach_passes_is_logged_as_an_outbound_email_touch_by_the_sender(client_for, sam, dana):
    response = post(client_for(sam), dana)
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:person_detail", args=[dana.pk])
    touch = Touch.objects.get()
    assert (touch.kind, touch.direction, touch.by, touch.person, touch.company) == (
        TouchKind.EMAIL, Direction.OUT, sam, dana, dana.company)
    assert touch.summary == f"Subject: Board meeting Friday\n\n{GOOD}"
    assert touch.coach_override == ""
    dana.refresh_from_db()
    assert dana.touch_count == 1


def test_an_email_with_a_coach_error_and_no_reason_is_refused_and_nothing_is_stored(client_for, sam, dana):
    response = post(client_for(sam), dana, body=PADDED)
    assert response.status_code == 422
    page = response.content.decode()
    assert "The email was not logged" in page
    assert "The coach found" in page and "length.chars" in page and "give a reason to send anyway" in page
    assert "Kind Regards" in page, "what the seller wrote is kept on the page"
    assert not Touch.objects.exists()
    dana.refresh_from_db()
    assert dana.touch_count == 0


def test_the_refused_page_opens_the_reason_field(client_for, sam, dana):
    page = post(client_for(sam), dana, body=PADDED).content.decode()
    override = page[page.index("data-coach-override"):]
    assert not override.split(">", 1)[0].strip().endswith("hidden")
    assert 'name="coach_override"' in override


def test_a_reason_to_send_anyway_lets_the_email_through_and_the_touch_keeps_it(client_for, sam, dana):
    reason = "Dana asked for the full details in writing"
    response = post(client_for(sam), dana, body=PADDED, coach_override=reason)
    assert response.status_code == 302
    touch = Touch.objects.get()
    assert touch.coach_override == reason
    assert PADDED in touch.summary


def test_a_reason_given_for_an_email_without_errors_is_not_stored(client_for, sam, dana):
    post(client_for(sam), dana, coach_override="just in case")
    assert Touch.objects.get().coach_override == ""


def test_an_empty_subject_is_a_coach_error_too(client_for, sam, dana):
    response = post(client_for(sam), dana, subject="")
    assert response.status_code == 422
    assert "subject.missing" in response.content.decode()
    assert not Touch.objects.exists()


def test_a_fake_reply_subject_is_refused_on_a_first_email(client_for, sam, dana):
    response = post(client_for(sam), dana, subject="Re: Board meeting")
    assert response.status_code == 422
    assert "subject.fake_thread" in response.content.decode()
    assert not Touch.objects.exists()


def test_an_empty_email_is_refused_with_a_clear_message(client_for, sam, dana):
    response = post(client_for(sam), dana, body="")
    assert response.status_code == 422
    assert "The email is empty; write it first." in response.content.decode()
    assert not Touch.objects.exists()


def test_an_unknown_kind_of_email_is_refused(client_for, sam, dana):
    response = post(client_for(sam), dana, email_kind="novel")
    assert response.status_code == 422
    assert not Touch.objects.exists()


def test_the_touch_keeps_the_lines_as_written_without_the_browsers_carriage_returns(client_for, sam, dana):
    body = "Hi Dana,\r\nyour Reno site opens soon. Worth a call Thursday so shifts are covered?\r\nThx."
    assert post(client_for(sam), dana, body=body).status_code == 302
    assert Touch.objects.get().summary.endswith(
        "Hi Dana,\nyour Reno site opens soon. Worth a call Thursday so shifts are covered?\nThx.")


def test_another_seller_may_email_sams_contact_and_the_touch_is_theirs(client_for, ravi, dana):
    assert post(client_for(ravi), dana).status_code == 302
    assert Touch.objects.get().by == ravi


def test_a_person_without_an_email_address_gets_a_clear_message_and_no_form(client_for, sam, acme):
    nobody = services.person_create(actor=sam, first_name="Lee", last_name="Park", company=acme)
    response = client_for(sam).get(url(nobody))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Lee Park has no email address" in page
    assert reverse("crm:person_edit", args=[nobody.pk]) in page
    assert 'name="body"' not in page


def test_logging_an_email_to_a_person_without_an_address_is_refused(client_for, sam, acme):
    nobody = services.person_create(actor=sam, first_name="Lee", last_name="Park", company=acme)
    response = post(client_for(sam), nobody)
    assert response.status_code == 422
    assert "Lee Park has no email address" in response.content.decode()
    assert not Touch.objects.exists()


def test_an_opted_out_person_gets_a_clear_warning(client_for, sam, dana):
    services.person_update(actor=sam, person=dana, opted_out=True)
    page = client_for(sam).get(url(dana)).content.decode()
    assert "Dana Reyes opted out of email" in page
    assert 'name="body"' in page, "a hand-written reply is still the seller's call"


def test_the_mail_app_link_carries_the_email_after_a_refusal(client_for, sam, dana):
    page = post(client_for(sam), dana, subject="Re: Board", body="Hi Dana,\nthe deck.").content.decode()
    assert 'href="mailto:dana@acme.example?subject=Re%3A%20Board&amp;body=Hi%20Dana%2C%0D%0Athe%20deck."' in page


def test_what_the_seller_typed_is_escaped_on_the_page(client_for, sam, dana):
    page = post(client_for(sam), dana, subject="", body="<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_unknown_person_is_404(client_for, sam):
    assert client_for(sam).get(reverse("crm:person_email", args=[999_999])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, dana):
    target = url(dana)
    for response in (client.get(target), client.post(target, {"body": GOOD, "subject": "Hi"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/") and "next=" in response["Location"]
    assert not Touch.objects.exists()


def test_the_service_refuses_a_coach_error_without_a_reason(sam, dana):
    with pytest.raises(services.CoachBlocked) as refused:
        services.email_log(actor=sam, person=dana, subject="Pilot", body=PADDED)
    assert "length.chars" in {f.rule for f in refused.value.findings}
    assert not Touch.objects.exists()
