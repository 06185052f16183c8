"""touchbase worker [--once] [--poll-seconds N]: send due sequence steps and read replies, in a loop."""

import fcntl
import signal
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from touchbase.outreach import worker


class Command(BaseCommand):
    help = ("Send due sequence steps and read each mailbox's INBOX for replies, bounces and out-of-office notes. "
            "--once does everything due now and exits (for cron and tests).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One round, then exit.")
        parser.add_argument("--poll-seconds", type=float, default=60,
                            help="Seconds between rounds, and between two IMAP reads of a mailbox (default 60).")

    def handle(self, *args, **opts):
        lock = self._single_worker_on_sqlite()
        stop = {"now": False}

        def finish(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGTERM, finish)
        signal.signal(signal.SIGINT, finish)
        poll = timedelta(seconds=opts["poll_seconds"])
        try:
            while True:
                counts = worker.run_once(poll_every=poll)
                if counts or opts["once"]:
                    self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due")
                if opts["once"] or stop["now"]:
                    return
                slept = 0.0
                while slept < opts["poll_seconds"] and not stop["now"]:
                    time.sleep(min(1.0, opts["poll_seconds"]))
                    slept += 1.0
                if stop["now"]:
                    return
        finally:
            if lock:
                lock.close()

    def _single_worker_on_sqlite(self):
        # SQLite has one writer; two workers would only queue on its lock. PostgreSQL shares work by SKIP LOCKED.
        if connection.vendor != "sqlite":
            return None
        path = settings.TOUCHBASE_HOME / "worker.lock"
        lock = open(path, "a+")  # noqa: SIM115 - held open for the worker's life
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            lock.seek(0)
            raise CommandError(f"Another touchbase worker is running on this SQLite database ({lock.read().strip()}). "
                               "On SQLite one worker runs at a time; use PostgreSQL for several.") from exc
        lock.seek(0)
        lock.truncate()
        lock.write(f"pid {worker.worker_name()}")
        lock.flush()
        return lock
