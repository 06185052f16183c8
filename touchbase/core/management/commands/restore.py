"""touchbase restore PATH: replace the whole database with a backup made by `touchbase backup`."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from touchbase.core.backup import BackupError, database_restore


class Command(BaseCommand):
    help = ("Replace the whole database with the backup at PATH (made by `touchbase backup`). The file is "
            "checked first; a file that is not a touchbase backup is refused and nothing changes.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="A file written by `touchbase backup`.")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive",
                            help="Do not ask for confirmation at a terminal.")

    def handle(self, *args, **opts):
        # Only a person at a terminal is asked: scripts and cron have nobody to answer.
        confirm = _ask if opts["interactive"] and sys.stdin.isatty() else None
        try:
            report = database_restore(path=opts["path"], confirm=confirm)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"Cannot write the database: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Restored the {report.database} from {report.path}."))
        if report.pending_migrations:
            self.stdout.write(f"The backup is older than this touchbase: {report.pending_migrations} migrations "
                              f"are waiting. `touchbase serve` applies them, or run `touchbase migrate`.")


def _ask(what: str) -> bool:
    try:
        return input(f"{what}\nType 'yes' to restore: ").strip().lower() == "yes"
    except (EOFError, KeyboardInterrupt):
        return False
