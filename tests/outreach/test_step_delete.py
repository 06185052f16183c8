"""Taking a step out of a sequence: the later steps move up; never under running people or sent mail."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from touchbase.outreach.models import Step
from touchbase.outreach.services import sequence_enroll, step_delete, step_save

from .conftest import FIRST_EMAIL


def kinds(sequence):
    return list(sequence.steps.order_by("position").values_list("position", "kind"))


def test_the_later_steps_move_up(sam, reno):
    step_delete(actor=sam, step=reno.steps.get(position=2))
    assert kinds(reno) == [(1, "email"), (2, "call")]


def test_a_follow_up_keeps_an_email_to_forward(sam, reno):
    with pytest.raises(ValidationError, match="Step 2 forwards this email"):
        step_delete(actor=sam, step=reno.steps.get(position=1))
    assert kinds(reno) == [(1, "email"), (2, "follow_up"), (3, "call")]


def test_an_email_before_it_lets_the_first_one_go(sam):
    from touchbase.outreach.services import sequence_create

    sequence = sequence_create(actor=sam, name="Two emails")
    step_save(actor=sam, sequence=sequence, kind="email", subject="Reno picking", body=FIRST_EMAIL)
    step_save(actor=sam, sequence=sequence, kind="email", subject="Reno go-live", body=FIRST_EMAIL)
    step_save(actor=sam, sequence=sequence, kind="follow_up", delay_days=2)
    step_delete(actor=sam, step=sequence.steps.get(position=1))
    assert kinds(sequence) == [(1, "email"), (2, "follow_up")]
    assert not sequence.steps.get(position=2).coach_blocked


def test_not_while_people_run_through_it(sam, dana, reno, sams_mailbox):
    sequence_enroll(actor=sam, sequence=reno, people=[dana])
    with pytest.raises(ValidationError, match="1 person is running through"):
        step_delete(actor=sam, step=reno.steps.get(position=3))
    assert len(kinds(reno)) == 3


def test_another_seller_cannot(ravi, reno):
    with pytest.raises(PermissionDenied):
        step_delete(actor=ravi, step=reno.steps.get(position=3))


def test_the_button_on_the_step_page(sam, reno, client_for):
    call = reno.steps.get(position=3)
    page = client_for(sam).get(f"/outreach/steps/{call.pk}/").content.decode()
    assert "Take this step out" in page
    assert client_for(sam).post(f"/outreach/steps/{call.pk}/delete/").status_code == 302
    assert not Step.objects.filter(pk=call.pk).exists()
