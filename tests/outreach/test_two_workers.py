"""Two workers at once send every message exactly once; on SQLite a second worker refuses to start."""

import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from touchbase.crm import services as crm
from touchbase.outreach import worker
from touchbase.outreach.models import OutboxMessage
from touchbase.outreach.services import sequence_enroll

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
PEOPLE = 60


@pytest.mark.django_db(transaction=True)
def test_two_workers_running_at_once_send_every_message_exactly_once(sam, acme, reno, sams_mailbox, smtp_server,
                                                                     monkeypatch):
    if connection.vendor == "sqlite":
        # The test database is SQLite's shared in-memory one, where a second writer fails at once instead of
        # waiting; and on SQLite a second worker does not start (see below). PostgreSQL is where workers share.
        pytest.skip("several workers run on PostgreSQL (make test runs this there)")
    monkeypatch.setattr(worker, "BATCH", 7)  # small batches, so the two workers take turns
    people = [crm.person_create(actor=sam, first_name=f"P{i}", email=f"p{i}@acme{i}.example") for i in range(PEOPLE)]
    assert len(sequence_enroll(actor=sam, sequence=reno, people=people, now=TUESDAY_10).enrolled) == PEOPLE
    start = threading.Barrier(2)
    results, errors = [], []

    def work(name):
        try:
            start.wait()
            results.append(worker.run_once(now=TUESDAY_10, worker=name))
        except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    ids = smtp_server.message_ids()
    assert len(ids) == PEOPLE and len(set(ids)) == PEOPLE
    assert OutboxMessage.objects.filter(state="sent").count() == PEOPLE
    total = sum(results, Counter())
    assert total["mail sent"] == PEOPLE and total["step queued"] == PEOPLE


def test_on_sqlite_a_second_worker_refuses_with_a_clear_message(db):
    from touchbase.outreach.management.commands.worker import Command

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL runs many workers")
    lock = Command()._single_worker_on_sqlite()
    try:
        with pytest.raises(CommandError, match="On SQLite one worker runs at a time"):
            call_command("worker", "--once")
    finally:
        lock.close()
