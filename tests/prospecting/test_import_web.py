"""Importing a lead list from the web app: upload, preview with the proposed mapping, confirm, the report.

The confirm step starts `touchbase import-job` in a detached process once the request commits; these
tests run the job's runner in-process instead (`run_job`), and one test runs the real command.
"""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from touchbase.crm.models import Company, Person
from touchbase.prospecting import uploads
from touchbase.prospecting.models import ImportJob, ImportStatus

HEADER = ["First Name", "Last Name", "Email", "Phone", "Job Title", "Company", "Website", "Country"]
ROWS = [
    ["Dana", "Reyes", "dana@acme.example", "(415) 555-0100", "VP Sales", "Acme", "acme.example", "US"],
    ["Lee", "Ng", "lee@gmail.com", "+4930123456", "", "", "", "DE"],
    ["", "", "not-an-email", "", "", "Nowhere", "", ""],
    ["Dana", "", "dana@acme.example", "", "CEO", "Acme", "", "US"],
    ["Kim", "Park", "", "+1 212 555 0199", "Head of Ops", "Beta Corp", "", "United States"],
]


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def upload(client, content: bytes, name="leads.csv"):
    return client.post(reverse("prospecting:import_upload"), {"file": SimpleUploadedFile(name, content)})


def uploaded_job(client, content: bytes, name="leads.csv") -> ImportJob:
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(public_id=response.url.rstrip("/").split("/")[-1])


def nothing_kept() -> bool:
    root = uploads.imports_root()
    return not root.exists() or not any(root.iterdir())


def preview_url(job):
    return reverse("prospecting:import_preview", args=[job.public_id])


def run_job(job) -> ImportJob:
    """What `touchbase import-job` does, in this process and this test's transaction."""
    return uploads.import_job_run(public_id=job.public_id)


def mapping_post(job, action="import", **changes):
    """The preview form as the browser sends it: every column's select, with `changes` by header."""
    data = {"action": action, "kind": job.kind}
    by_index = {i: name for name, i in job.mapping["columns"].items()}
    for column in uploads.import_preview(actor=job.created_by, job=job).columns:
        data[f"column-{column.index}"] = changes.get(column.header, by_index.get(column.index, ""))
    return data


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    settings.TOUCHBASE_HOME = tmp_path / "home"
    # on_commit never fires inside a test's transaction; say so anyway, so no test can start a process.
    settings.TOUCHBASE_IMPORT_RUNNER = "inline"


def test_an_upload_shows_the_first_rows_under_the_detected_mapping(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))

    page = client.get(preview_url(job))

    assert page.status_code == 200
    html = page.content.decode()
    assert job.kind == "people" and job.status == ImportStatus.UPLOADED
    assert job.mapping["columns"]["email"] == 2 and job.mapping["columns"]["title"] == 4
    assert '<option value="email" selected>Email</option>' in html
    assert "dana@acme.example" in html and "Beta Corp" in html
    assert "About 5 rows" in html
    assert Path(job.path).is_file() and Path(job.path).is_relative_to(uploads.imports_root())
    assert Person.objects.count() == 0, "an upload alone saves no record"


def test_a_hubspot_export_is_recognised_by_its_headers(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([["Record ID", "First Name", "Last Name", "Email", "Company Name"],
                                          ["1", "Dana", "Reyes", "dana@acme.example", "Acme"]]))
    assert job.mapping["source"] == "hubspot"
    assert "a HubSpot export" in client.get(preview_url(job)).content.decode()


def test_confirming_imports_the_rows_as_the_seller_and_the_report_adds_up(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))

    response = client.post(preview_url(job), mapping_post(job))
    assert response.status_code == 302 and response.url.endswith("/job/")
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED

    job = run_job(job)

    assert job.status == ImportStatus.DONE, job.error
    report = job.report
    assert (report["rows"], report["created"], report["updated"], report["unchanged"], report["rejected"]) == \
        (5, 3, 0, 1, 1)
    assert report["created"] + report["updated"] + report["unchanged"] + report["rejected"] == report["rows"]
    assert job.rows_read == 5
    assert set(Person.objects.values_list("owner__email", flat=True)) == {"sam@example.com"}
    page = client.get(reverse("prospecting:import_job", args=[job.public_id])).content.decode()
    assert 'value="100"' in page and "5 rows read" in page and "Download the 1 rejected row" in page
    rejected = client.get(reverse("prospecting:import_rejected", args=[job.public_id]))
    assert rejected.status_code == 200
    body = b"".join(rejected.streaming_content).decode("utf-8-sig")
    assert "not-an-email" in body and "is not an email address" in body.splitlines()[1]


def test_the_progress_fragment_polls_until_the_job_is_done(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))
    client.post(preview_url(job), mapping_post(job))
    url = reverse("prospecting:import_job_progress", args=[job.public_id])

    queued = client.get(url).content.decode()
    run_job(job)
    done = client.get(url).content.decode()

    assert 'hx-trigger="every 1s"' in queued and "Starting" in queued
    assert "hx-trigger" not in done and 'id="import-report"' in done


def test_a_column_the_seller_remaps_is_honoured(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([["Email", "Name", "Notes about"],
                                          ["dana@acme.example", "Dana Reyes", "+1 415 555 0100"]]))
    assert "phone" not in job.mapping["columns"]

    client.post(preview_url(job), mapping_post(job, action="remap", **{"Notes about": "phone", "Name": ""}))
    job.refresh_from_db()
    assert job.mapping["columns"] == {"email": 0, "phone": 2} and job.mapping["source"] == "yours"
    client.post(preview_url(job), mapping_post(job))
    run_job(job)

    dana = Person.objects.get(email="dana@acme.example")
    assert (dana.phone, dana.first_name) == ("+14155550100", ""), "the left-out name column is not read"


def test_the_same_field_on_two_columns_is_refused_with_both_names(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))

    response = client.post(preview_url(job), mapping_post(job, action="remap", Phone="email"))

    assert response.status_code == 400
    assert "Email is chosen for two columns, &#x27;Email&#x27; and &#x27;Phone&#x27;" in response.content.decode()


def test_check_only_reports_without_saving_and_the_list_can_then_be_imported(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))

    client.post(preview_url(job), mapping_post(job, action="check"))
    job = run_job(job)

    assert job.status == ImportStatus.DONE and job.check_only and job.report["created"] == 3
    assert Person.objects.count() == 0 and Company.objects.count() == 0
    assert client.get(preview_url(job)).status_code == 200, "after a check the columns can still change"
    client.post(preview_url(job), mapping_post(job))
    job = run_job(job)
    assert not job.check_only and Person.objects.count() == 3


def test_a_manager_chooses_who_owns_the_records(client_for, maya, ravi):
    client = client_for(maya)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))

    client.post(preview_url(job), {**mapping_post(job), "owner": ravi.pk})
    run_job(job)

    assert set(Person.objects.values_list("owner__email", flat=True)) == {"ravi@example.com"}


def test_a_seller_cannot_hand_the_records_to_someone_else(client_for, sam, ravi):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))

    client.post(preview_url(job), {**mapping_post(job), "owner": ravi.pk})
    run_job(job)

    assert set(Person.objects.values_list("owner__email", flat=True)) == {"sam@example.com"}


@pytest.mark.parametrize(("name", "content", "message"), [
    ("leads.csv", b"", "leads.csv: the file is empty"),
    ("leads.csv", csv_bytes([HEADER]), "leads.csv, row 2: the file has a header row but no data rows"),
    ("garbage.csv", bytes(range(256)) * 40, "garbage.csv: this is not a CSV or XLSX file: it holds binary data"),
    ("scan.pdf", b"%PDF-1.7\n" + b"x" * 100, "scan.pdf: this is not a CSV or XLSX file"),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 600, "old.xls: this is an old Excel (.xls) workbook"),
])
def test_a_file_that_is_not_a_lead_list_gives_the_message_and_creates_nothing(client_for, sam, name, content,
                                                                             message):
    response = upload(client_for(sam), content, name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportJob.objects.count() == 0 and Person.objects.count() == 0 and Company.objects.count() == 0
    assert nothing_kept(), "the refused upload is not kept"


def test_a_list_with_no_name_or_email_column_cannot_be_imported(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([["Colour", "Size"], ["red", "12"]]))

    page = client.get(preview_url(job)).content.decode()
    refused = client.post(preview_url(job), mapping_post(job))

    assert "leads.csv, row 1: no column holds a person&#x27;s email or name, nor a company&#x27;s name" in page
    assert refused.status_code == 400 and "row 1" in refused.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED and Person.objects.count() == 0 and Company.objects.count() == 0


def test_a_bad_row_deep_in_the_file_fails_the_job_and_leaves_the_database_as_it_was(client_for, sam, snapshot):
    client = client_for(sam)
    rows = [HEADER, *ROWS, *[["P", str(n), f"p{n}@x.example", "", "", "", "", ""] for n in range(20)],
            ["Too", "Many", "t@x.example", "", "", "", "", "", "surplus"]]
    job = uploaded_job(client, csv_bytes(rows))
    before = snapshot()

    client.post(preview_url(job), mapping_post(job))
    job = run_job(job)

    assert job.status == ImportStatus.FAILED
    assert job.error == ("leads.csv, row 27, column 9: the row has 9 fields but the header has 8. "
                         "Nothing was imported.")
    assert snapshot() == before
    page = client.get(reverse("prospecting:import_job", args=[job.public_id])).content.decode()
    assert "row 27, column 9" in page and "hx-trigger" not in page


def test_xss_in_a_header_or_a_cell_is_shown_as_text(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([["Email", "<script>alert(1)</script>"],
                                          ["dana@acme.example", "<img src=x onerror=alert(2)>"]]), "<b>x</b>.csv")

    html = client.get(preview_url(job)).content.decode()

    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_another_seller_cannot_see_the_job_or_download_its_rejected_rows(client, sam, ravi, maya):
    client.force_login(sam)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))
    client.post(preview_url(job), mapping_post(job))
    run_job(job)

    client.force_login(ravi)
    for name in ("import_preview", "import_job", "import_job_progress", "import_rejected"):
        assert client.get(reverse(f"prospecting:{name}", args=[job.public_id])).status_code == 404, name
    assert client.post(preview_url(job), {"action": "import", "kind": "people"}).status_code == 404
    assert job.file_name not in client.get(reverse("prospecting:import_upload")).content.decode()

    client.force_login(maya)
    assert client.get(reverse("prospecting:import_rejected", args=[job.public_id])).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, sam):
    client.force_login(sam)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))
    client.logout()

    for url in (reverse("prospecting:import_upload"), preview_url(job),
                reverse("prospecting:import_job", args=[job.public_id]),
                reverse("prospecting:import_rejected", args=[job.public_id])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/login/"), url
    assert upload(client, csv_bytes([HEADER, *ROWS])).status_code == 302
    assert ImportJob.objects.count() == 1


def test_a_file_over_the_size_limit_is_refused_and_not_kept(client_for, sam, settings):
    settings.TOUCHBASE_IMPORT_MAX_BYTES = 1024 * 1024
    content = csv_bytes([HEADER, *[[f"P{n}", "X", f"p{n}@x.example", "", "", "", "", ""] for n in range(40_000)]])
    assert len(content) > 1024 * 1024

    response = upload(client_for(sam), content)

    assert response.status_code == 413
    assert "a lead list can be at most 1 MB here" in response.content.decode()
    assert ImportJob.objects.count() == 0 and nothing_kept()


def test_the_tier_list_links_to_the_import(client_for, sam):
    html = client_for(sam).get(reverse("prospecting:tier_list")).content.decode()
    assert f'href="{reverse("prospecting:import_upload")}">Import a list</a>' in html


def test_confirming_starts_touchbase_import_job_in_its_own_process(tmp_path, db):
    """The real thing on a fresh SQLite home: import_start launches `touchbase import-job` detached."""
    home = tmp_path / "cli-home"
    env = {**os.environ, "TOUCHBASE_HOME": str(home), "DATABASE_URL": ""}
    leads = tmp_path / "leads.csv"
    leads.write_bytes(csv_bytes([HEADER, *ROWS]))

    def touchbase(*args):
        return subprocess.run([sys.executable, "-m", "touchbase.cli", *args], env=env, capture_output=True,
                              text=True, timeout=120)

    assert touchbase("migrate", "-v", "0").returncode == 0
    # Waits for the detached run by polling the job; the bound only keeps a broken run from hanging the suite.
    started = touchbase("shell", "-c", f"""
import time
from django.core.files.uploadedfile import SimpleUploadedFile
from touchbase.accounts.models import User
from touchbase.prospecting import uploads
sam = User.objects.create_user(email="sam@example.com", password=None, role="seller")
job = uploads.import_upload(actor=sam, upload=SimpleUploadedFile("leads.csv", open({str(leads)!r}, "rb").read()))
uploads.import_start(actor=sam, job=job)
for _ in range(600):
    job.refresh_from_db()
    if job.status in ("done", "failed"):
        break
    time.sleep(0.1)
print(job.public_id, job.status, job.report and job.report["created"])
""")
    assert started.returncode == 0, started.stderr
    public_id, status, created = started.stdout.split()[-3:]
    assert (status, created) == ("done", "3")
    log = (home / "imports" / public_id / "run.log").read_text()
    assert "leads.csv: 5 people rows read; 3 created, 0 updated, 1 unchanged, 1 rejected" in log

    again = touchbase("import-job", public_id)
    assert again.returncode == 0 and "is done; left alone" in again.stdout
    assert touchbase("import-job", "not-a-uuid").returncode == 1
