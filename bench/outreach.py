"""Outreach figures: send throughput, the scheduling query on a big table, and crash safety under SIGKILL.

    .venv/bin/python bench/outreach.py [--sends 10000] [--table 1000000] [--kills 20] [--crash-sends 10000]
                                       [--workers 1] [--home DIR] [--only throughput,schedule,crash]

Runs against a fresh database in a temporary TOUCHBASE_HOME (SQLite), or the
PostgreSQL database named by DATABASE_URL (it must be a scratch database:
the benchmark writes thousands of rows). A local aiosmtpd server takes the
mail and counts Message-IDs.

- throughput: --sends people due at once in a one-step sequence, caps lifted
  and the send window always open; one `worker.run_once()` renders, coaches
  and hands every message to SMTP. Prints wall and CPU time and messages/s.
- schedule: grows the enrollment table to --table rows (mostly finished, 1%
  active with a due time), then times the worker's due-rows query and shows
  its plan.
- crash: --crash-sends people due; `touchbase worker` processes (--workers of
  them at once; on SQLite a second one refuses to start) are killed with
  SIGKILL at random moments --kills times, then one last clean round runs.
  Prints how many Message-IDs the SMTP server saw once, twice (must be 0),
  and how many messages were left "unsure" for the seller (the worker died
  between the SMTP server taking one and the database saying so) and lost
  (must be 0).

Figures, not asserts; the targets are in issue 5: 10,000 sends under 60 s,
the scheduling query under 10 ms at 1,000,000 enrollments, 0 lost and 0 sent
twice across 20 kills.
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sends", type=int, default=10_000)
    parser.add_argument("--table", type=int, default=1_000_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--crash-sends", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=1, help="worker processes at once in the crash test")
    parser.add_argument("--home", type=Path, help="TOUCHBASE_HOME to use (default: a new temporary folder)")
    parser.add_argument("--only", default="throughput,schedule,crash")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


SMTP_SERVER = """
import os, sys, time
from email.parser import BytesHeaderParser
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

out = open(sys.argv[2], "a", buffering=1)

class Handler:
    async def handle_DATA(self, server, session, envelope):
        out.write(str(BytesHeaderParser().parsebytes(envelope.content)["Message-ID"]) + "\\n")
        return "250 OK"

Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]), auth_require_tls=False,
           authenticator=lambda *a: AuthResult(success=True)).start()
print("ready", flush=True)
parent = os.getppid()
while os.getppid() == parent:  # the benchmark died: do not outlive it
    time.sleep(1)
"""


class Recorder:
    """An aiosmtpd server in its own process (in ours, it would fight the worker for the GIL on every
    SMTP round trip), writing each Message-ID it takes to a file."""

    def __init__(self, folder: Path):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = folder / "smtp-message-ids.txt"
        self.log.touch()
        self.process = subprocess.Popen([sys.executable, "-c", SMTP_SERVER, str(self.port), str(self.log)],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.process.stdout.readline()

    @property
    def ids(self) -> Counter:
        return Counter(line.strip() for line in self.log.read_text().splitlines() if line.strip())

    def stop(self):
        self.process.kill()
        self.process.wait()


def setup_people(n, prefix, seller, sequence, mailbox, now):
    """n people with an active enrollment due now, written in bulk (enrolling one by one is not what we time)."""
    from touchbase.crm.models import Person
    from touchbase.outreach.models import Enrollment

    people = Person.objects.bulk_create(
        [Person(first_name=f"P{prefix}{i}", last_name="Bench", email=f"p{prefix}{i}@bench{i % 500}.example",
                owner=seller) for i in range(n)], batch_size=2000)
    Enrollment.objects.bulk_create(
        [Enrollment(sequence=sequence, person=p, owner=seller, mailbox=mailbox, due_at=now) for p in people],
        batch_size=2000)


def make_world(port, name):
    from touchbase.accounts.models import User
    from touchbase.outreach import services

    seller = User.objects.filter(email="bench-seller@example.com").first() or User.objects.create_user(
        "bench-seller@example.com", first_name="Sam", last_name="Bench")
    mailbox = services.mailbox_save(actor=seller, email="bench-seller@example.com", smtp_host="127.0.0.1",
                                    smtp_port=port, smtp_security="none", username="bench", password="unused",
                                    daily_cap=0, hourly_cap=0, min_gap_seconds=0)
    from touchbase.outreach.models import Sequence

    existing = Sequence.objects.filter(name=name).first()
    if existing:  # a rerun on the same --home
        return seller, mailbox, existing
    sequence = services.sequence_create(actor=seller, name=name, window_start=clock(0, 0),
                                        window_end=clock(23, 59, 59), window_days="0,1,2,3,4,5,6")
    services.step_save(actor=seller, sequence=sequence, kind="email", subject="Reno picking",
                       body="Hi {first_name}, your Reno site opens soon. Worth 15 minutes Tuesday to compare notes "
                            "on picking, since we cut mispicks 30% at Bolt?\n\n{seller_first_name}")
    return seller, mailbox, sequence


def throughput(args, recorder, port):
    from django.utils import timezone

    from touchbase.outreach import worker

    seller, mailbox, sequence = make_world(port, "Bench throughput")
    now = timezone.now()
    setup_people(args.sends, "t", seller, sequence, mailbox, now)
    before = sum(recorder.ids.values())
    wall, cpu = time.perf_counter(), time.process_time()
    counts = worker.run_once(now=now, poll_every=timedelta(days=365))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    got = sum(recorder.ids.values()) - before
    print(f"throughput: {args.sends} due -> {counts['mail sent']} sent, {got} at the SMTP server in {wall:.1f} s "
          f"wall ({cpu:.1f} s CPU, {cpu / max(got, 1) * 1000:.1f} ms CPU/message) = {got / wall:.0f} messages/s  "
          f"[target: 10,000 under 60 s]")


def schedule(args, port):
    from django.db import connection
    from django.utils import timezone

    from touchbase.crm.models import Person
    from touchbase.outreach.models import Enrollment, EnrollmentStatus

    seller, mailbox, sequence = make_world(port, "Bench schedule")
    now = timezone.now()
    have = Enrollment.objects.count()
    people = list(Person.objects.values_list("pk", flat=True)[:5000])
    if not people:
        setup_people(5000, "s", seller, sequence, mailbox, now + timedelta(days=30))
        people = list(Person.objects.values_list("pk", flat=True)[:5000])
    rng = random.Random(args.seed)
    active_people = Person.objects.bulk_create(
        [Person(first_name=f"A{i}", email=f"a{i}@sched.example", owner=seller) for i in range(args.table // 100)],
        batch_size=5000)
    rows, made = [], 0
    start = time.perf_counter()
    for i in range(max(0, args.table - have)):
        if i < len(active_people):
            rows.append(Enrollment(sequence=sequence, person=active_people[i], owner=seller, mailbox=mailbox,
                                   due_at=now + timedelta(minutes=rng.randint(-600, 60 * 24 * 20))))
        else:
            rows.append(Enrollment(sequence=sequence, person_id=people[i % len(people)], owner=seller,
                                   mailbox=mailbox, status=rng.choice([EnrollmentStatus.FINISHED,
                                                                       EnrollmentStatus.REPLIED,
                                                                       EnrollmentStatus.STOPPED])))
        if len(rows) == 10_000:
            Enrollment.objects.bulk_create(rows)
            made += len(rows)
            rows = []
    Enrollment.objects.bulk_create(rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE outreach_enrollment")
    total = Enrollment.objects.count()
    print(f"schedule: {total:,} enrollments ({Enrollment.objects.filter(status='active').count():,} active), "
          f"built in {time.perf_counter() - start:.0f} s")
    due = Enrollment.objects.filter(status=EnrollmentStatus.ACTIVE, due_at__lte=now).order_by("due_at")
    query = due.values_list("pk", flat=True)[:200]
    timings = []
    for _ in range(50):
        t = time.perf_counter()
        list(query.all())  # a fresh queryset: .all() drops the cached rows of the last run
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    print(f"schedule: due-rows query (200 of {due.count():,} due) median {statistics.median(timings):.2f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.2f} ms  [target: under 10 ms]")
    print("schedule: plan:", " | ".join(str(line) for line in [query.explain()]))


def crash(args, recorder, port):
    from django.utils import timezone

    from touchbase.outreach import worker
    from touchbase.outreach.models import OutboxMessage

    seller, mailbox, sequence = make_world(port, "Bench crash")
    setup_people(args.crash_sends, "c", seller, sequence, mailbox, timezone.now())
    mine = OutboxMessage.objects.filter(enrollment__sequence=sequence)
    rng = random.Random(args.seed)
    env = dict(os.environ)
    command = [str(ROOT / ".venv/bin/touchbase"), "worker", "--poll-seconds", "0.2"]
    refused = 0
    for kill in range(args.kills):
        before = mine.filter(state="sent").count()
        procs = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                 for _ in range(args.workers)]
        # Kill mid-send, not mid-start-up: wait for the first sends (start-up takes seconds on a busy
        # machine), then a random moment more.
        deadline = time.monotonic() + 60
        while mine.filter(state="sent").count() == before and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 2.0))
        for p in procs:
            if p.poll() is not None and b"one worker runs at a time" in p.stderr.read():
                refused += 1
            p.send_signal(signal.SIGKILL)
            p.wait()
        sent = mine.filter(state="sent").count()
        print(f"crash: kill {kill + 1}/{args.kills}: {sent} marked sent so far", flush=True)
    kills_sent = mine.filter(state="sent").count()
    # Sends a dead worker left "sending" are settled once their lease ends: jump past it.
    later = timezone.now() + worker.SENDING_LEASE + timedelta(minutes=1)
    worker.run_once(now=later, poll_every=timedelta(days=365))
    states = Counter(mine.values_list("state", flat=True))
    ids = set(mine.values_list("message_id", flat=True))
    seen = {m: c for m, c in recorder.ids.items() if m in ids}
    twice = sum(1 for c in seen.values() if c > 1)
    unsure = set(mine.filter(state="unsure").values_list("message_id", flat=True))
    unsure_delivered = sum(1 for m in unsure if m in seen)
    lost = args.crash_sends - len(seen) - (len(unsure) - unsure_delivered)
    print(f"crash: {kills_sent} sent while workers were being killed, the rest by the clean round after")
    print(f"crash: {args.crash_sends} messages, {args.kills} SIGKILLs of {args.workers} worker(s)"
          f"{f' ({refused} refused to start)' if refused else ''}: states {dict(states)}")
    print(f"crash: at the SMTP server {len(seen)} Message-IDs, {twice} of them more than once; "
          f"{len(unsure)} held as unsure for the seller ({unsure_delivered} of those had gone); "
          f"lost {lost}  [target: 0 twice, 0 lost]")


def main():
    args = parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="touchbase-bench-outreach-"))
    os.environ["TOUCHBASE_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "touchbase.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    recorder = Recorder(home)
    port = recorder.port
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    try:
        parts = args.only.split(",")
        if "throughput" in parts:
            throughput(args, recorder, port)
        if "crash" in parts:
            crash(args, recorder, port)
        if "schedule" in parts:
            schedule(args, port)
    finally:
        recorder.stop()


if __name__ == "__main__":
    main()
