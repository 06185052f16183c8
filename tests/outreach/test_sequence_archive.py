"""Archiving a sequence: nobody new goes in, people in it go on, and it leaves the list until brought back."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from touchbase.outreach.models import Enrollment
from touchbase.outreach.services import sequence_archive, sequence_enroll, sequence_set_auto_enroll


def test_an_archived_sequence_takes_nobody_new_and_keeps_its_runs(sam, dana, reno, sams_mailbox):
    [run] = sequence_enroll(actor=sam, sequence=reno, people=[dana]).enrolled
    sequence_set_auto_enroll(actor=sam, sequence=reno, on=True)
    sequence_archive(actor=sam, sequence=reno)
    assert Enrollment.objects.get(pk=run.pk).status == "active"
    assert not reno.auto_enroll_key_contacts
    with pytest.raises(ValidationError, match="is archived"):
        sequence_enroll(actor=sam, sequence=reno, people=[dana])


def test_the_outreach_page_lists_it_under_archived_until_it_is_back(sam, reno, client_for):
    client, link = client_for(sam), f'href="/outreach/sequences/{reno.pk}/"'
    assert client.post(f"/outreach/sequences/{reno.pk}/archive/", {"archived": "1"}).status_code == 302
    assert link not in client.get("/outreach/").content.decode()
    assert link in client.get("/outreach/", {"archived": "1"}).content.decode()
    client.post(f"/outreach/sequences/{reno.pk}/archive/", {"archived": "0"})
    assert link in client.get("/outreach/").content.decode()


def test_another_seller_cannot_archive_it(ravi, reno):
    with pytest.raises(PermissionDenied):
        sequence_archive(actor=ravi, sequence=reno)
