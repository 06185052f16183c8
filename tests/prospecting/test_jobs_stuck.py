"""Web imports whose process died: seen as failed with why, retried or discarded; old uploads deleted."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from touchbase.crm.models import Person
from touchbase.prospecting import uploads
from touchbase.prospecting.models import ImportJob, ImportStatus

HEADER = ["First Name", "Last Name", "Email", "Company"]
ROWS = [["Dana", "Reyes", "dana@acme.example", "Acme"], ["Kim", "Park", "kim@beta.example", "Beta"],
        ["", "", "not-an-email", ""]]


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    settings.TOUCHBASE_HOME = tmp_path / "home"
    settings.TOUCHBASE_IMPORT_RUNNER = "inline"


def csv_bytes(rows) -> bytes:
    return "".join(",".join(row) + "\r\n" for row in rows).encode()


def queued_job(seller) -> ImportJob:
    job = uploads.import_upload(actor=seller, upload=SimpleUploadedFile("leads.csv", csv_bytes([HEADER, *ROWS])))
    return uploads.import_start(actor=seller, job=job)


def as_if_running(job, *, pid: int, host: str | None = None, quiet_for: timedelta = timedelta(0)) -> ImportJob:
    """What a runner leaves behind mid-import: the job claimed, its progress file, half-written rejects."""
    started = timezone.now() - quiet_for - timedelta(seconds=5)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, started_at=started)
    folder = Path(job.path).parent
    progress = folder / "progress.json"
    progress.write_text(json.dumps({"rows_read": 2, "pid": pid, "host": host or os.uname().nodename}))
    beat = time.time() - quiet_for.total_seconds()
    os.utime(progress, (beat, beat))
    Path(f"{job.path}.rejected.csv.part").write_text("row,reason\n3,half written\n")
    job.refresh_from_db()
    return job


def ended_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_job_whose_process_died_shows_as_failed_with_why_and_its_half_state_is_removed(client_for, sam):
    job = as_if_running(queued_job(sam), pid=ended_pid())
    page = client_for(sam).get(reverse("prospecting:import_job", args=[job.public_id])).content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert "ended without finishing. Nothing was imported: the database is as it was." in job.error
    assert escape(job.error) in page and 'id="import-failed-actions"' in page and "hx-trigger" not in page
    folder = Path(job.path).parent
    assert sorted(p.name for p in folder.iterdir()) == ["leads.csv"], "the upload stays for a retry"


def test_a_live_runner_is_left_running(client_for, sam):
    job = as_if_running(queued_job(sam), pid=os.getpid())
    assert uploads.import_job_check(job).status == ImportStatus.RUNNING
    assert uploads.import_jobs_tidy()["import jobs failed as stuck"] == 0
    page = client_for(sam).get(reverse("prospecting:import_job_progress", args=[job.public_id])).content.decode()
    assert "hx-trigger" in page


def test_a_runner_silent_too_long_elsewhere_is_taken_for_dead(sam):
    """On another machine the pid says nothing; ten minutes without a progress write does."""
    quiet = as_if_running(queued_job(sam), pid=os.getpid(), host="elsewhere", quiet_for=timedelta(minutes=11))
    assert uploads.import_jobs_tidy() == {"import jobs failed as stuck": 1, "import uploads removed": 0}
    quiet.refresh_from_db()
    assert quiet.status == ImportStatus.FAILED and "showed no sign of life since" in quiet.error
    recent = as_if_running(queued_job(sam), pid=os.getpid(), host="elsewhere", quiet_for=timedelta(minutes=9))
    assert uploads.import_job_check(recent).status == ImportStatus.RUNNING


def test_a_job_queued_but_never_started_fails_after_a_while(sam):
    job = queued_job(sam)
    assert uploads.import_job_check(job).status == ImportStatus.QUEUED
    job = uploads.import_job_check(job, now=timezone.now() + uploads.STALE_AFTER + timedelta(seconds=1))
    assert job.status == ImportStatus.FAILED and job.error.startswith("The import never started")


def test_a_stuck_job_is_retried_with_the_same_file_and_imports(client_for, sam):
    job = as_if_running(queued_job(sam), pid=ended_pid())
    client = client_for(sam)
    response = client.post(reverse("prospecting:import_retry", args=[job.public_id]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and job.error == ""
    job = uploads.import_job_run(public_id=job.public_id)
    assert job.status == ImportStatus.DONE and (job.report["created"], job.report["rejected"]) == (2, 1)
    assert Person.objects.count() == 2
    refused = client.post(reverse("prospecting:import_retry", args=[job.public_id]), follow=True)
    assert "Only a failed import can be retried; this one is done." in refused.content.decode()


def test_discarding_a_failed_job_deletes_its_files(client_for, sam):
    job = as_if_running(queued_job(sam), pid=ended_pid())
    folder = Path(job.path).parent
    response = client_for(sam).post(reverse("prospecting:import_discard", args=[job.public_id]))
    assert response.status_code == 302 and response.url == reverse("prospecting:import_upload")
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED and job.files_removed_at is not None
    assert not folder.exists()
    refused = client_for(sam).post(reverse("prospecting:import_retry", args=[job.public_id]), follow=True)
    assert "Only a failed import can be retried" in refused.content.decode()


def test_an_imported_list_cannot_be_discarded_but_its_file_goes_after_the_keep(client_for, sam):
    job = uploads.import_job_run(public_id=queued_job(sam).public_id)
    assert job.status == ImportStatus.DONE and job.rejected_file
    client = client_for(sam)
    refused = client.post(reverse("prospecting:import_discard", args=[job.public_id]), follow=True)
    assert "This list has been imported; its file is removed 7 days after." in refused.content.decode()
    assert Path(job.path).is_file()

    assert uploads.import_jobs_tidy(now=timezone.now() + timedelta(days=6))["import uploads removed"] == 0
    assert Path(job.path).is_file()
    assert uploads.import_jobs_tidy(now=timezone.now() + timedelta(days=7, minutes=1)) == {
        "import jobs failed as stuck": 0, "import uploads removed": 1}
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.files_removed_at is not None
    assert not Path(job.path).parent.exists()
    page = client.get(reverse("prospecting:import_job", args=[job.public_id])).content.decode()
    assert 'id="import-files-removed"' in page and 'id="rejected-link"' not in page
    assert client.get(reverse("prospecting:import_rejected", args=[job.public_id])).status_code == 404


def test_the_tidy_discards_uploads_never_imported_and_folders_no_job_names(sam):
    job = uploads.import_upload(actor=sam, upload=SimpleUploadedFile("leads.csv", csv_bytes([HEADER, *ROWS])))
    orphan = uploads.imports_root() / "no-such-job"
    orphan.mkdir()
    (orphan / "leads.csv").write_text("a,b\n")
    later = timezone.now() + timedelta(days=8)
    assert uploads.import_jobs_tidy(now=later)["import uploads removed"] == 2
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED and "Not imported within 7 days" in job.error
    assert list(uploads.imports_root().iterdir()) == []
    assert uploads.import_jobs_tidy(now=later)["import uploads removed"] == 0


def test_another_seller_can_neither_retry_nor_discard(client_for, sam, ravi):
    job = as_if_running(queued_job(sam), pid=ended_pid())
    client = client_for(ravi)
    assert client.post(reverse("prospecting:import_retry", args=[job.public_id])).status_code == 404
    assert client.post(reverse("prospecting:import_discard", args=[job.public_id])).status_code == 404
    assert Path(job.path).is_file()


def test_the_tidy_command(sam, capsys):
    as_if_running(queued_job(sam), pid=ended_pid())
    call_command("import-job", "--tidy", "--keep-days", "0")
    assert "import jobs failed as stuck: 1, import uploads removed: 0" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--keep-days must be 0 or more"):
        call_command("import-job", "--tidy", "--keep-days", "-1")
    with pytest.raises(CommandError, match="give the import job's id, or --tidy"):
        call_command("import-job")


def test_killing_the_real_import_midway_leaves_the_database_as_it_was(tmp_path, db):
    """SIGKILL a running `touchbase import-job`: nothing is saved, the tidy fails it, a retry imports it all."""
    home = tmp_path / "cli-home"
    env = {**os.environ, "TOUCHBASE_HOME": str(home), "DATABASE_URL": ""}
    leads = tmp_path / "leads.csv"
    leads.write_bytes(csv_bytes([HEADER, *[[f"P{n}", "Q", f"p{n}@c{n % 500}.example", f"C{n % 500}"]
                                           for n in range(100_000)]]))

    def touchbase(*args, timeout=300):
        return subprocess.run([sys.executable, "-m", "touchbase.cli", *args], env=env, capture_output=True,
                              text=True, timeout=timeout)

    assert touchbase("migrate", "-v", "0").returncode == 0
    made = touchbase("shell", "-c", f"""
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape
from touchbase.accounts.models import User
from touchbase.prospecting import uploads
from touchbase.prospecting.models import ImportJob
sam = User.objects.create_user(email="sam@example.com", password=None, role="seller")
job = uploads.import_upload(actor=sam, upload=SimpleUploadedFile("leads.csv", open({str(leads)!r}, "rb").read()))
# Queued by hand, not by import_start: this test starts (and kills) the runner itself.
ImportJob.objects.filter(pk=job.pk).update(status="queued", queued_at=timezone.now(), owner=sam)
print(job.public_id)
""")
    assert made.returncode == 0, made.stderr
    public_id = made.stdout.split()[-1]
    progress = home / "imports" / public_id / "progress.json"
    runner = subprocess.Popen([sys.executable, "-m", "touchbase.cli", "import-job", public_id], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        # Killed once it has read rows (the bound only keeps a broken run from hanging the suite).
        for _ in range(1200):
            if progress.is_file() and json.loads(progress.read_text() or "{}").get("rows_read", 0) > 0:
                break
            assert runner.poll() is None, "the import ended before it could be killed"
            time.sleep(0.05)
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.wait()

    after = touchbase("shell", "-c", """
from touchbase.crm.models import Company, Person
from touchbase.prospecting.models import CompanyFit, ImportJob
print(ImportJob.objects.get().status, Person.objects.count(), Company.objects.count(), CompanyFit.objects.count())
""")
    assert after.stdout.splitlines()[-1].split() == ["running", "0", "0", "0"], after.stdout + after.stderr
    tidy = touchbase("import-job", "--tidy")
    assert "import jobs failed as stuck: 1" in tidy.stdout, tidy.stderr
    # The retry starts a detached `touchbase import-job`, as the page's button does; waited for by polling.
    retried = touchbase("shell", "-c", f"""
import time
from touchbase.prospecting import uploads
from touchbase.prospecting.models import ImportJob
job = ImportJob.objects.get()
print(job.status, "ended without finishing" in job.error, *sorted(p.name for p in uploads.imports_root().joinpath({public_id!r}).iterdir()))
uploads.import_retry(actor=job.created_by, job=job)
for _ in range(1200):
    job.refresh_from_db()
    if job.status in ("done", "failed"):
        break
    time.sleep(0.1)
print(job.status, job.report and job.report["created"])
""")
    lines = retried.stdout.splitlines()
    assert lines[-2:] == ["failed True leads.csv", "done 100000"], retried.stdout + retried.stderr


def test_the_command_says_why_a_dead_job_is_left_alone(sam, capsys):
    job = as_if_running(queued_job(sam), pid=ended_pid())
    call_command("import-job", str(job.public_id))
    out = capsys.readouterr().out
    assert f"import job {job.public_id} is failed; left alone: The process running the import" in out
    assert "Retry the import, or discard the file." in out


def test_a_checked_list_whose_file_was_deleted_no_longer_offers_its_columns(client_for, sam):
    job = uploads.import_upload(actor=sam, upload=SimpleUploadedFile("leads.csv", csv_bytes([HEADER, *ROWS])))
    job = uploads.import_job_run(public_id=uploads.import_start(actor=sam, job=job, check_only=True).public_id)
    client = client_for(sam)
    preview = reverse("prospecting:import_preview", args=[job.public_id])
    assert client.get(preview).status_code == 200
    assert f'href="{preview}"' in client.get(reverse("prospecting:import_job", args=[job.public_id])).content.decode()
    uploads.import_jobs_tidy(now=timezone.now() + timedelta(days=8))
    response = client.get(preview)
    assert response.status_code == 302 and response.url.endswith("/job/")
    page = client.get(response.url).content.decode()
    assert f'href="{preview}"' not in page and 'id="import-files-removed"' in page


def test_a_discarded_upload_cannot_be_imported_after_all(client_for, sam):
    job = uploads.import_upload(actor=sam, upload=SimpleUploadedFile("leads.csv", csv_bytes([HEADER, *ROWS])))
    uploads.import_discard(actor=sam, job=job)
    with pytest.raises(uploads.ImportRefused, match="file has been deleted; upload the list again"):
        uploads.import_start(actor=sam, job=job)
    response = client_for(sam).post(reverse("prospecting:import_preview", args=[job.public_id]),
                                    {"action": "import", "kind": "people"})
    assert response.status_code == 302 and response.url.endswith("/job/")
    job.refresh_from_db()
    assert job.status == ImportStatus.DISCARDED and Person.objects.count() == 0


def test_the_worker_round_fails_a_dead_import(sam, capsys):
    job = as_if_running(queued_job(sam), pid=ended_pid())
    call_command("worker", "--once")
    assert "import jobs failed as stuck: 1" in capsys.readouterr().out
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
