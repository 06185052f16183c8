"""Enrolling people: who gets in, and every refusal says why."""

from datetime import UTC, datetime

import pytest

from touchbase.crm import services as crm
from touchbase.outreach.models import Bounce, Enrollment
from touchbase.outreach.services import enrollment_stop, sequence_create, sequence_enroll, step_save

from .conftest import FIRST_EMAIL

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def enroll(actor, sequence, *people):
    return sequence_enroll(actor=actor, sequence=sequence, people=people, now=TUESDAY_10)


def reasons(result):
    return [reason for _, reason in result.refused]


def test_enrolling_dana_schedules_step_one_in_her_window(sam, dana, reno, sams_mailbox):
    result = enroll(sam, reno, dana)
    [enrollment] = result.enrolled
    assert enrollment.status == "active" and enrollment.next_position == 1
    assert enrollment.due_at == TUESDAY_10 and enrollment.mailbox == sams_mailbox


def test_a_person_already_in_a_sequence_is_refused(sam, dana, reno, sams_mailbox):
    enroll(sam, reno, dana)
    other = sequence_create(actor=sam, name="Other")
    step_save(actor=sam, sequence=other, kind="email", subject="Reno picking", body=FIRST_EMAIL)
    assert reasons(enroll(sam, other, dana)) == ["Dana Reyes is already in “Reno picking” (active)."]
    assert Enrollment.objects.count() == 1


def test_after_a_stop_she_can_be_enrolled_again(sam, dana, reno, sams_mailbox):
    [first] = enroll(sam, reno, dana).enrolled
    enrollment_stop(actor=sam, enrollment=first)
    assert enroll(sam, reno, dana).enrolled


def test_an_opted_out_person_is_refused(sam, dana, reno, sams_mailbox):
    crm.person_update(actor=sam, person=dana, opted_out=True)
    assert reasons(enroll(sam, reno, dana)) == ["Dana Reyes opted out of email."]


def test_a_bounced_address_is_refused(sam, dana, reno, sams_mailbox):
    Bounce.objects.create(email="dana@acme.example", status="5.1.1")
    assert reasons(enroll(sam, reno, dana)) == ["dana@acme.example bounced (5.1.1); fix the address first."]


def test_a_person_without_email_is_refused(sam, acme, reno, sams_mailbox):
    lee = crm.person_create(actor=sam, first_name="Lee", company=acme)
    assert reasons(enroll(sam, reno, lee)) == ["Lee has no email address."]


def test_a_company_in_conversation_with_another_seller_is_refused(sam, ravi, acme, dana, reno, sams_mailbox,
                                                                  smtp_server):
    from touchbase.outreach.services import mailbox_save

    mailbox_save(actor=ravi, email="ravi@example.com", smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                 smtp_security="none", username="ravi", password="x")
    kim = crm.person_create(actor=ravi, owner=ravi, first_name="Kim", email="kim@acme.example", company=acme)
    assert enroll(ravi, reno, kim).enrolled
    [reason] = reasons(enroll(sam, reno, dana))
    assert reason.startswith("Acme Robotics is in a conversation with Ravi Other")


def test_an_open_deal_of_another_seller_counts_as_a_conversation(sam, ravi, acme, dana, reno, sams_mailbox, stages):
    crm.deal_create(actor=ravi, company=acme, title="Ravi's Acme deal", stage=stages["Qualify"])
    assert reasons(enroll(sam, reno, dana)) == [
        "Acme Robotics is in a conversation with Ravi Other (open deal “Ravi's Acme deal”)."]


def test_a_seller_without_a_mailbox_is_told_to_connect_one(sam, dana, reno):
    assert reasons(enroll(sam, reno, dana)) == ["Sam Seller has no mailbox connected; connect one first."]


def test_a_seller_cannot_enroll_another_sellers_person(ravi, dana, reno, sams_mailbox):
    [reason] = reasons(enroll(ravi, reno, dana))
    assert "belongs to Sam Seller" in reason


def test_some_in_some_out_each_with_a_reason(sam, acme, dana, reno, sams_mailbox):
    lee = crm.person_create(actor=sam, first_name="Lee", email="lee@acme.example", company=acme, opted_out=True)
    result = enroll(sam, reno, dana, lee)
    assert [e.person for e in result.enrolled] == [dana]
    assert reasons(result) == ["Lee opted out of email."]


def test_a_sequence_without_steps_cannot_enroll_anyone(sam, dana, sams_mailbox):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="no steps"):
        enroll(sam, sequence_create(actor=sam, name="Empty"), dana)


def test_the_enroll_command_says_who_got_in_and_why_not(sam, acme, dana, reno, sams_mailbox, capsys):
    from django.core.management import call_command

    crm.person_create(actor=sam, first_name="Lee", email="lee@acme.example", company=acme, opted_out=True)
    call_command("enroll", "Reno picking", "--person", "dana@acme.example", "--person", "lee@acme.example",
                 "--person", "nobody@acme.example")
    out = capsys.readouterr().out
    assert "enrolled\tdana@acme.example\tfirst step due" in out
    assert "not enrolled\tlee@acme.example\tLee opted out of email." in out
    assert "not enrolled\tnobody@acme.example\tno person has this email" in out
    assert Enrollment.objects.get().person == dana
