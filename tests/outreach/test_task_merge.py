"""Call and social steps become the owner's task with their merge fields filled like an email's."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from touchbase.crm import services as crm
from touchbase.crm.models import Source, Task
from touchbase.outreach import worker
from touchbase.outreach.models import Enrollment
from touchbase.outreach.sequence_files import SequenceFileError, load
from touchbase.outreach.services import sequence_create, sequence_enroll, step_save

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def calls(sam):
    """A sequence that starts with a call and a LinkedIn step, no email."""
    sequence = sequence_create(actor=sam, name="Call first")
    step_save(actor=sam, sequence=sequence, kind="call",
              subject="Call {first_name} at {company} about {title} priorities; {seller_first_name} leads")
    step_save(actor=sam, sequence=sequence, kind="social", body="Like {full_name}'s post on {company_domain}\nmore")
    return sequence


def tasks(sam):
    return list(Task.objects.filter(owner=sam, source=Source.SEQUENCE).order_by("id").values_list("title", flat=True))


def test_a_call_step_task_has_its_merge_fields_filled(sam, dana, calls, sams_mailbox):
    sequence_enroll(actor=sam, sequence=calls, people=[dana], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    assert tasks(sam) == [
        "Call Dana Reyes (Acme Robotics): Call Dana at Acme Robotics about VP Operations priorities; Sam leads",
        "Connect on LinkedIn/X with Dana Reyes (Acme Robotics): Like Dana Reyes's post on acme.example",
    ]


def test_an_unknown_field_in_a_call_step_is_refused_naming_it(sam, calls):
    with pytest.raises(ValidationError) as error:
        step_save(actor=sam, sequence=calls, kind="call", subject="Call {frist_name}")
    assert "{frist_name} is not a merge field" in error.value.message_dict["subject"][0]
    assert calls.steps.count() == 2


def test_double_braces_in_a_social_step_are_refused(sam, calls):
    with pytest.raises(ValidationError) as error:
        step_save(actor=sam, sequence=calls, kind="social", body="Say hi to {{ first_name }}")
    assert "double braces" in error.value.message_dict["body"][0]


def test_a_sequence_file_with_a_bad_field_in_a_call_step_is_refused(sam, sams_mailbox):
    text = '''
name = "Calls"
mailbox = "sam@example.com"

[[steps]]
kind = "call"
subject = "Call {first_name} about {compnay}"
'''
    with pytest.raises(SequenceFileError, match=r"step 1 \(call\).*\{compnay\} is not a merge field"):
        load(text, "calls.toml")


def test_an_empty_field_holds_the_task_with_the_reason(sam, dana, calls, sams_mailbox):
    crm.person_update(actor=sam, person=dana, title="")
    [enrollment] = sequence_enroll(actor=sam, sequence=calls, people=[dana], now=TUESDAY_10).enrolled
    worker.run_once(now=TUESDAY_10)
    assert tasks(sam) == []
    assert Enrollment.objects.get(pk=enrollment.pk).held_reason == \
        "Step 1 cannot be filled for Dana Reyes: {title} is empty (the person's job title is not filled in)."


def test_a_line_break_in_a_merged_name_stays_on_the_tasks_one_line(sam, dana, calls, sams_mailbox):
    crm.person_update(actor=sam, person=dana, first_name="Dana\r\nX")
    sequence_enroll(actor=sam, sequence=calls, people=[dana], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    assert "\n" not in tasks(sam)[0] and "Call Dana X at Acme Robotics" in tasks(sam)[0]
