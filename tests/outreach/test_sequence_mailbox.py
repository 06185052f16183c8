"""A sequence may name which of its owner's mailboxes it sends from; without one, the owner's first mailbox sends."""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import pytest
from django.core.exceptions import ValidationError

from touchbase.crm import services as crm
from touchbase.outreach import worker
from touchbase.outreach.models import Enrollment, Mailbox, OutboxMessage, Sequence
from touchbase.outreach.sequence_files import SequenceFileError, export, load
from touchbase.outreach.services import mailbox_save, sequence_create, sequence_enroll, sequence_set_mailbox

from .conftest import MAIL_PASSWORD
from .test_sequence_files import RENO

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
THURSDAY_10 = TUESDAY_10 + timedelta(days=2)


@pytest.fixture
def sales_mailbox(sam, sams_mailbox, smtp_server):
    """Sam's second mailbox, connected after his first, on the same loopback SMTP server."""
    return mailbox_save(actor=sam, email="sam.sales@example.com", from_name="Sam at Sales", smtp_host="127.0.0.1",
                        smtp_port=smtp_server.port, smtp_security="none", username="sam.sales@example.com",
                        password=MAIL_PASSWORD, daily_cap=0, hourly_cap=0, min_gap_seconds=0)


@pytest.fixture
def ravis_mailbox(ravi, smtp_server):
    return mailbox_save(actor=ravi, email="ravi@example.com", smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                        smtp_security="none", username="ravi@example.com", password=MAIL_PASSWORD)


def senders(smtp_server):
    return [parseaddr(str(m["From"]))[1] for m in smtp_server.messages]


def enroll(sam, sequence, person):
    [enrollment] = sequence_enroll(actor=sam, sequence=sequence, people=[person], now=TUESDAY_10).enrolled
    return enrollment


def test_an_email_of_a_sequence_with_a_second_mailbox_goes_out_from_it(sam, dana, reno, sales_mailbox,
                                                                         smtp_server):
    sequence_set_mailbox(actor=sam, sequence=reno, mailbox=sales_mailbox)
    enrollment = enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    [received] = smtp_server.messages
    assert str(received["From"]) == "Sam at Sales <sam.sales@example.com>"
    assert str(received["Message-ID"]).endswith("@example.com>")
    [message] = OutboxMessage.objects.all()
    assert message.mailbox == sales_mailbox and message.state == "sent"
    assert Enrollment.objects.get(pk=enrollment.pk).mailbox == sales_mailbox  # replies are matched in it


def test_without_a_chosen_mailbox_the_owners_first_one_sends(sam, dana, reno, sams_mailbox, sales_mailbox,
                                                            smtp_server):
    enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    assert senders(smtp_server) == ["sam@example.com"]


def test_a_mailbox_chosen_after_enrolling_sends_the_first_email_and_the_thread_stays_in_it(
        sam, dana, reno, sams_mailbox, sales_mailbox, smtp_server):
    enroll(sam, reno, dana)
    sequence_set_mailbox(actor=sam, sequence=reno, mailbox=sales_mailbox)
    worker.run_once(now=TUESDAY_10)
    sequence_set_mailbox(actor=sam, sequence=reno, mailbox=None)  # the follow-up answers the first email
    worker.run_once(now=THURSDAY_10)
    assert senders(smtp_server) == ["sam.sales@example.com", "sam.sales@example.com"]
    first, follow_up = smtp_server.messages
    assert str(follow_up["In-Reply-To"]) == str(first["Message-ID"])


def test_a_deleted_mailbox_falls_back_to_the_owners_mailbox(sam, dana, reno, sams_mailbox, sales_mailbox,
                                                            smtp_server):
    sequence_set_mailbox(actor=sam, sequence=reno, mailbox=sales_mailbox)
    sales_mailbox.delete()
    reno.refresh_from_db()
    assert reno.mailbox is None
    enroll(sam, reno, dana)
    worker.run_once(now=TUESDAY_10)
    assert senders(smtp_server) == ["sam@example.com"]
    assert "mailbox = \"sam@example.com\"" in export(reno)


def test_another_sellers_mailbox_is_refused(sam, reno, sams_mailbox, ravis_mailbox):
    with pytest.raises(ValidationError) as error:
        sequence_set_mailbox(actor=sam, sequence=reno, mailbox=ravis_mailbox)
    assert "ravi@example.com is Ravi Other's" in error.value.message_dict["mailbox"][0]
    assert Sequence.objects.get(pk=reno.pk).mailbox is None and reno.mailbox is None


def test_a_new_sequence_or_the_admin_cannot_take_another_sellers_mailbox(sam, ravis_mailbox):
    with pytest.raises(ValidationError) as error:
        sequence_create(actor=sam, name="Reno", mailbox=ravis_mailbox)
    assert "ravi@example.com is Ravi Other's" in error.value.message_dict["mailbox"][0]
    with pytest.raises(ValidationError) as error:  # what the admin's form runs
        Sequence(name="Reno", owner=sam, mailbox=ravis_mailbox).full_clean()
    assert "mailbox" in error.value.message_dict
    assert not Sequence.objects.exists()


def test_a_file_naming_the_second_mailbox_sends_from_it_and_exports_it(sam, dana, sales_mailbox, smtp_server):
    sequence = load(RENO.replace('mailbox = "sam@example.com"', 'mailbox = "sam.sales@example.com"'),
                    "reno.toml").sequence
    assert sequence.mailbox == sales_mailbox
    text = export(sequence)
    assert 'mailbox = "sam.sales@example.com"' in text
    again = load(text, "exported.toml")
    assert not again.created and again.sequence.mailbox == sales_mailbox and export(again.sequence) == text
    enroll(sam, sequence, dana)
    worker.run_once(now=TUESDAY_10)
    assert senders(smtp_server) == ["sam.sales@example.com"]


def test_loading_a_file_again_changes_the_mailbox(sam, sams_mailbox, sales_mailbox):
    load(RENO.replace('mailbox = "sam@example.com"', 'mailbox = "sam.sales@example.com"'), "reno.toml")
    sequence = load(RENO, "reno.toml").sequence
    assert Sequence.objects.get(pk=sequence.pk).mailbox == sams_mailbox


def test_a_file_cannot_move_a_sequence_to_another_sellers_mailbox(sam, sams_mailbox, ravis_mailbox):
    load(RENO, "reno.toml")
    with pytest.raises(SequenceFileError, match="belongs to Sam Seller"):
        load(RENO.replace('mailbox = "sam@example.com"', 'mailbox = "ravi@example.com"'), "reno.toml")
    assert Sequence.objects.get(name="Reno picking").mailbox.email == "sam@example.com"


def test_the_sequence_page_picks_the_mailbox(sam, reno, sams_mailbox, sales_mailbox, client_for):
    client = client_for(sam)
    page = client.get(f"/outreach/sequences/{reno.pk}/").content.decode()
    assert 'id="sends-from"' in page and f'<option value="{sales_mailbox.pk}">sam.sales@example.com' in page
    response = client.post(f"/outreach/sequences/{reno.pk}/mailbox/", {"mailbox": sales_mailbox.pk}, follow=True)
    assert "sends from sam.sales@example.com" in response.content.decode()
    assert Sequence.objects.get(pk=reno.pk).mailbox == sales_mailbox
    client.post(f"/outreach/sequences/{reno.pk}/mailbox/", {"mailbox": ""})
    assert Sequence.objects.get(pk=reno.pk).mailbox is None


def test_another_seller_cannot_change_the_mailbox_from_the_page(ravi, reno, sales_mailbox, client_for):
    response = client_for(ravi).post(f"/outreach/sequences/{reno.pk}/mailbox/", {"mailbox": sales_mailbox.pk})
    assert response.status_code == 403
    assert Sequence.objects.get(pk=reno.pk).mailbox is None
    assert Mailbox.objects.filter(pk=sales_mailbox.pk).exists()


def test_a_new_sequence_from_the_page_takes_one_of_the_sellers_mailboxes(sam, sales_mailbox, ravis_mailbox,
                                                                        client_for):
    client = client_for(sam)
    form = {"name": "Ops leaders", "window_start": "08:00", "window_end": "17:00", "window_days": "0,1,2,3,4"}
    page = client.get("/outreach/sequences/new/").content.decode()
    assert "sam.sales@example.com" in page and "ravi@example.com" not in page
    assert client.post("/outreach/sequences/new/", {**form, "mailbox": ravis_mailbox.pk}).status_code == 200
    assert not Sequence.objects.exists()
    client.post("/outreach/sequences/new/", {**form, "mailbox": sales_mailbox.pk})
    assert Sequence.objects.get(name="Ops leaders").mailbox == sales_mailbox


def test_a_person_of_another_seller_goes_out_from_that_sellers_mailbox(sam, maya, ravi, reno, sales_mailbox,
                                                                      ravis_mailbox, smtp_server):
    sequence_set_mailbox(actor=sam, sequence=reno, mailbox=sales_mailbox)
    globex = crm.company_create(actor=ravi, name="Globex", domain="globex.example")
    lee = crm.person_create(actor=ravi, first_name="Lee", last_name="Park", email="lee@globex.example",
                            title="COO", company=globex)
    [enrollment] = sequence_enroll(actor=maya, sequence=reno, people=[lee], now=TUESDAY_10).enrolled
    assert enrollment.owner == ravi and enrollment.mailbox == ravis_mailbox
    worker.run_once(now=TUESDAY_10)
    assert senders(smtp_server) == ["ravi@example.com"]


def test_the_sequence_settings_form_refuses_a_window_that_ends_before_it_starts(sam):
    from touchbase.outreach.forms import SequenceForm

    sequence = sequence_create(actor=sam, name="Window")
    form = SequenceForm({"name": "Window", "window_start": "17:00", "window_end": "09:00", "window_days": "0,1,2,3,4"},
                        instance=sequence, owner=sam)
    assert not form.is_valid()
    assert "must end after it starts" in str(form.errors["window_end"])
    sequence.refresh_from_db()
    assert sequence.window_end > sequence.window_start
