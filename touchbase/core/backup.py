"""Backing up and restoring the whole touchbase database, online and verified.

SQLite: the sqlite3 backup API copies a consistent snapshot while the web
process and the workers keep writing; a restore copies the backup back through
the same API, which writes the live database inside one SQLite transaction, so
other processes see either the old data or the restored data, never a mix.
PostgreSQL: `pg_dump --format=custom` and `pg_restore --single-transaction`.

Every backup is checked before it lands at its path, and every restore checks
the file before it touches the database: a file that is not a touchbase backup
is refused and nothing changes.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# What makes a database a touchbase database. A fixed list, not today's models:
# a backup from an older touchbase must still restore (serve then migrates it).
FOUNDATION_TABLES = frozenset({"django_migrations", "accounts_user", "crm_company", "crm_person", "crm_deal",
                               "crm_stage", "crm_touch", "crm_task"})


class BackupError(Exception):
    """A backup or restore that could not be done; the message says what and where, and what to do."""


@dataclass(frozen=True)
class BackupReport:
    engine: str
    database: str
    path: Path
    size_bytes: int
    tables: int


@dataclass(frozen=True)
class RestoreReport:
    engine: str
    database: str
    path: Path
    tables: int
    pending_migrations: int


def database_backup(*, path: str | Path, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> BackupReport:
    """Copy the live database to `path`, verify the copy, and only then put it at `path`."""
    path = Path(path).expanduser().absolute()
    _check_target(path, force=force)
    connection = connections[using]
    partial = _partial_path(path)
    try:
        if connection.vendor == "sqlite":
            _sqlite_copy(source=_sqlite_name(connection), target=str(partial), self_contained=True)
            tables = _sqlite_verify(partial)
        elif connection.vendor == "postgresql":
            _run(_pg_command("pg_dump", connection.settings_dict, "--format=custom", f"--file={partial}"),
                 connection.settings_dict, what=f"pg_dump of the database {connection.settings_dict['NAME']}")
            tables = _pg_verify(partial)
        else:
            raise BackupError(f"touchbase cannot back up a {connection.vendor} database; use SQLite or PostgreSQL.")
        _move_into_place(partial, path, force=force)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(engine=connection.vendor, database=_describe(connection), path=path,
                        size_bytes=path.stat().st_size, tables=tables)


def database_restore(*, path: str | Path, using: str = DEFAULT_DB_ALIAS,
                     confirm: Callable[[str], bool] | None = None) -> RestoreReport:
    """Replace the whole database with the backup at `path`, after checking it is a touchbase backup.

    `confirm`, if given, is asked once the backup has passed its checks and before anything is
    written, with a sentence saying what will be replaced; a False answer changes nothing.
    """
    path = Path(path).expanduser().absolute()
    connection = connections[using]
    _check_source(path, vendor=connection.vendor)

    def confirmed() -> None:
        if confirm is not None and not confirm(f"This replaces ALL the data in the {_describe(connection)} "
                                               f"with the backup {path}."):
            raise BackupError("Restore cancelled; nothing was changed.")

    if connection.vendor == "sqlite":
        live = _sqlite_name(connection)
        # Copy first: the copy is what gets verified and restored, so a file that
        # changes under us cannot slip past the check. It goes beside the database,
        # which has room for one more of it; /tmp is often a small RAM disk.
        beside = None if live.startswith("file:") or live == ":memory:" else Path(live).parent
        if beside is not None:
            beside.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".touchbase-restore-", dir=beside) as scratch:
            checked = Path(scratch) / "backup.sqlite3"
            try:
                _sqlite_copy(source=_readonly_uri(path), target=str(checked), self_contained=True)
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{path} is not a touchbase backup: SQLite cannot read it ({exc}). "
                                  f"Nothing was changed.") from exc
            tables = _sqlite_verify(checked, original=path)
            if _sqlite_journal_mode(live) == "wal":
                # Page one carries the journal mode: copied over as is, it would take the
                # live database out of WAL under the feet of the processes using it.
                _sqlite_set_journal_mode(checked, "wal")
            confirmed()
            # Our own connection must not hold a read lock while the restore writes.
            connection.close()
            _sqlite_copy(source=str(checked), target=live, self_contained=False)
    elif connection.vendor == "postgresql":
        tables = _pg_verify(path)
        confirmed()
        connection.close()
        _run(_pg_command("pg_restore", connection.settings_dict, "--clean", "--if-exists", "--no-owner",
                         "--single-transaction", "--exit-on-error", str(path)),
             connection.settings_dict, what=f"pg_restore into the database {connection.settings_dict['NAME']} "
                                            f"(rolled back: nothing was changed)")
    else:
        raise BackupError(f"touchbase cannot restore into a {connection.vendor} database; use SQLite or PostgreSQL.")
    # Content types are cached per process; their ids may differ in the restored data.
    ContentType.objects.clear_cache()
    return RestoreReport(engine=connection.vendor, database=_describe(connection), path=path, tables=tables,
                         pending_migrations=_pending_migrations(connection))


def _check_target(path: Path, *, force: bool) -> None:
    if path.is_dir():
        raise BackupError(f"{path} is a folder; give a file name, such as {path / 'touchbase.backup'}.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist; create it first or choose another path.")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose another path, or add --force to overwrite it.")


def _check_source(path: Path, *, vendor: str) -> None:
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file. Nothing was changed.")
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if vendor == "sqlite" and head.startswith(PG_CUSTOM_MAGIC):
        raise BackupError(f"{path} is a PostgreSQL backup, but this touchbase runs on SQLite. Restore it with "
                          f"DATABASE_URL set to the PostgreSQL database. Nothing was changed.")
    if vendor == "postgresql" and head == SQLITE_MAGIC:
        raise BackupError(f"{path} is an SQLite backup, but this touchbase runs on PostgreSQL. Restore it with "
                          f"DATABASE_URL unset (SQLite). Nothing was changed.")


def _partial_path(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(fd)
    return Path(name)


def _move_into_place(partial: Path, path: Path, *, force: bool) -> None:
    if force:
        os.replace(partial, path)
        return
    try:
        # A hard link never overwrites: a file that appeared meanwhile is kept.
        os.link(partial, path)
    except FileExistsError as exc:
        raise BackupError(f"{path} appeared while the backup ran; add --force to overwrite it.") from exc
    except OSError:
        # Some filesystems (FAT on a USB stick, SMB shares) have no hard links.
        if path.exists():
            raise BackupError(f"{path} appeared while the backup ran; add --force to overwrite it.") from None
        os.replace(partial, path)


def _describe(connection) -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        host = connection.settings_dict.get("HOST") or "localhost"
        return f"PostgreSQL database {name} on {host}"
    return f"SQLite database {name}"


def _sqlite_name(connection) -> str:
    return str(connection.settings_dict["NAME"])


def _sqlite_connect(name: str) -> sqlite3.Connection:
    # Test databases are shared in-memory URIs ("file:memorydb_default?mode=memory&cache=shared");
    # uri=True reads those and treats a plain path as a plain path.
    return sqlite3.connect(name, uri=True, timeout=30, isolation_level=None)


def _readonly_uri(path: Path) -> str:
    return f"{path.as_uri()}?mode=ro"


def _sqlite_copy(*, source: str, target: str, self_contained: bool) -> None:
    """Copy one SQLite database into another with the backup API (a consistent snapshot of a live source)."""
    src = _sqlite_connect(source)
    try:
        dst = _sqlite_connect(target)
        try:
            src.backup(dst)
            if self_contained:
                # A backup is one file: no -wal or -shm beside it to lose on the way.
                dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def _sqlite_journal_mode(name: str) -> str:
    db = _sqlite_connect(name)
    try:
        return db.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        db.close()


def _sqlite_set_journal_mode(path: Path, mode: str) -> None:
    db = _sqlite_connect(str(path))
    try:
        db.execute(f"PRAGMA journal_mode={mode}")
    finally:
        db.close()


def _sqlite_verify(path: Path, *, original: Path | None = None) -> int:
    """Check an SQLite copy: intact, and holding touchbase's tables. Returns how many tables it has."""
    shown = original or path
    try:
        db = sqlite3.connect(_readonly_uri(path), uri=True)
        try:
            problems = [row[0] for row in db.execute("PRAGMA integrity_check")]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{shown} is not a touchbase backup: SQLite cannot read it ({exc}). "
                          f"Nothing was changed.") from exc
    if problems != ["ok"]:
        raise BackupError(f"{shown} is damaged (integrity check: {'; '.join(problems[:3])}). Nothing was changed.")
    _require_core_tables(shown, tables)
    return len(tables)


def _require_core_tables(path: Path, tables: set[str]) -> None:
    missing = sorted(FOUNDATION_TABLES - tables)
    if missing:
        raise BackupError(f"{path} is not a touchbase backup: it lacks the tables {', '.join(missing)}. "
                          f"Nothing was changed.")


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} was not found on PATH. Install the PostgreSQL client tools, the server's major "
                          f"version or newer (Debian/Ubuntu: sudo apt-get install postgresql-client).")
    return tool


def _pg_command(tool: str, settings_dict: dict, *args: str) -> list[str]:
    command = [_pg_tool(tool), "--no-password"]
    if settings_dict.get("HOST"):
        command.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        command.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("USER"):
        command.append(f"--username={settings_dict['USER']}")
    command.append(f"--dbname={settings_dict['NAME']}")
    return [*command, *args]


def _pg_environment(settings_dict: dict) -> dict[str, str]:
    env = dict(os.environ)
    # The password goes through the environment: on the command line every user of the machine could read it.
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run(command: list[str], settings_dict: dict, *, what: str) -> str:
    result = subprocess.run(command, env=_pg_environment(settings_dict), capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    return result.stdout


def _pg_verify(path: Path) -> int:
    """Check a pg_dump archive: pg_restore can read its table of contents and it holds touchbase's tables."""
    result = subprocess.run([_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        detail = result.stderr.strip().removeprefix("pg_restore: error: ")
        raise BackupError(f"{path} is not a touchbase backup: pg_restore cannot read it ({detail}). "
                          f"Nothing was changed.")
    # A table entry reads "215; 1259 16390 TABLE public crm_company postgres"
    # (its rows are a separate "TABLE DATA" entry).
    tables = set()
    for line in result.stdout.splitlines():
        words = line.split()
        if len(words) >= 6 and words[3] == "TABLE" and words[4] != "DATA":
            tables.add(words[5])
    _require_core_tables(path, tables)
    return len(tables)


def _pending_migrations(connection) -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
