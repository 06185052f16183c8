"""touchbase outbox [--json]: counts and rows by state, a held message with its reason."""

import json
from datetime import UTC, datetime

from django.core.management import call_command

from touchbase.outreach import worker
from touchbase.outreach.models import Mailbox, OutboxMessage
from touchbase.outreach.services import sequence_enroll

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_it_counts_and_lists_sent_and_held_messages(sam, dana, reno, sams_mailbox, smtp_server, capsys):
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    call_command("outbox", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["counts"]["sent"] == 1 and data["counts"]["held"] == 0
    [row] = data["messages"]
    assert (row["state"], row["to"], row["sequence"], row["step"]) == ("sent", dana.email, "Reno picking", 1)


def test_a_message_held_by_a_paused_mailbox_shows_as_held_with_the_reason(sam, dana, reno, sams_mailbox,
                                                                          smtp_server, capsys):
    Mailbox.objects.filter(pk=sams_mailbox.pk).update(paused_reason="2 of 50 sent today bounced hard")
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    assert OutboxMessage.objects.get().state == "queued"
    call_command("outbox", "--state", "held")
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("draft 0  queued 0  held 1  sending 0  sent 0")
    assert "\theld\tdana@acme.example\tReno picking\tReno picking step 1\tMailbox paused: 2 of 50" in out
    call_command("outbox", "--state", "sent")
    assert len(capsys.readouterr().out.splitlines()) == 1  # the counts alone


def test_the_outbox_page_filters_the_held_messages(sam, dana, reno, sams_mailbox, smtp_server, client_for):
    Mailbox.objects.filter(pk=sams_mailbox.pk).update(paused_reason="2 of 50 sent today bounced hard")
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    held = client_for(sam).get("/outreach/outbox/", {"state": "held"}).content.decode()
    assert "Mailbox paused: 2 of 50" in held
    assert 'of which held (caps, window, paused mailbox) <span class="count-pill">1</span>' in held
    sent = client_for(sam).get("/outreach/outbox/", {"state": "sent"}).content.decode()
    assert "Mailbox paused: 2 of 50" not in sent and "Nothing here." in sent
