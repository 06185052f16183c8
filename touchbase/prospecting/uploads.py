"""Importing a lead list from the web app: upload, preview with the proposed mapping, confirm, watch it run.

The same import as `touchbase import` (`services.leads_import`), in four steps:

1. `import_upload` stores the file under TOUCHBASE_HOME/imports/<job id>/ (never under the static
   root, so an upload is never served), refuses what is too big or not a lead list, and proposes a
   mapping (HubSpot, Salesforce and Pipedrive exports by their headers, anything else by similarity);
2. `import_preview` shows the first rows under that mapping; `import_remap` lets the seller change
   what each column holds (a company's column may fill a custom field, kept as `custom.<name>` just
   as a TOML mapping names it), or whether a row is a person or a company;
3. `import_start` queues the job and, once the request's transaction commits, starts
   `touchbase import-job <id>` as a detached process: a big file takes minutes, which no request
   should wait for, and a worker loop may not be running on a laptop;
4. `import_job_run` (that command) runs the import and records the report, the rejected rows
   CSV and any error on the job.

A runner can die (the server restarts, the machine runs out of memory, someone kills it). Its
transaction dies with it, so the database is as before; only the job row would say "running"
forever. `import_job_check` fails such a job, with why, when its process is gone or has shown
no sign of life for `STALE_AFTER`, and removes its half-written files; the seller then retries
(`import_retry`) or discards it (`import_discard`). `import_jobs_tidy` does that for every job and
removes the files of jobs that ended more than `UPLOADS_KEPT` ago; the worker runs it every round
and `touchbase import-job --tidy` runs it from cron.

Progress goes to a small file beside the upload, not to the job row: the import is one transaction,
so on SQLite it holds the only write lock until it ends (an UPDATE of the job from the same process
would wait for itself), and a row written inside that transaction would vanish with a failed import.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst, get_valid_filename

from . import selectors, services
from .files import BadFile, open_table
from .framework import CUSTOM_FIELD, MAX_CUSTOM_FIELDS
from .mapping import (
    COMPANY_FIELDS,
    CUSTOM_PREFIX,
    PEOPLE_FIELDS,
    Mapping,
    custom_name_for,
    missing_columns,
    resolve,
)
from .models import ImportJob, ImportStatus

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
# A running import writes its progress file after every chunk (seconds apart); the longest quiet
# stretch, rebuilding indexes and scoring after a million rows, takes about a minute.
STALE_AFTER = timedelta(minutes=10)
UPLOADS_KEPT = timedelta(days=7)
PREVIEW_ROWS = 10
FIELD_LABELS = {
    "email": "Email", "first_name": "First name", "last_name": "Last name", "full_name": "Full name",
    "phone": "Phone", "title": "Job title", "company": "Company", "website": "Website", "country": "Country",
    "name": "Company name", "domain": "Domain", "industry": "Industry", "employee_count": "Employees",
    "notes": "Notes", "willing_to_be_measured": "Willing to be measured", "tags": "Tags",
}
KINDS = {"people": "a person", "companies": "a company"}
# The preview's choice for "this column fills a custom field", named in the column's `custom-<index>` input.
CUSTOM_CHOICE = "custom"
CUSTOM_NAME_RULE = "a custom field name is lower-case letters, digits or _, e.g. crm_used"
_SOURCES = {"hubspot": "a HubSpot export", "salesforce": "a Salesforce export",
            "pipedrive": "a Pipedrive export", "similarity": "column names", "yours": "your choices"}


class ImportRefused(Exception):
    """An upload or a mapping the import cannot take, in a sentence the seller can act on."""

    def __init__(self, message: str, *, status: int = 400):
        self.message, self.status = message, status
        super().__init__(message)


def max_upload_bytes() -> int:
    return getattr(settings, "TOUCHBASE_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES)


def imports_root() -> Path:
    return Path(settings.TOUCHBASE_HOME) / "imports"


def too_big_message(size: int | None = None) -> str:
    limit = max_upload_bytes()
    said = f"The file is {size / 1_048_576:,.1f} MB; " if size else "The file is too big: "
    return (f"{said}a lead list can be at most {limit / 1_048_576:,.0f} MB here. Split it, or import it "
            "with `touchbase import FILE` on the server.")


def can_see(user, job: ImportJob) -> bool:
    """The seller who uploaded a list, and managers, see its job and its rejected rows."""
    return user.is_authenticated and (job.created_by_id == user.pk or user.is_manager)


def _ensure_can_see(user, job: ImportJob) -> None:
    if not can_see(user, job):
        raise PermissionDenied("Only the seller who uploaded this list, or a manager, can see its import.")


def _mapping_json(mapping: Mapping, table_format: str) -> dict:
    return {"kind": mapping.kind, "source": mapping.source, "columns": mapping.columns,
            "guessed": mapping.guessed, "format": table_format}


def job_mapping(job: ImportJob, header: list[str]) -> Mapping:
    data = job.mapping
    return Mapping(data["kind"], data["source"], {name: int(i) for name, i in data["columns"].items()}, header,
                   guessed=data.get("guessed", False))


def _count_lines(path: Path) -> int:
    count, last = 0, b"\n"
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _estimate_rows(path: Path, table) -> int:
    """Data rows the file holds, for the progress bar: lines less the header, or the sheet's rows."""
    if table.format == "xlsx":
        return max(table.progress()[1] - 1, 0)
    return max(_count_lines(path) - 1, 0)


def import_upload(*, actor, upload) -> ImportJob:
    """Store an uploaded lead list and propose its mapping; a file that is not a lead list leaves nothing behind.

    `upload` is a Django UploadedFile. Raises ImportRefused (too big) or BadFile (not a readable
    CSV/XLSX, empty, header only) with the file, row and column.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("Log in to import a lead list.")
    if upload.size is not None and upload.size > max_upload_bytes():
        raise ImportRefused(too_big_message(upload.size), status=413)
    job = ImportJob(created_by=actor, owner=actor, file_name=Path(upload.name or "leads.csv").name[:255])
    folder = imports_root() / str(job.public_id)
    folder.mkdir(parents=True, mode=0o700)
    try:
        path = folder / (get_valid_filename(job.file_name)[-100:] or "leads.csv")
        written = 0
        with open(path, "wb") as f:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > max_upload_bytes():
                    raise ImportRefused(too_big_message(), status=413)
                f.write(chunk)
        table = open_table(path)
        try:
            mapping = resolve(table.header, kind="auto", mapping="auto")
            if not list(islice(table.rows, 1)):
                raise BadFile(path, "the file has a header row but no data rows", row=2)
            job.total_estimate = _estimate_rows(path, table)
            table_format = table.format
        finally:
            table.close()
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job.path, job.kind = str(path), mapping.kind
    job.mapping = _mapping_json(mapping, table_format)
    job.save()
    return job


def field_label(name: str) -> str:
    """How the pages name a field a column holds: "Email", or "custom field crm_used"."""
    if name.startswith(CUSTOM_PREFIX):
        return f"custom field {name.removeprefix(CUSTOM_PREFIX)}"
    return FIELD_LABELS.get(name, name)


def posted_columns(data) -> dict[int, str]:
    """What the preview form says each column holds: column index -> field, "custom.<name>" or "" (left out).

    `data` is the POST: a `column-<index>` choice per column, and beside it the `custom-<index>` name
    that counts only when the choice is a custom field.
    """
    columns = {}
    for key, value in data.items():
        index = key.removeprefix("column-")
        if key.startswith("column-") and index.isdigit():
            if value == CUSTOM_CHOICE:
                value = CUSTOM_PREFIX + data.get(f"custom-{index}", "").strip()
            columns[int(index)] = value
    return columns


def mapped_columns(report: dict | None) -> list[tuple[str, str]]:
    """(header, what it filled) for each column an import read, for the job's report."""
    if not report:
        return []
    return [(header, field_label(name)) for name, header in report.get("columns", {}).items()]


@dataclass
class Column:
    index: int
    header: str
    field: str  # "" when the column is left out; "custom.<name>" for a custom field
    suggestion: str = ""  # the custom field name the header makes

    @property
    def is_custom(self) -> bool:
        return self.field.startswith(CUSTOM_PREFIX)

    @property
    def custom_name(self) -> str:
        """What the column's custom field name input shows: the name chosen, else the suggestion."""
        return self.field.removeprefix(CUSTOM_PREFIX) if self.is_custom else self.suggestion


@dataclass
class Preview:
    job: ImportJob
    kind: str
    source: str
    columns: list[Column]
    rows: list[list[str]]
    choices: list[tuple[str, str]]
    problem: str | None
    # Custom field names companies already have (most used first, with how many), for the name inputs.
    custom_names: list[tuple[str, int]]

    @property
    def offers_custom(self) -> bool:
        return self.kind == "companies"

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def source_label(self) -> str:
        return _SOURCES.get(self.source, self.source)


def import_preview(*, actor, job: ImportJob, rows: int = PREVIEW_ROWS,
                   posted: dict[int, str] | None = None) -> Preview:
    """The first rows of the file under the mapping the job holds, and what keeps it from importing.

    `posted` (column index -> field, as `posted_columns` reads the form) shows the columns as the seller
    chose them instead, so a refused choice comes back as typed, to be corrected.
    """
    _ensure_can_see(actor, job)
    table = open_table(job.path)
    try:
        first = [row for _number, row in islice(table.rows, rows)]
        header = table.header
    finally:
        table.close()
    mapping = job_mapping(job, header)
    by_index = {i: name for name, i in mapping.columns.items()} if posted is None else posted
    fields = PEOPLE_FIELDS if mapping.kind == "people" else COMPANY_FIELDS
    problem = missing_columns(mapping)
    companies = mapping.kind == "companies"
    return Preview(job=job, kind=mapping.kind, source=mapping.source,
                   columns=[Column(i, h, by_index.get(i, ""), custom_name_for(h) if companies else "")
                            for i, h in enumerate(header)], rows=first,
                   choices=[(name, FIELD_LABELS[name]) for name in fields],
                   problem=str(BadFile(job.file_name, problem, row=1)) if problem else None,
                   custom_names=selectors.custom_field_names_in_use() if companies else [])


def _ensure_can_change(actor, job: ImportJob) -> None:
    _ensure_can_see(actor, job)
    if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        raise ImportRefused("This list is being imported; its mapping can no longer change.", status=409)
    if job.status == ImportStatus.DONE and not job.check_only:
        raise ImportRefused("This list has been imported; upload it again to import it once more.", status=409)
    if job.status == ImportStatus.DISCARDED or job.files_removed_at:
        raise ImportRefused("This upload's file has been deleted; upload the list again.", status=410)


def import_remap(*, actor, job: ImportJob, kind: str, columns: dict[int, str],
                 overwrite: bool | None = None) -> ImportJob:
    """Change what the rows are (people or companies) or what each column holds.

    A new kind proposes a fresh mapping for it; otherwise `columns` (column index -> field, "" to
    leave a column out, "custom.<name>" for a company's custom field) replaces the mapping, each field
    used by one column at most. `overwrite`, when given, is kept as the choice the preview shows next.
    """
    _ensure_can_change(actor, job)
    if kind not in KINDS:
        raise ImportRefused(f"Each row is a person or a company, not {kind!r}.")
    table = open_table(job.path)
    header = table.header
    table.close()
    if kind != job.kind:
        mapping = resolve(header, kind=kind, mapping="auto")
    else:
        fields = PEOPLE_FIELDS if kind == "people" else COMPANY_FIELDS
        chosen: dict[str, int] = {}
        for index, name in sorted(columns.items()):
            if not name:
                continue
            if not 0 <= index < len(header):
                raise ImportRefused(f"The file has no column {index + 1}.")
            if name.startswith(CUSTOM_PREFIX):
                _check_custom(kind, header[index], name.removeprefix(CUSTOM_PREFIX))
            elif name not in fields:
                raise ImportRefused(f"{name!r} is not something {KINDS[kind]} has.")
            if name in chosen:
                raise ImportRefused(f"{capfirst(field_label(name))} is chosen for two columns, "
                                    f"{header[chosen[name]]!r} and {header[index]!r}; pick one.")
            chosen[name] = index
        custom = [name for name in chosen if name.startswith(CUSTOM_PREFIX)]
        if len(custom) > MAX_CUSTOM_FIELDS:
            raise ImportRefused(f"{len(custom)} columns fill custom fields; a company has at most "
                                f"{MAX_CUSTOM_FIELDS}.")
        before = job_mapping(job, header)
        mapping = before if chosen == before.columns else Mapping(kind, "yours", chosen, header)
    job.kind = mapping.kind
    job.mapping = _mapping_json(mapping, job.mapping.get("format", "csv"))
    if overwrite is not None:
        job.overwrite = overwrite
    job.save(update_fields=["kind", "mapping", "overwrite"])
    return job


def _check_custom(kind: str, header: str, name: str) -> None:
    if kind != "companies":
        raise ImportRefused(f"Column {header!r}: people have no custom fields; only a companies list fills them.")
    if not CUSTOM_FIELD.match(name):
        said = (f"; {name[:50]!r} is not one (it starts with a letter and has at most 40 characters)" if name
                else "; name the field")
        raise ImportRefused(f"Column {header!r}: {CUSTOM_NAME_RULE}{said}.")


def import_start(*, actor, job: ImportJob, owner=None, check_only: bool = False,
                 overwrite: bool = False) -> ImportJob:
    """Queue the import (or a check that writes nothing) and start it once this request commits.

    Sellers import as themselves; a manager may name another owner for the records created.
    `overwrite` is `touchbase import --overwrite`: records already in the database take the file's
    non-empty values (the importer's rules, owner included) instead of only having their empty fields filled.
    """
    _ensure_can_change(actor, job)
    if owner is not None and owner.pk != actor.pk and not actor.is_manager:
        raise PermissionDenied("Sellers import lead lists as themselves; a manager can choose another owner.")
    table = open_table(job.path)
    header = table.header
    table.close()
    problem = missing_columns(job_mapping(job, header))
    if problem:
        raise ImportRefused(str(BadFile(job.file_name, problem, row=1)))
    job.owner = owner or actor
    job.check_only, job.overwrite = check_only, overwrite
    job.status = ImportStatus.QUEUED
    job.rows_read, job.report, job.rejected_file, job.error = 0, None, "", ""
    job.queued_at, job.started_at, job.finished_at = timezone.now(), None, None
    job.save()
    _remove_half_state(job)
    public_id = job.public_id
    transaction.on_commit(lambda: _launch(public_id))
    return job


def _launch(public_id) -> None:
    """Run the job: as `touchbase import-job` in a detached process, or here (TOUCHBASE_IMPORT_RUNNER = "inline")."""
    how = getattr(settings, "TOUCHBASE_IMPORT_RUNNER", "subprocess")
    if how == "inline":
        import_job_run(public_id=public_id)
        return
    folder = imports_root() / str(public_id)
    # The child must find the same home (and so the same database) even when it came from a default.
    env = {**os.environ, "TOUCHBASE_HOME": str(settings.TOUCHBASE_HOME)}
    try:
        with open(folder / "run.log", "ab") as log:
            subprocess.Popen([sys.executable, "-m", "touchbase.cli", "import-job", str(public_id)],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True, close_fds=True)
    except OSError as exc:
        ImportJob.objects.filter(public_id=public_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            error=f"The import could not be started ({exc}). Nothing was imported.")


def _progress_path(job: ImportJob) -> Path:
    return Path(job.path).parent / "progress.json"


class _Progress:
    """The import's progress callback: rows read so far, written to the job's progress file."""

    def __init__(self, job: ImportJob):
        self.path, self.total = _progress_path(job), job.total_estimate
        self.by_bytes = job.mapping.get("format", "csv") == "csv"

    def __call__(self, done: int, total: int) -> None:
        if self.by_bytes:
            rows = round(self.total * done / total) if total else 0
        else:
            rows = max(done - 1, 0)
        self.write(min(rows, self.total))

    def write(self, rows: int) -> None:
        # The runner's pid and host let `import_job_check` see at once that it died; the file's
        # modification time is its heartbeat where the pid cannot be checked (another machine).
        partial = self.path.with_suffix(".part")
        partial.write_text(json.dumps({"rows_read": rows, "pid": os.getpid(), "host": socket.gethostname()}))
        os.replace(partial, self.path)


def import_progress(job: ImportJob) -> tuple[int, int]:
    """(rows read, rows expected) for the progress bar; both the exact count once the job is done."""
    if job.status == ImportStatus.DONE:
        return job.rows_read, job.rows_read
    rows = job.rows_read
    if job.status == ImportStatus.RUNNING:
        try:
            rows = json.loads(_progress_path(job).read_text())["rows_read"]
        except (OSError, ValueError, KeyError):
            rows = 0
    return rows, max(job.total_estimate, rows)


def import_job_run(*, public_id) -> ImportJob:
    """Run a queued import job to its end and record how it went. A job another runner took is left alone."""
    claimed = ImportJob.objects.filter(public_id=public_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now())
    job = ImportJob.objects.select_related("owner").get(public_id=public_id)
    if not claimed:
        return job
    progress = _Progress(job)
    progress.write(0)
    try:
        table = open_table(job.path)
        header = table.header
        table.close()
        report = services.leads_import(path=job.path, mapping=job_mapping(job, header), owner=job.owner,
                                       overwrite=job.overwrite, dry_run=job.check_only, on_progress=progress)
    except BadFile as exc:
        return _finish(job, ImportStatus.FAILED, error=f"{exc}. Nothing was imported.")
    except Exception as exc:
        _finish(job, ImportStatus.FAILED, error=f"The import stopped unexpectedly ({type(exc).__name__}: {exc}). "
                                                "Nothing was imported.")
        raise
    data = report.as_dict()
    data["file"] = job.file_name
    job.rejected_file = data.pop("rejected_file") or ""
    job.report, job.rows_read = data, report.rows
    return _finish(job, ImportStatus.DONE)


def _finish(job: ImportJob, status: str, *, error: str = "") -> ImportJob:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "report", "rows_read", "rejected_file"])
    return job


def _process_gone(pid: int) -> bool:
    """Whether process `pid` on this machine has ended (a zombie, ended but not yet waited for, has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def _stuck_reason(job: ImportJob, now: datetime) -> str | None:
    """Why a queued or running job is taken to be dead, or None while it may still be alive."""
    if job.status == ImportStatus.QUEUED:
        queued = job.queued_at or job.created_at
        if now - queued > STALE_AFTER:
            return f"The import never started (queued at {timezone.localtime(queued):%H:%M}, nothing ran it)"
        return None
    path = _progress_path(job)
    if not path.parent.is_dir():
        # Another machine's upload (a worker with a TOUCHBASE_HOME of its own): not ours to judge.
        return None
    try:
        beat = datetime.fromtimestamp(path.stat().st_mtime, tz=now.tzinfo)
        runner = json.loads(path.read_text())
    except (OSError, ValueError):
        beat, runner = job.started_at or job.created_at, {}
    pid = runner.get("pid") if isinstance(runner, dict) else None
    if isinstance(pid, int) and runner.get("host") == socket.gethostname() and _process_gone(pid):
        return f"The process running the import (pid {pid}) ended without finishing"
    if now - beat > STALE_AFTER:
        return f"The import showed no sign of life since {timezone.localtime(beat):%H:%M}; its process has stopped"
    return None


def _remove_half_state(job: ImportJob) -> None:
    """The progress file and any rejected rows from an earlier or a broken run."""
    folder, rejected = Path(job.path).parent, Path(f"{job.path}.rejected.csv")
    for path in (folder / "progress.json", folder / "progress.part", rejected, Path(f"{rejected}.part")):
        path.unlink(missing_ok=True)


def import_job_check(job: ImportJob, *, now: datetime | None = None) -> ImportJob:
    """Fail a queued or running job whose runner died, saying so, and remove its half-written files.

    The import is one transaction, so a dead runner left the database as it was: the job says so.
    A job still alive, or already ended, comes back as it is.
    """
    if job.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return job
    now = now or timezone.now()
    why = _stuck_reason(job, now)
    if why is None:
        return job
    nothing = "Nothing was saved" if job.check_only else "Nothing was imported"
    # Conditional, so a runner that finishes at this moment keeps its own ending.
    if ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportStatus.FAILED, finished_at=now,
            error=f"{why}. {nothing}: the database is as it was. Retry the import, or discard the file."):
        _remove_half_state(job)
    job.refresh_from_db()
    return job


def import_retry(*, actor, job: ImportJob) -> ImportJob:
    """Queue a failed import again, with the same file, columns, owner, check-only and overwrite choices."""
    _ensure_can_see(actor, job)
    job = import_job_check(job)
    if job.status != ImportStatus.FAILED:
        raise ImportRefused(f"Only a failed import can be retried; this one is {job.get_status_display().lower()}.",
                            status=409)
    if job.files_removed_at or not Path(job.path).is_file():
        raise ImportRefused("The uploaded file is no longer kept; upload the list again.", status=410)
    return import_start(actor=actor, job=job, owner=job.owner, check_only=job.check_only, overwrite=job.overwrite)


def _remove_files(job: ImportJob, now: datetime) -> None:
    folder = Path(job.path).parent if job.path else None
    # Only ever a job's own folder under the imports root, whatever `path` says.
    if folder is not None and folder.name == str(job.public_id) and folder.parent == imports_root():
        shutil.rmtree(folder, ignore_errors=True)
    job.files_removed_at = now


def import_discard(*, actor, job: ImportJob) -> ImportJob:
    """Give up on an upload that was not imported (never started, failed, or only checked): delete its files."""
    _ensure_can_see(actor, job)
    job = import_job_check(job)
    if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        raise ImportRefused("This list is being imported; it can be discarded once it ends.", status=409)
    if job.status == ImportStatus.DONE and not job.check_only:
        raise ImportRefused(f"This list has been imported; its file is removed {UPLOADS_KEPT.days} days after.",
                            status=409)
    now = timezone.now()
    _remove_files(job, now)
    job.status, job.finished_at = ImportStatus.DISCARDED, job.finished_at or now
    job.save(update_fields=["status", "finished_at", "files_removed_at"])
    return job


def import_jobs_tidy(*, now: datetime | None = None, keep: timedelta = UPLOADS_KEPT) -> dict[str, int]:
    """Fail the jobs whose runner died, and delete the files of jobs that ended (or were left unimported)
    longer than `keep` ago. Safe to run at any time and twice at once; returns what it did."""
    now = now or timezone.now()
    counts = {"import jobs failed as stuck": 0, "import uploads removed": 0}
    with_files = ImportJob.objects.filter(files_removed_at__isnull=True)
    for job in with_files.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]):
        if import_job_check(job, now=now).status == ImportStatus.FAILED:
            counts["import jobs failed as stuck"] += 1
    old = now - keep
    ended = Q(status__in=[ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.DISCARDED], finished_at__lt=old)
    for job in with_files.filter(ended | Q(status=ImportStatus.UPLOADED, created_at__lt=old)):
        _remove_files(job, now)
        changed = {"files_removed_at": now}
        if job.status == ImportStatus.UPLOADED:
            changed.update(status=ImportStatus.DISCARDED, finished_at=now,
                           error=f"Not imported within {keep.days} days; the file was removed.")
        if ImportJob.objects.filter(pk=job.pk, status=job.status, files_removed_at__isnull=True).update(**changed):
            counts["import uploads removed"] += 1
    known = {str(public_id) for public_id in ImportJob.objects.values_list("public_id", flat=True)}
    root = imports_root()
    # A folder no job names: an upload whose request died between storing the file and saving the job.
    for folder in root.iterdir() if root.is_dir() else ():
        if folder.is_dir() and folder.name not in known and folder.stat().st_mtime < old.timestamp():
            shutil.rmtree(folder, ignore_errors=True)
            counts["import uploads removed"] += 1
    return counts


def rejected_rows_file(*, actor, job: ImportJob) -> Path | None:
    """The CSV of the rows the import refused, with why, for the seller who uploaded the list or a manager."""
    _ensure_can_see(actor, job)
    if not job.rejected_file:
        return None
    path = Path(job.rejected_file)
    return path if path.is_file() else None


def recent_jobs(*, actor, limit: int = 10):
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")
    if not actor.is_manager:
        jobs = jobs.filter(created_by=actor)
    return [import_job_check(job) for job in jobs[:limit]]
