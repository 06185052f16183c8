"""touchbase worker [--once] [--poll-seconds N] [--no-idle]: send due sequence steps and read replies, in a loop."""

import fcntl
import signal
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from touchbase.outreach import idle, worker


class Command(BaseCommand):
    help = ("Send due sequence steps and read each mailbox's INBOX for replies, bounces and out-of-office notes. "
            "--once does everything due now and exits (for cron and tests).")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One round, then exit.")
        parser.add_argument("--poll-seconds", type=float, default=60,
                            help="Seconds between rounds, and between two IMAP reads of a mailbox (default 60). "
                                 "Mailboxes whose server offers IMAP IDLE are also read the moment mail arrives.")
        parser.add_argument("--no-idle", action="store_true",
                            help="Poll only: no IMAP IDLE connection per mailbox.")

    def handle(self, *args, **opts):
        lock = self._single_worker_on_sqlite()
        poll = timedelta(seconds=opts["poll_seconds"])
        try:
            if opts["once"]:
                self._report(worker.run_once(poll_every=poll), always=True)
                return
            stop = {"now": False}

            def finish(signum, frame):
                stop["now"] = True

            signal.signal(signal.SIGTERM, finish)
            signal.signal(signal.SIGINT, finish)
            worker.run_forever(poll_every=poll, stop=lambda: stop["now"], report=self._report,
                               watchers=None if opts["no_idle"] else idle.Watchers())
        finally:
            if lock:
                lock.close()

    def _report(self, counts, always=False):
        if counts or always:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due")

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
