"""Enrolling by tier: "enroll all A-tier key contacts of my companies in sequence X", with the usual refusals."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from touchbase.crm import services as crm
from touchbase.outreach.services import sequence_create, sequence_enroll, sequence_enroll_tier, step_save
from touchbase.prospecting.models import CompanyFit
from touchbase.prospecting.services import framework_current

from .conftest import FIRST_EMAIL

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def tier(company, letter):
    CompanyFit.objects.update_or_create(company=company, defaults={
        "framework": framework_current(), "score": 90, "tier": letter, "scored_at": timezone.now()})


@pytest.fixture
def a_tier(sam, ravi, acme, dana):
    """Acme (Sam's) and Zeta (Ravi's) are A; Bolt (Sam's) is B. Dana (VP) is Acme's key contact, Ira (intern) is not."""
    tier(acme, "A")
    crm.person_create(actor=sam, first_name="Ira", last_name="Intern", email="ira@acme.example", title="Intern",
                      company=acme)
    bolt = crm.company_create(actor=sam, name="Bolt Logistics")
    tier(bolt, "B")
    crm.person_create(actor=sam, first_name="Kim", last_name="Park", email="kim@bolt.example", title="COO",
                      company=bolt)
    zeta = crm.company_create(actor=ravi, name="Zeta")
    tier(zeta, "A")
    crm.person_create(actor=ravi, first_name="Zoe", last_name="Zed", email="zoe@zeta.example", title="CEO",
                      company=zeta)


def test_it_enrolls_the_key_contacts_of_my_a_tier_companies_only(sam, reno, dana, a_tier, sams_mailbox):
    result = sequence_enroll_tier(actor=sam, sequence=reno, tier="A", now=TUESDAY_10)
    assert [e.person for e in result.enrolled] == [dana]
    assert result.refused == [] and result.not_key_contacts == 1
    assert result.summary() == "Tier A: 1 enrolled, 0 not enrolled, 1 skipped (not a key contact)."


def test_everyone_at_the_tier_when_asked(sam, reno, a_tier, sams_mailbox):
    result = sequence_enroll_tier(actor=sam, sequence=reno, tier="A", key_contacts_only=False, now=TUESDAY_10)
    assert sorted(e.person.first_name for e in result.enrolled) == ["Dana", "Ira"]


def test_those_refused_are_listed_with_the_reason(sam, reno, dana, a_tier, sams_mailbox):
    other = sequence_create(actor=sam, name="Other")
    step_save(actor=sam, sequence=other, kind="email", subject="Picking", body=FIRST_EMAIL)
    sequence_enroll(actor=sam, sequence=other, people=[dana], now=TUESDAY_10)
    result = sequence_enroll_tier(actor=sam, sequence=reno, tier="A", now=TUESDAY_10)
    assert result.enrolled == []
    assert result.refused == [(dana, "Dana Reyes is already in “Other” (active).")]


def test_an_unknown_tier_is_refused(sam, reno):
    with pytest.raises(ValidationError, match="does not exist"):
        sequence_enroll_tier(actor=sam, sequence=reno, tier="D")


def test_the_enroll_command_takes_a_tier_and_prints_the_summary(sam, reno, dana, a_tier, sams_mailbox):
    out = StringIO()
    call_command("enroll", "Reno picking", "--tier", "A", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("enrolled\tdana@acme.example\tfirst step due ")
    assert lines[-1] == "Tier A: 1 enrolled, 0 not enrolled, 1 skipped (not a key contact)."
