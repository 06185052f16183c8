"""A drip's list as a saved filter: tier, industries, countries and title words, every one that is set."""

import pytest
from django.core.exceptions import ValidationError

from touchbase.crm import services as crm
from touchbase.outreach import drips

from .test_drips import tier


@pytest.fixture
def companies(sam, ravi, acme, dana):
    """Acme (US robotics, A) with Dana (VP) and Ira (intern); Bolt (DE logistics, A) with Kim (COO); Ravi's Zeta."""
    tier(acme, "A")
    crm.person_create(actor=sam, first_name="Ira", last_name="Intern", email="ira@acme.example", title="Intern",
                      company=acme)
    bolt = crm.company_create(actor=sam, name="Bolt", domain="bolt.example", industry="Logistics", country="DE")
    tier(bolt, "A")
    crm.person_create(actor=sam, first_name="Kim", last_name="Park", email="kim@bolt.example", title="COO",
                      company=bolt)
    zeta = crm.company_create(actor=ravi, name="Zeta", industry="Robotics", country="US")
    tier(zeta, "A")
    crm.person_create(actor=ravi, first_name="Zoe", last_name="Zed", email="zoe@zeta.example", title="VP Sales",
                      company=zeta)


def names(drip):
    return [p.first_name for p in drips.drip_audience(drip)]


def test_the_filter_narrows_the_owners_companies_by_every_condition_set(sam, companies):
    drip = drips.drip_create(actor=sam, name="Robotics VPs")
    assert names(drip) == []  # nothing set: only people picked by hand
    drips.drip_update(actor=sam, drip=drip, industries="robotics, Logistics")
    assert names(drip) == ["Ira", "Kim", "Dana"]  # Zoe is Ravi's
    drips.drip_update(actor=sam, drip=drip, countries="us")
    assert names(drip) == ["Ira", "Dana"]
    drips.drip_update(actor=sam, drip=drip, title_words="VP, Head")
    assert names(drip) == ["Dana"]
    drip.refresh_from_db()
    assert drip.describe_list() == "industry robotics, Logistics; country US; title has VP, Head"


def test_picked_people_stay_on_the_list_whatever_the_filter(sam, companies):
    drip = drips.drip_create(actor=sam, name="Germany", tier="A")
    drips.drip_update(actor=sam, drip=drip, countries="DE")
    from touchbase.crm.models import Person

    drips.drip_pick(actor=sam, drip=drip, people=[Person.objects.get(first_name="Ira")])
    assert sorted(names(drip)) == ["Ira", "Kim"]


def test_a_country_that_is_not_a_code_is_refused(sam, companies):
    drip = drips.drip_create(actor=sam, name="Somewhere")
    with pytest.raises(ValidationError, match="USA is not a two-letter country code"):
        drips.drip_update(actor=sam, drip=drip, countries="USA")


def test_the_drip_page_saves_the_filter(sam, companies, client_for):
    drip = drips.drip_create(actor=sam, name="Robotics VPs")
    response = client_for(sam).post(f"/outreach/drips/{drip.pk}/settings/", {
        "every_days": 15, "tier": "A", "industries": "Robotics", "countries": "", "title_words": "VP"})
    assert response.status_code == 302
    page = client_for(sam).get(f"/outreach/drips/{drip.pk}/").content.decode()
    assert "your companies by tier A; industry Robotics; title has VP" in page and "Dana Reyes" in page
    assert "Kim Park" not in page
