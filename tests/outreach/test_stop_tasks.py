"""Every stop tells the owner: a meeting logged or a deal moving stage ends the run with a task too."""

from datetime import UTC, datetime, timedelta

from touchbase.crm import services as crm
from touchbase.crm.models import Task
from touchbase.outreach import worker
from touchbase.outreach.services import sequence_enroll

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_a_meeting_that_stops_the_sequence_leaves_the_owner_a_task(sam, dana, reno, sams_mailbox, smtp_server):
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    crm.touch_log(actor=sam, kind="meeting", person=dana, summary="Demo with Dana")
    worker.run_once(now=TUESDAY_10 + timedelta(days=2))
    [task] = Task.objects.filter(person=dana)
    assert task.owner == sam and task.source == "sequence"
    assert task.title == "Dana: “Reno picking” stopped (a meeting was logged); take it from here"
    worker.run_once(now=TUESDAY_10 + timedelta(days=3))
    assert Task.objects.filter(person=dana).count() == 1


def test_a_deal_moving_stage_leaves_a_task_too(sam, dana, reno, sams_mailbox, smtp_server, sams_deal, stages):
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    crm.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Lost"], lost_reason="No budget")
    worker.run_once(now=TUESDAY_10 + timedelta(days=2))
    assert Task.objects.get(person=dana).title.endswith("stopped (their deal moved stage); take it from here")
