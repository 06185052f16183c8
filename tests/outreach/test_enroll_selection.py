"""Enrolling a selection: tick people on a list, enroll them at once, and read why the others were not."""

from touchbase.crm import services as crm
from touchbase.outreach.models import Enrollment

from .test_enroll_tier import tier


def test_the_list_shows_my_people_filtered_by_tier(sam, ravi, acme, dana, reno, client_for):
    tier(acme, "A")
    bolt = crm.company_create(actor=sam, name="Bolt", domain="bolt.example")
    tier(bolt, "B")
    crm.person_create(actor=sam, first_name="Kim", last_name="Park", email="kim@bolt.example", company=bolt)
    crm.person_create(actor=ravi, first_name="Zoe", last_name="Zed", email="zoe@zeta.example")
    page = client_for(sam).get(f"/outreach/sequences/{reno.pk}/enroll/", {"tier": "A"}).content.decode()
    assert "Dana Reyes" in page and "Kim Park" not in page and "Zoe Zed" not in page


def test_the_ticked_people_are_enrolled_and_the_others_told_why(sam, acme, dana, reno, sams_mailbox, client_for):
    noe = crm.person_create(actor=sam, first_name="Noe", last_name="Mail", company=acme)
    response = client_for(sam).post(f"/outreach/sequences/{reno.pk}/enroll/", {"person": [dana.pk, noe.pk]},
                                    follow=True)
    assert list(Enrollment.objects.values_list("person__first_name", flat=True)) == ["Dana"]
    page = response.content.decode()
    assert "1 enrolled in “Reno picking”, 1 not." in page
    assert "Not enrolled: Noe Mail has no email address." in page


def test_another_sellers_people_are_refused_with_the_reason(sam, ravi, reno, sams_mailbox, client_for):
    zoe = crm.person_create(actor=ravi, first_name="Zoe", last_name="Zed", email="zoe@zeta.example")
    page = client_for(sam).post(f"/outreach/sequences/{reno.pk}/enroll/", {"person": [zoe.pk]},
                                follow=True).content.decode()
    assert not Enrollment.objects.exists()
    assert "Zoe Zed belongs to Ravi Other; only they or a manager can enroll them." in page
