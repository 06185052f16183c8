"""The tier list at /leads/ and the tasks that fill gaps in key contacts."""

import pytest
from django.urls import reverse

from touchbase.crm import services as crm
from touchbase.crm.models import Task
from touchbase.prospecting import services


@pytest.fixture
def scored(sam, acme, dana):
    services.company_set_qualifier(actor=sam, company=acme, willing_to_be_measured="yes")
    crm.company_create(actor=sam, name="Tiny Shop", industry="Retail", employee_count=3, country="BR")
    crm.person_create(actor=sam, first_name="Ola", last_name="Berg", title="Head of Sales", company=acme,
                      phone="+4722334455")
    services.companies_rescore()


def test_the_tier_list_shows_a_leads_first_with_their_key_contacts_and_gaps(client_for, ravi, scored):
    response = client_for(ravi).get(reverse("prospecting:tier_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Acme Robotics") < html.index("Tiny Shop")
    assert "Dana Reyes" in html and "Ola Berg" in html
    assert html.count("no phone") == 1 and html.count("no email") == 1


def test_the_tier_list_filters_by_tier(client_for, ravi, scored):
    html = client_for(ravi).get(reverse("prospecting:tier_list") + "?tier=C").content.decode()
    assert "Tiny Shop" in html and "Acme Robotics" not in html


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(reverse("prospecting:tier_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_gaps_become_tasks_for_the_owner_once(client_for, ravi, sam, scored):
    client = client_for(ravi)
    client.post(reverse("prospecting:gap_tasks"), {"tier": "A"})
    titles = sorted(Task.objects.values_list("title", "owner__email"))
    assert titles == [("Find the email of Ola Berg", "sam@example.com"),
                      ("Find the phone of Dana Reyes", "sam@example.com")]
    client.post(reverse("prospecting:gap_tasks"), {"tier": "A"})
    assert Task.objects.count() == 2


def test_the_admin_lists_fits_and_frameworks(client_for, alice, scored):
    client = client_for(alice)
    assert "Acme Robotics" in client.get(reverse("admin:prospecting_companyfit_changelist")).content.decode()
    assert client.get(reverse("admin:prospecting_framework_changelist")).status_code == 200
