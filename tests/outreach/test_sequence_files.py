"""Sequences as TOML files: load, export, the round trip, and every way a file is refused whole."""

from datetime import time

import pytest
from django.core.management import CommandError, call_command

from touchbase.outreach.models import FOLLOW_UP_NOTE, Sequence
from touchbase.outreach.sequence_files import SequenceFileError, export, load, load_file
from touchbase.outreach.services import sequence_enroll

from .conftest import FIRST_EMAIL

RENO = f'''
name = "Reno picking"
mailbox = "sam@example.com"

[window]
start = "09:00"
end = "16:30"
days = ["Mon", "Tue", "Wed", "Thu"]
time_zone = "recipient"

[[steps]]
kind = "email"
subject = "Reno picking"
body = """
{FIRST_EMAIL}"""

[[steps]]
kind = "follow_up"
delay_days = 2
follow_up = "reply"

[[steps]]
kind = "call"
delay_days = 3
subject = "Ask about the Reno go-live"
'''


def written(sequence):
    return [(s.position, s.kind, s.delay_days, s.subject, s.body, s.follow_up_mode)
            for s in sequence.steps.order_by("position")]


def test_loading_a_file_creates_the_sequence_for_the_mailboxs_owner(sam, sams_mailbox):
    result = load(RENO, "reno.toml")
    sequence = result.sequence
    assert result.created and sequence.owner == sam and sequence.name == "Reno picking"
    assert (sequence.window_start, sequence.window_end, sequence.window_days) == (time(9), time(16, 30), "0,1,2,3")
    assert written(sequence) == [
        (1, "email", 0, "Reno picking", FIRST_EMAIL, "forward"),
        (2, "follow_up", 2, "", FOLLOW_UP_NOTE, "reply"),
        (3, "call", 3, "Ask about the Reno go-live", "", "forward"),
    ]
    first = sequence.steps.get(position=1)
    assert first.coach_review["countdown"] > 0 and not first.coach_blocked


def test_an_exported_sequence_loads_back_to_the_same_sequence(sam, sams_mailbox, reno):
    text = export(reno)
    before = written(reno), reno.window_days, reno.window_start, reno.window_end
    again = load(text, "exported.toml")
    assert not again.created and not again.steps_changed and again.sequence.pk == reno.pk
    reno.refresh_from_db()
    assert (written(reno), reno.window_days, reno.window_start, reno.window_end) == before
    assert export(reno) == text
    copy = load(text.replace('name = "Reno picking"', 'name = "Reno picking (copy)"'), "copy.toml").sequence
    assert copy.pk != reno.pk and written(copy) == written(reno)
    assert (copy.window_days, copy.window_start, copy.window_end) == (reno.window_days, reno.window_start,
                                                                      reno.window_end)


def test_a_coach_error_refuses_the_file_naming_the_step_and_the_rule(sam, sams_mailbox):
    bad = RENO.replace('subject = "Reno picking"', 'subject = "Re: Reno picking"')
    with pytest.raises(SequenceFileError) as error:
        load(bad, "reno.toml")
    assert "reno.toml:11: step 1 (email): coach rule subject.fake_thread" in str(error.value)
    assert not Sequence.objects.filter(name="Reno picking").exists()


def test_an_unknown_merge_field_refuses_the_file_naming_the_step_and_the_field(sam, sams_mailbox):
    bad = RENO.replace('subject = "Ask about the Reno go-live"', 'subject = "Ask {frist_name} about Reno"')
    bad = bad.replace('kind = "call"', 'kind = "email"')
    with pytest.raises(SequenceFileError) as error:
        load(bad, "reno.toml")
    assert "reno.toml:24: step 3 (email): subject: {frist_name} is not a merge field" in str(error.value)
    assert not Sequence.objects.exists()


def test_an_unclosed_merge_field_is_refused(sam, sams_mailbox):
    with pytest.raises(SequenceFileError, match=r"step 1 \(email\): subject: .*never closes"):
        load(RENO.replace('subject = "Reno picking"', 'subject = "For {company"'), "reno.toml")


def test_a_file_that_is_not_toml_says_the_file_and_line(sam, sams_mailbox, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('name = "Reno"\nmailbox = "sam@example.com\n')
    with pytest.raises(SequenceFileError, match=rf"^{path}:2:\d+: not valid TOML"):
        load_file(path)


def test_a_wrong_step_kind_names_the_line_of_its_step(sam, sams_mailbox):
    with pytest.raises(SequenceFileError, match=r'^reno.toml:19: step 2: kind = \'forward\' is not a step kind'):
        load(RENO.replace('kind = "follow_up"', 'kind = "forward"'), "reno.toml")


def test_a_mailbox_nobody_connected_is_refused(sam, sams_mailbox):
    with pytest.raises(SequenceFileError, match="no mailbox 'nobody@example.com' is connected"):
        load(RENO.replace('mailbox = "sam@example.com"', 'mailbox = "nobody@example.com"'), "reno.toml")


def test_a_time_zone_policy_touchbase_does_not_have_is_refused(sam, sams_mailbox):
    with pytest.raises(SequenceFileError, match="the policy touchbase has is \"recipient\""):
        load(RENO.replace('time_zone = "recipient"', 'time_zone = "sender"'), "reno.toml")


def test_a_window_ends_after_it_starts_or_at_midnight(sam, sams_mailbox):
    with pytest.raises(SequenceFileError, match="must end after it starts"):
        load(RENO.replace('end = "16:30"', 'end = "08:00"'), "reno.toml")
    sequence = load(RENO.replace('end = "16:30"', 'end = "00:00"'), "reno.toml").sequence
    assert sequence.window_end == time(0) and 'end = "00:00"' in export(sequence)


def test_loading_an_existing_name_updates_its_steps_and_window(sam, sams_mailbox, reno):
    result = load(RENO, "reno.toml")
    assert not result.created and result.steps_changed and result.sequence.pk == reno.pk
    reno.refresh_from_db()
    assert reno.window_days == "0,1,2,3" and written(reno)[1][2:] == (2, "", FOLLOW_UP_NOTE, "reply")


def test_a_failure_late_in_the_file_leaves_the_old_sequence_as_it_was(sam, sams_mailbox, reno):
    before = written(reno)
    bad = RENO.replace('kind = "call"', 'kind = "email"').replace("Ask about the Reno go-live", "Re: go-live")
    with pytest.raises(SequenceFileError):
        load(bad, "reno.toml")
    reno.refresh_from_db()
    assert written(reno) == before and reno.window_days == "0,1,2,3,4"


def test_steps_cannot_change_under_people_running_through_the_sequence(sam, sams_mailbox, reno, dana):
    sequence_enroll(actor=sam, sequence=reno, people=[dana])
    before = written(reno)
    with pytest.raises(SequenceFileError, match="1 person is running through “Reno picking”"):
        load(RENO, "reno.toml")
    assert written(reno) == before
    # The same steps with another window are fine: the runs keep their steps.
    same_steps = export(reno).replace('"Fri",\n', "")
    assert not load(same_steps, "reno.toml").steps_changed
    reno.refresh_from_db()
    assert reno.window_days == "0,1,2,3"


def test_the_command_loads_and_exports(sam, sams_mailbox, tmp_path, capsys):
    path = tmp_path / "reno.toml"
    path.write_text(RENO)
    call_command("sequence", "load", str(path))
    assert "“Reno picking” created, 3 steps" in capsys.readouterr().out
    call_command("sequence", "export", "Reno picking")
    out = capsys.readouterr().out
    assert out.startswith('name = "Reno picking"') and 'follow_up = "reply"' in out
    path.write_text(RENO.replace('subject = "Reno picking"', 'subject = "Re: Reno picking"'))
    with pytest.raises(CommandError, match="coach rule subject.fake_thread"):
        call_command("sequence", "load", str(path))
    with pytest.raises(CommandError, match="No sequence named 'Nope'"):
        call_command("sequence", "export", "Nope")


def test_a_step_typed_in_the_browser_round_trips_with_people_in_it(sam, sams_mailbox, reno, dana):
    # Browsers send CRLF line ends, and the step form offers a follow-up mode on every kind of step.
    from touchbase.outreach.services import step_save

    first = reno.steps.get(position=1)
    step_save(actor=sam, sequence=reno, step=first, kind="email", subject="Reno picking",
              body=FIRST_EMAIL.replace("\n", "\r\n"), follow_up_mode="reply")
    sequence_enroll(actor=sam, sequence=reno, people=[dana])
    result = load(export(reno), "exported.toml")
    assert not result.steps_changed
