"""`touchbase import FILE`: import a CSV or XLSX lead list into companies or people, and tier them."""

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from touchbase.accounts.models import User
from touchbase.prospecting.files import BadFile
from touchbase.prospecting.services import leads_import


class Command(BaseCommand):
    help = ("Import a lead list (CSV or XLSX) into companies or people, deduplicated against the database, "
            "and score every company it touches. All or nothing: a bad file changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .csv or .xlsx file")
        parser.add_argument("--kind", choices=["companies", "people", "auto"], default="auto",
                            help="what one row is (default: decided from the headers)")
        parser.add_argument("--mapping", default="auto",
                            help="auto, hubspot, salesforce, pipedrive, or a .toml file naming the columns")
        parser.add_argument("--owner", metavar="EMAIL", help="the user who owns the records created")
        parser.add_argument("--dry-run", action="store_true", help="do everything, report it, then roll back")
        parser.add_argument("--overwrite", action="store_true",
                            help="replace existing values with the file's (default: only fill empty fields; "
                                 "tags are always added)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, file, kind, mapping, owner, dry_run, overwrite, json: bool, **options):
        owner_user = None
        if owner:
            owner_user = User.objects.filter(email=owner.strip().lower(), is_active=True).first()
            if owner_user is None:
                raise CommandError(f"--owner {owner}: there is no active user with that email")
        console = Console(stderr=True)
        progress = Progress(TextColumn("importing {task.fields[name]}"), BarColumn(), TaskProgressColumn(),
                            TimeElapsedColumn(), console=console, transient=True,
                            disable=not console.is_terminal)
        with progress:
            task = progress.add_task("import", total=None, name=file)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total or None)

            try:
                report = leads_import(path=file, kind=kind, mapping=mapping, owner=owner_user,
                                      overwrite=overwrite, dry_run=dry_run, on_progress=on_progress)
            except BadFile as exc:
                raise CommandError(f"{exc}. Nothing was imported.") from None
        if json:
            self.stdout.write(_json_dumps(report.as_dict()))
            return
        self.stdout.write(_text(report))


def _json_dumps(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def _text(report) -> str:
    lines = [
        f"{report.file}: {report.rows:,} {report.kind} rows read ({report.format}, {report.encoding}, "
        f"mapping: {report.mapping})" + (" -- dry run, nothing was saved" if report.dry_run else ""),
        f"  created   {report.created:>10,}",
        f"  updated   {report.updated:>10,}",
        f"  unchanged {report.unchanged:>10,}",
        f"  rejected  {report.rejected:>10,}",
    ]
    if report.kind == "people":
        lines.append(f"  companies created for them: {report.companies_created:,}")
    if report.tiers:
        lines.append("  companies scored: " + ", ".join(f"{n:,} {tier}" for tier, n in report.tiers.items()))
    lines.append("  columns: " + ", ".join(f"{header} -> {field}" for field, header in report.columns.items()))
    if report.ignored_columns:
        lines.append("  ignored columns: " + ", ".join(report.ignored_columns))
    if report.rejected_file:
        lines.append(f"  rejected rows and why: {report.rejected_file}")
    return "\n".join(lines)
