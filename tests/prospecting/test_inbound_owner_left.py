"""Inbound routing when a seller has left (deactivated): their people's new leads go to someone on duty."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from touchbase.crm.models import Company, Person
from touchbase.prospecting import inbound
from touchbase.prospecting.models import InboundLead

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def test_a_known_person_whose_owner_left_goes_to_a_seller_on_duty_who_takes_them_over(maya, sam, ravi, dana):
    form = inbound.inbound_form_create(actor=maya, name="Website demo request")
    sam.is_active = False
    sam.save(update_fields=["is_active"])

    response = Client().post(f"/inbound/{form.key}", {"email": dana.email, "first_name": "Dana"})

    assert response.status_code == 201
    lead = InboundLead.objects.get()
    assert (lead.owner, lead.routed_by) == (ravi, "round robin")
    assert Person.objects.get(pk=dana.pk).owner == ravi
    assert Company.objects.get(pk=dana.company_id).owner == ravi


def test_a_known_person_whose_owner_is_active_stays_with_them(maya, sam, ravi, dana):
    form = inbound.inbound_form_create(actor=maya, name="Website demo request")
    Client().post(f"/inbound/{form.key}", {"email": dana.email})
    assert InboundLead.objects.get().owner == sam
