"""Auto-enroll: a seller's chosen sequence takes their new A-tier key contacts by itself, once each."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from touchbase.crm import services as crm
from touchbase.outreach.models import Enrollment, Sequence
from touchbase.outreach.services import (
    auto_enroll_key_contacts,
    sequence_create,
    sequence_set_auto_enroll,
    step_save,
)

from .conftest import FIRST_EMAIL
from .test_enroll_tier import tier


@pytest.fixture
def auto_reno(sam, reno, acme, dana, sams_mailbox):
    """Acme is A-tier; Dana was there before Sam turned auto-enroll on for “Reno picking”."""
    tier(acme, "A")
    return sequence_set_auto_enroll(actor=sam, sequence=reno, on=True)


def newcomer(sam, company, first, title, email=None):
    return crm.person_create(actor=sam, first_name=first, last_name="New", title=title, company=company,
                             email=email if email is not None else f"{first.lower()}@{company.domain}")


def enrolled_in(sequence):
    return sorted(Enrollment.objects.filter(sequence=sequence).values_list("person__first_name", flat=True))


def test_a_new_key_contact_at_an_a_tier_company_is_enrolled(sam, acme, auto_reno):
    newcomer(sam, acme, "Lee", "VP Supply Chain")
    counts = auto_enroll_key_contacts()
    assert counts == {"sequences": 1, "enrolled": 1, "refused": 0}
    assert enrolled_in(auto_reno) == ["Lee"]  # Dana was there before it was turned on


def test_running_again_enrolls_nobody_twice(sam, acme, auto_reno):
    newcomer(sam, acme, "Lee", "VP Supply Chain")
    auto_enroll_key_contacts()
    assert auto_enroll_key_contacts()["enrolled"] == 0
    assert enrolled_in(auto_reno) == ["Lee"]


def test_who_is_not_a_key_contact_or_not_at_an_a_tier_company_is_left_alone(sam, acme, auto_reno):
    newcomer(sam, acme, "Ira", "Intern")
    bolt = crm.company_create(actor=sam, name="Bolt Logistics", domain="bolt.example")
    tier(bolt, "B")
    newcomer(sam, bolt, "Kim", "COO")
    assert auto_enroll_key_contacts()["enrolled"] == 0 and enrolled_in(auto_reno) == []


def test_a_new_key_contact_who_cannot_be_enrolled_is_counted_not_enrolled(sam, acme, auto_reno):
    newcomer(sam, acme, "Noe", "VP Sales", email="")
    counts = auto_enroll_key_contacts()
    assert counts["enrolled"] == 0 and counts["refused"] == 1


def test_nothing_happens_while_it_is_off(sam, acme, reno, sams_mailbox):
    tier(acme, "A")
    newcomer(sam, acme, "Lee", "VP Supply Chain")
    assert auto_enroll_key_contacts() == {"sequences": 0, "enrolled": 0, "refused": 0}
    assert enrolled_in(reno) == []


def test_a_seller_has_one_auto_enroll_sequence(sam, auto_reno):
    other = sequence_create(actor=sam, name="Other")
    step_save(actor=sam, sequence=other, kind="email", subject="Picking", body=FIRST_EMAIL)
    with pytest.raises(ValidationError, match="“Reno picking” already takes"):
        sequence_set_auto_enroll(actor=sam, sequence=other, on=True)
    sequence_set_auto_enroll(actor=sam, sequence=auto_reno, on=False)
    sequence_set_auto_enroll(actor=sam, sequence=other, on=True)
    assert list(Sequence.objects.filter(auto_enroll_key_contacts=True)) == [other]


def test_another_seller_cannot_turn_it_on_for_sams_sequence(ravi, reno):
    with pytest.raises(PermissionDenied):
        sequence_set_auto_enroll(actor=ravi, sequence=reno, on=True)


def test_the_toggle_on_the_sequence_page(sam, ravi, reno, client_for):
    page = client_for(sam).get(f"/outreach/sequences/{reno.pk}/")
    assert b"Auto-enroll new A-tier key contacts" in page.content
    response = client_for(sam).post(f"/outreach/sequences/{reno.pk}/auto-enroll/", {"on": "1"})
    assert response.status_code == 302
    reno.refresh_from_db()
    assert reno.auto_enroll_key_contacts
    client_for(ravi).post(f"/outreach/sequences/{reno.pk}/auto-enroll/", {"on": "0"})
    reno.refresh_from_db()
    assert reno.auto_enroll_key_contacts  # Ravi may not change Sam's sequence
    client_for(sam).post(f"/outreach/sequences/{reno.pk}/auto-enroll/", {"on": "0"})
    reno.refresh_from_db()
    assert not reno.auto_enroll_key_contacts


def test_the_worker_round_enrolls_them_by_itself(sam, acme, auto_reno):
    from touchbase.outreach.worker import run_once

    newcomer(sam, acme, "Lee", "VP Supply Chain")
    assert run_once()["auto-enrolled"] == 1
    assert enrolled_in(auto_reno) == ["Lee"]
    assert "auto-enrolled" not in run_once()  # nobody new: nothing counted
