"""`touchbase backup` and `touchbase restore`: an online, verified copy that gives back the same data.

Each test runs on the engine of the run (SQLite, or PostgreSQL when
DATABASE_URL says so). They commit for real (transactional_db): a backup is
taken by another connection (sqlite3's own, or pg_dump), which sees only
committed rows.
"""

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from conftest import PASSWORD
from touchbase.accounts.models import User
from touchbase.core.backup import BackupError, database_restore
from touchbase.crm import services
from touchbase.crm.models import Company, Deal, Person, StageChange, Task, Touch, TouchKind

# serialized_rollback: the flush after each test would otherwise also wipe the
# default pipeline that a migration created, which the fixtures need.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

on_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite runs only")
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL runs only")


def backup(path, *args) -> str:
    out = io.StringIO()
    call_command("backup", str(path), *args, stdout=out)
    return out.getvalue()


def restore(path) -> str:
    out = io.StringIO()
    call_command("restore", str(path), stdout=out)
    return out.getvalue()


def company_names() -> list[str]:
    return sorted(Company.objects.values_list("name", flat=True))


def test_a_restore_gives_back_the_data_as_it_was_at_the_backup(tmp_path, sam, acme, dana, sams_deal, stages):
    services.touch_log(actor=sam, kind=TouchKind.CALL, summary="Intro call with Dana", person=dana, deal=sams_deal)
    services.task_create(actor=sam, title="Send the pilot proposal", deal=sams_deal)
    path = tmp_path / "touchbase.backup"
    assert "Backed up the" in backup(path)

    services.company_update(actor=sam, company=acme, name="Acme (renamed after the backup)")
    services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Demo"], override_reason="skip ahead")
    Touch.objects.all().delete()
    services.company_create(actor=sam, name="Made after the backup")

    assert "Restored the" in restore(path)

    assert company_names() == ["Acme Robotics"]
    deal = Deal.objects.get(pk=sams_deal.pk)
    assert (deal.title, deal.stage, deal.amount_minor, deal.currency, deal.version) == (
        "Acme pilot", stages["Qualify"], 2_400_000, "USD", 1)
    assert StageChange.objects.filter(deal=deal).count() == 1
    assert Touch.objects.get().summary == "Intro call with Dana"
    assert Person.objects.get(pk=dana.pk).touch_count == 1
    assert Task.objects.get().title == "Send the pilot proposal"
    assert User.objects.get(email="sam@example.com").check_password(PASSWORD)


def test_new_records_after_a_restore_get_fresh_ids(tmp_path, sam, acme):
    path = tmp_path / "touchbase.backup"
    backup(path)
    services.company_create(actor=sam, name="Made after the backup")
    restore(path)
    # The id counters come back with the rows, so the next record cannot collide with a restored one.
    beta = services.company_create(actor=sam, name="Beta Logistics")
    assert company_names() == ["Acme Robotics", "Beta Logistics"]
    assert beta.pk > acme.pk


def test_an_existing_file_is_not_overwritten_without_force(tmp_path, acme):
    path = tmp_path / "touchbase.backup"
    path.write_text("last week's backup")
    with pytest.raises(CommandError, match=r"already exists.*--force"):
        backup(path)
    assert path.read_text() == "last week's backup"
    assert not [p.name for p in tmp_path.iterdir() if p != path], "a refused backup leaves no partial file"

    backup(path, "--force")
    assert path.read_bytes() != b"last week's backup"


def test_a_backup_into_a_missing_folder_says_which_folder(tmp_path, acme):
    with pytest.raises(CommandError, match=rf"folder {tmp_path / 'nope'} does not exist"):
        backup(tmp_path / "nope" / "touchbase.backup")


def test_a_backup_file_is_readable_by_its_owner_only(tmp_path, acme):
    path = tmp_path / "touchbase.backup"
    backup(path)
    assert path.stat().st_mode & 0o777 == 0o600


def _sqlite_of_something_else(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE recipes (name TEXT)")
    db.commit()
    db.close()


def _postgresql_dump_of_something_else(path: Path) -> None:
    db = connection.settings_dict
    subprocess.run(["pg_dump", "--format=custom", f"--file={path}", "--no-password", f"--host={db['HOST']}",
                    f"--port={db['PORT']}", f"--username={db['USER']}", "--dbname=postgres"], check=True)


def _truncated_backup(path: Path) -> None:
    whole = path.with_suffix(".whole")
    backup(whole)
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


@pytest.mark.parametrize("make_file, message", [
    (lambda path: path.write_text("name,email\nDana,dana@acme.example\n"), "not a touchbase backup"),
    (lambda path: path.write_bytes(b""), "not a touchbase backup"),
    (lambda path: (_sqlite_of_something_else if connection.vendor == "sqlite"
                   else _postgresql_dump_of_something_else)(path), "lacks the tables"),
    (_truncated_backup, "damaged|cannot read|rolled back"),
], ids=["a CSV file", "an empty file", "another program's database", "a truncated backup"])
def test_a_file_that_is_not_a_touchbase_backup_is_refused_and_nothing_changes(tmp_path, sam, acme, make_file,
                                                                               message):
    path = tmp_path / "suspect.backup"
    make_file(path)
    services.company_create(actor=sam, name="Beta Logistics")

    with pytest.raises(CommandError, match=message) as refused:
        restore(path)

    assert "Nothing was changed" in str(refused.value) or "rolled back" in str(refused.value)
    assert str(path) in str(refused.value) or "pg_restore" in str(refused.value)
    assert company_names() == ["Acme Robotics", "Beta Logistics"]


def test_a_missing_file_is_refused_by_name(tmp_path, acme):
    with pytest.raises(CommandError, match=rf"{tmp_path / 'nope.backup'} does not exist"):
        restore(tmp_path / "nope.backup")
    assert company_names() == ["Acme Robotics"]


def test_a_backup_from_the_other_engine_is_refused_with_the_reason(tmp_path, acme):
    path = tmp_path / "other-engine.backup"
    if connection.vendor == "sqlite":
        path.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 100)
        expected = "is a PostgreSQL backup, but this touchbase runs on SQLite"
    else:
        path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
        expected = "is an SQLite backup, but this touchbase runs on PostgreSQL"
    with pytest.raises(CommandError, match=expected):
        restore(path)
    assert company_names() == ["Acme Robotics"]


@on_postgresql
def test_without_pg_dump_the_backup_says_what_to_install(tmp_path, acme, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match=r"pg_dump was not found on PATH.*postgresql-client"):
        backup(tmp_path / "touchbase.backup")


@on_postgresql
def test_a_postgresql_backup_is_taken_while_another_session_is_writing(tmp_path, acme):
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as writer:
        writer.execute("UPDATE crm_company SET name = 'half-way through an edit'")  # not committed
        path = tmp_path / "touchbase.backup"
        backup(path)
        writer.rollback()
    rows = subprocess.run(["pg_restore", "--data-only", "--table=crm_company", "--file=-", str(path)],
                          capture_output=True, text=True, check=True).stdout
    assert "Acme Robotics" in rows
    assert "half-way" not in rows


@pytest.fixture
def sqlite_home(tmp_path):
    """A migrated TOUCHBASE_HOME on SQLite, and a way to run the console script on it."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    env["TOUCHBASE_HOME"] = str(tmp_path / "home")
    script = str(Path(sys.executable).parent / "touchbase")

    def touchbase(*args):
        return subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=120)

    assert touchbase("migrate", "--verbosity=0").returncode == 0
    return tmp_path / "home" / "touchbase.sqlite3", touchbase


@on_sqlite
def test_an_sqlite_backup_is_taken_while_another_process_is_writing(tmp_path, sqlite_home):
    """The real thing: a WAL database file, a writer holding its transaction open, and the backup command."""
    database, touchbase = sqlite_home
    live = sqlite3.connect(database, isolation_level=None)
    live.execute("INSERT INTO crm_pipeline (name, is_default) VALUES ('Committed', 0)")
    live.execute("BEGIN IMMEDIATE")
    live.execute("INSERT INTO crm_pipeline (name, is_default) VALUES ('Not yet committed', 0)")

    done = touchbase("backup", str(tmp_path / "touchbase.backup"))
    live.execute("COMMIT")
    live.close()

    assert done.returncode == 0, done.stderr
    copy = sqlite3.connect(tmp_path / "touchbase.backup")
    names = {name for (name,) in copy.execute("SELECT name FROM crm_pipeline")}
    assert "Committed" in names
    assert "Not yet committed" not in names
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",), "a backup is one self-contained file"


@on_sqlite
def test_an_sqlite_restore_keeps_the_live_database_in_wal_mode(tmp_path, sqlite_home):
    database, touchbase = sqlite_home
    assert touchbase("backup", str(tmp_path / "touchbase.backup")).returncode == 0
    with sqlite3.connect(database) as web:
        web.execute("INSERT INTO crm_pipeline (name, is_default) VALUES ('After the backup', 0)")
    web.close()

    done = touchbase("restore", str(tmp_path / "touchbase.backup"))

    assert done.returncode == 0, done.stderr
    web = sqlite3.connect(database, isolation_level=None)
    assert web.execute("PRAGMA journal_mode").fetchone() == ("wal",), "readers and the writer would block each other"
    assert "After the backup" not in {name for (name,) in web.execute("SELECT name FROM crm_pipeline")}
    assert web.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@on_sqlite
def test_an_sqlite_restore_reaches_a_process_that_has_the_database_open(tmp_path, sqlite_home):
    database, touchbase = sqlite_home
    assert touchbase("backup", str(tmp_path / "touchbase.backup")).returncode == 0
    web = sqlite3.connect(database, isolation_level=None)  # like a running `touchbase serve`
    web.execute("INSERT INTO crm_pipeline (name, is_default) VALUES ('After the backup', 0)")

    done = touchbase("restore", str(tmp_path / "touchbase.backup"))

    assert done.returncode == 0, done.stderr
    assert "After the backup" not in {name for (name,) in web.execute("SELECT name FROM crm_pipeline")}
    web.execute("INSERT INTO crm_pipeline (name, is_default) VALUES ('After the restore', 0)")
    assert web.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_restore_asks_before_it_replaces_anything_and_a_no_changes_nothing(tmp_path, sam, acme):
    path = tmp_path / "touchbase.backup"
    backup(path)
    services.company_create(actor=sam, name="Beta Logistics")
    questions = []

    def say_no(question):
        questions.append(question)
        return False

    with pytest.raises(BackupError, match="Restore cancelled; nothing was changed"):
        database_restore(path=path, confirm=say_no)

    assert questions == [f"This replaces ALL the data in the {describe()} with the backup {path}."]
    assert company_names() == ["Acme Robotics", "Beta Logistics"]
    database_restore(path=path, confirm=lambda question: True)
    assert company_names() == ["Acme Robotics"]


def test_a_bad_file_is_refused_before_anyone_is_asked(tmp_path, acme):
    path = tmp_path / "notes.txt"
    path.write_text("not a backup")
    asked = []
    with pytest.raises(BackupError, match="not a touchbase backup"):
        database_restore(path=path, confirm=asked.append)
    assert asked == []


def describe() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"SQLite database {db['NAME']}"
    return f"PostgreSQL database {db['NAME']} on {db['HOST']}"


@on_sqlite
def test_a_backup_restores_on_a_new_machine_with_no_database_yet(tmp_path, sqlite_home):
    database, touchbase = sqlite_home
    with sqlite3.connect(database) as db:
        db.execute("INSERT INTO crm_pipeline (name, is_default) VALUES ('Enterprise', 0)")
    db.close()
    assert touchbase("backup", str(tmp_path / "touchbase.backup")).returncode == 0
    new_home = tmp_path / "new-machine"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG"}}
    env["TOUCHBASE_HOME"] = str(new_home)

    done = subprocess.run([str(Path(sys.executable).parent / "touchbase"), "restore", "--no-input",
                           str(tmp_path / "touchbase.backup")], env=env, capture_output=True, text=True)

    assert done.returncode == 0, done.stderr
    restored = sqlite3.connect(new_home / "touchbase.sqlite3")
    assert ("Enterprise",) in restored.execute("SELECT name FROM crm_pipeline").fetchall()
