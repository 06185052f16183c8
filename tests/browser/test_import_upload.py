"""Importing a lead list in a real browser: upload, check the columns, import, watch the bar fill, read the report.

On PostgreSQL the confirm button starts the real `touchbase import-job` process, pointed at the test
database. On SQLite the live server's test database lives in memory, where no other process can
reach it, so there the job runs in the server's own process (TOUCHBASE_IMPORT_RUNNER = "inline").
"""

import csv
import io
import os

import pytest
from django.db import connection
from playwright.sync_api import expect

from touchbase.crm.models import Person
from touchbase.prospecting.models import ImportJob, Qualifier

from .test_board import log_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = [
    ["First Name", "Last Name", "Email", "Company", "Website", "Country"],
    ["Dana", "Reyes", "dana@acme.example", "Acme", "acme.example", "US"],
    ["Kim", "Park", "kim@beta.example", "Beta Corp", "beta.example", "DE"],
    ["", "", "not-an-email", "Nowhere", "", ""],
]


@pytest.fixture
def runner(settings, tmp_path, monkeypatch):
    settings.TOUCHBASE_HOME = tmp_path / "home"
    if connection.vendor != "postgresql":
        settings.TOUCHBASE_IMPORT_RUNNER = "inline"
        return "inline"
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    monkeypatch.setenv("DATABASE_URL", f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
                                       f"{db['PORT'] or 5432}/{db['NAME']}")
    settings.TOUCHBASE_IMPORT_RUNNER = "subprocess"
    return "subprocess"


def test_a_seller_uploads_a_list_checks_the_columns_and_watches_it_import(page, live_server, sam, runner, tmp_path):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(ROWS)
    leads = tmp_path / "trade-show.csv"
    leads.write_text(buffer.getvalue(), encoding="utf-8")

    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/leads/")
    page.get_by_role("link", name="Import a list").click()
    page.get_by_label("Lead list").set_input_files(str(leads))
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", name="Check the columns of trade-show.csv")).to_be_visible()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("dana@acme.example")
    expect(preview.get_by_label("What Email holds")).to_have_value("email")
    expect(preview.get_by_label("What Company holds")).to_have_value("company")
    page.get_by_role("button", name="Import", exact=True).click()

    progress = page.locator("#import-progress")
    expect(progress).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")
    report = page.locator("#import-report")
    for row in ("Created 2", "Updated 0", "Unchanged 0", "Rejected 1", "Rows read 3"):
        expect(report.get_by_role("row", name=row, exact=True)).to_be_visible()
    expect(page.locator("#rejected-link")).to_be_visible()
    with page.expect_download() as download:
        page.locator("#rejected-link").click()
    assert download.value.suggested_filename == "trade-show.rejected.csv"
    assert "not-an-email" in open(download.value.path(), encoding="utf-8-sig").read()
    assert sorted(Person.objects.values_list("email", flat=True)) == ["dana@acme.example", "kim@beta.example"]
    assert ImportJob.objects.get().status == "done"


def test_a_seller_maps_a_column_of_a_companies_list_to_a_custom_field(page, live_server, sam, runner, tmp_path):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["Company", "Website", "CRM in use"],
                                  ["Acme", "acme.example", "Salesforce"],
                                  ["Beta", "beta.example", "Pipedrive"]])
    leads = tmp_path / "accounts.csv"
    leads.write_text(buffer.getvalue(), encoding="utf-8")

    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/leads/import/")
    page.get_by_label("Lead list").set_input_files(str(leads))
    page.get_by_role("button", name="Upload and preview").click()

    preview = page.locator("#preview")
    expect(preview.get_by_label("What CRM in use holds")).to_have_value("")
    name = preview.get_by_label("Custom field name for CRM in use")
    expect(name).to_be_hidden()
    preview.get_by_label("What CRM in use holds").select_option(label="A custom field")
    expect(name).to_be_visible()
    expect(name).to_have_value("crm_in_use")
    expect(preview.get_by_label("Custom field name for Website")).to_be_hidden()
    name.fill("crm_used")
    page.get_by_role("button", name="Import", exact=True).click()

    expect(page.locator("#import-progress")).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.locator("#import-report").get_by_role("row", name="Created 2", exact=True)).to_be_visible()
    expect(page.locator("#import-columns")).to_contain_text("CRM in use → custom field crm_used")
    custom = {q.company.name: q.custom for q in Qualifier.objects.select_related("company")}
    assert custom == {"Acme": {"crm_used": "Salesforce"}, "Beta": {"crm_used": "Pipedrive"}}
