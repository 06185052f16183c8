"""touchbase backup PATH: an online, verified copy of the whole database."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from touchbase.core.backup import BackupError, database_backup


class Command(BaseCommand):
    help = ("Copy the whole database to PATH while touchbase keeps running (SQLite backup API, or pg_dump on "
            "PostgreSQL), then check the copy. Refuses to overwrite PATH unless --force.")

    def add_arguments(self, parser):
        parser.add_argument("path", help="The file to write, e.g. backups/touchbase-2025-01-31.backup")
        parser.add_argument("--force", action="store_true", help="Overwrite PATH if it exists.")

    def handle(self, *args, **opts):
        try:
            report = database_backup(path=opts["path"], force=opts["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"Cannot read the database: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(
            f"Backed up the {report.database} to {report.path} ({_size(report.size_bytes)}; "
            f"checked: {report.tables} tables)."))


def _size(n: float) -> str:
    if n < 1024:
        return f"{n:.0f} bytes"
    for unit in ("KB", "MB"):
        n /= 1024
        if n < 1024:
            return f"{n:.1f} {unit}"
    return f"{n / 1024:.1f} GB"
