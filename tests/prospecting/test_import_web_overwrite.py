"""The web import's "Update existing companies/people with this file's values" box: `touchbase import --overwrite`."""

import pytest
from django.urls import reverse

from touchbase.crm import services as crm
from touchbase.crm.models import Person
from touchbase.prospecting.models import ImportStatus

from .test_import_web import csv_bytes, mapping_post, preview_url, run_job, uploaded_job

HEADER = ["First Name", "Last Name", "Email", "Job Title", "Company"]
NEW_TITLE = [HEADER, ["Dana", "Reyes", "dana@acme.example", "VP Sales", "Acme Robotics"]]


@pytest.fixture(autouse=True)
def _imports_in_tmp(settings, tmp_path):
    settings.TOUCHBASE_HOME = tmp_path / "home"
    settings.TOUCHBASE_IMPORT_RUNNER = "inline"


@pytest.fixture
def engineer(sam, acme):
    return crm.person_create(actor=sam, first_name="Dana", last_name="Reyes", email="dana@acme.example",
                             title="Engineer", company=acme)


def job_page(client, job) -> str:
    return client.get(reverse("prospecting:import_job", args=[job.public_id])).content.decode()


def title_of(person) -> str:
    person.refresh_from_db()
    return person.title


def test_the_box_is_offered_and_off_by_default(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(NEW_TITLE))

    html = client.get(preview_url(job)).content.decode()

    assert 'name="overwrite"' in html and "otherwise only empty fields are filled" in html
    assert 'id="id_overwrite" aria-describedby="overwrite-help">' in html, "not ticked until the seller ticks it"
    assert not job.overwrite


def test_without_the_box_an_existing_title_stays(client_for, sam, engineer):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(NEW_TITLE))

    client.post(preview_url(job), mapping_post(job))
    job = run_job(job)

    assert job.status == ImportStatus.DONE, job.error
    assert not job.overwrite and title_of(engineer) == "Engineer"
    assert (job.report["updated"], job.report["unchanged"]) == (0, 1)
    assert "Existing records: only empty fields filled." in job_page(client, job)


def test_with_the_box_the_files_title_replaces_it(client_for, sam, engineer):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(NEW_TITLE))

    client.post(preview_url(job), {**mapping_post(job), "overwrite": "1"})
    job = run_job(job)

    assert job.status == ImportStatus.DONE, job.error
    assert job.overwrite and job.report["overwrite"]
    assert title_of(engineer) == "VP Sales"
    assert job.report["updated"] == 1
    assert "Existing records: updated with the file's values." in job_page(client, job)


def test_check_only_with_the_box_counts_the_update_and_changes_nothing(client_for, sam, engineer):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(NEW_TITLE))

    client.post(preview_url(job), {**mapping_post(job, action="check"), "overwrite": "1"})
    job = run_job(job)

    assert job.status == ImportStatus.DONE and job.check_only and job.overwrite
    assert (job.report["created"], job.report["updated"]) == (0, 1)
    assert title_of(engineer) == "Engineer" and Person.objects.count() == 1
    assert "Existing records: updated with the file's values (had it been imported)." in job_page(client, job)
    preview = client.get(preview_url(job)).content.decode()
    assert 'aria-describedby="overwrite-help" checked>' in preview, "back at the columns, the box is still ticked"

    client.post(preview_url(job), mapping_post(job))
    job = run_job(job)
    assert not job.overwrite and title_of(engineer) == "Engineer", "unticked for the real import, it only fills"


def test_the_box_survives_applying_the_columns(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(NEW_TITLE))

    client.post(preview_url(job), {**mapping_post(job, action="remap"), "overwrite": "1"})

    job.refresh_from_db()
    assert job.overwrite and job.status == ImportStatus.UPLOADED


def test_a_retry_keeps_the_choice(client_for, sam, engineer):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(NEW_TITLE))
    client.post(preview_url(job), {**mapping_post(job), "overwrite": "1"})
    job.refresh_from_db()
    job.status, job.error = ImportStatus.FAILED, "The process running the import ended without finishing."
    job.save()

    client.post(reverse("prospecting:import_retry", args=[job.public_id]))
    job = run_job(job)

    assert job.status == ImportStatus.DONE and job.overwrite
    assert title_of(engineer) == "VP Sales"


def test_a_seller_who_overwrites_does_not_take_other_sellers_records(client_for, ravi, sam, engineer):
    """The file's values overwrite; the owner is the import's, not the file's, and is only ever filled in."""
    client = client_for(ravi)
    job = uploaded_job(client, csv_bytes(NEW_TITLE))

    client.post(preview_url(job), {**mapping_post(job), "overwrite": "1"})
    job = run_job(job)

    engineer.refresh_from_db()
    assert engineer.owner == sam
    assert engineer.title == "VP Sales"


def test_overwrite_from_the_command_line_keeps_a_company_s_owner_too(write_csv, sam, ravi, acme):
    from touchbase.prospecting import services

    path = write_csv([["Company", "Website", "Industry"], ["Acme Robotics", "acme.example", "Logistics"]])
    report = services.leads_import(path=path, kind="companies", owner=ravi, overwrite=True)

    acme.refresh_from_db()
    assert report.updated == 1
    assert (acme.industry, acme.owner) == ("Logistics", sam)
