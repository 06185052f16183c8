"""Writing a sequence: steps, merge fields checked on save, and the coach holding a step with an error."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from touchbase.outreach.models import FOLLOW_UP_NOTE, Step
from touchbase.outreach.services import sequence_create, step_save

from .conftest import FIRST_EMAIL


def test_a_follow_up_defaults_to_the_seeds_note(reno):
    follow_up = reno.steps.get(position=2)
    assert follow_up.body == FOLLOW_UP_NOTE == "Hi {first_name}, hope all is well. Following up on the below. Thx."
    assert not follow_up.coach_blocked, follow_up.coach_review


def test_every_email_step_is_reviewed_by_the_coach_when_saved(reno):
    first = reno.steps.get(position=1)
    assert first.coach_review["countdown"] > 0 and not first.coach_blocked


def test_an_error_from_the_coach_holds_the_step_and_names_the_rule(sam, reno):
    step = step_save(actor=sam, sequence=reno, kind="email", subject="Re: Reno picking", body=FIRST_EMAIL,
                     step=reno.steps.get(position=1))
    assert step.coach_blocked
    assert "subject.fake_thread" in {f["rule"] for f in step.coach_errors}


def test_fixing_the_step_lifts_the_hold(sam, reno):
    step = reno.steps.get(position=1)
    step_save(actor=sam, sequence=reno, kind="email", subject="Re: Reno", body=FIRST_EMAIL, step=step)
    step = step_save(actor=sam, sequence=reno, kind="email", subject="Reno picking", body=FIRST_EMAIL, step=step)
    assert not step.coach_blocked and step.coach_errors == []


def test_an_unknown_merge_field_is_refused_naming_it_and_nothing_is_saved(sam, reno):
    with pytest.raises(ValidationError) as error:
        step_save(actor=sam, sequence=reno, kind="email", subject="Hi", body="Hi {frist_name}, quick one?")
    assert "{frist_name} is not a merge field" in error.value.message_dict["body"][0]
    assert reno.steps.count() == 3


def test_an_unclosed_field_in_the_subject_is_refused(sam, reno):
    with pytest.raises(ValidationError) as error:
        step_save(actor=sam, sequence=reno, kind="email", subject="For {company", body="Hi {first_name}?")
    assert "never closes" in error.value.message_dict["subject"][0]


def test_a_follow_up_needs_an_email_before_it(sam):
    sequence = sequence_create(actor=sam, name="Only a follow-up")
    with pytest.raises(ValidationError, match="put an email step before it"):
        step_save(actor=sam, sequence=sequence, kind="follow_up")


def test_another_seller_cannot_change_sams_sequence(ravi, reno):
    with pytest.raises(PermissionDenied):
        step_save(actor=ravi, sequence=reno, kind="wait", delay_days=1)
    assert not Step.objects.filter(sequence=reno, kind="wait").exists()


def test_a_send_window_must_end_after_it_starts(sam):
    from datetime import time

    with pytest.raises(ValidationError):
        sequence_create(actor=sam, name="Night owl", window_start=time(17), window_end=time(8))


def test_a_send_window_may_end_at_midnight(sam):
    from datetime import time

    sequence = sequence_create(actor=sam, name="Evenings", window_start=time(18), window_end=time(0))
    assert sequence.window.describe().startswith("18:00-00:00")
