"""In the web import's preview a seller maps a companies list's column to a custom field, by name."""

import pytest
from django.urls import reverse

from touchbase.crm.models import Company
from touchbase.prospecting import services, uploads
from touchbase.prospecting.mapping import custom_name_for
from touchbase.prospecting.models import CompanyFit, ImportStatus, Qualifier
from touchbase.prospecting.qualifiers import qualifier_update

from .test_import_web import (  # noqa: F401
    HEADER,
    ROWS,
    _imports_in_tmp,
    csv_bytes,
    preview_url,
    run_job,
    uploaded_job,
)

COMPANIES = [["Company", "Website", "CRM in use", "Seats"],
             ["Acme", "acme.example", "Salesforce", "40"],
             ["Beta", "beta.example", "Pipedrive", ""],
             ["Gamma", "gamma.example", "", "12"]]


def form_post(job, action="import", custom=None, **changes):
    """The preview form as a browser sends it: every column's choice and every custom name input.

    `changes` sets a column's choice by header; `custom` names the custom field of a column (by header)
    whose choice is "A custom field".
    """
    custom = custom or {}
    data = {"action": action, "kind": job.kind}
    by_index = {i: name for name, i in job.mapping["columns"].items()}
    for column in uploads.import_preview(actor=job.created_by, job=job).columns:
        if column.header in custom:
            data[f"column-{column.index}"] = uploads.CUSTOM_CHOICE
            data[f"custom-{column.index}"] = custom[column.header]
        else:
            data[f"column-{column.index}"] = changes.get(column.header, by_index.get(column.index, ""))
            if job.kind == "companies":
                data[f"custom-{column.index}"] = column.suggestion
    return data


def test_a_column_mapped_to_a_custom_field_fills_it_and_tiers_the_companies_in_the_same_run(client_for, sam,
                                                                                           maya):
    services.framework_save(actor=maya, tier_a_min=50, tier_b_min=20, criteria=[
        {"key": "on_salesforce", "label": "Runs Salesforce", "kind": "custom_value", "field": "crm_used",
         "values": ["salesforce"], "points": 60}])
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(COMPANIES))
    assert job.kind == "companies" and job.mapping["columns"] == {"name": 0, "website": 1}

    html = client.get(preview_url(job)).content.decode()
    assert '<option value="custom">A custom field</option>' in html
    assert 'name="custom-2" value="crm_in_use"' in html, "the name is suggested from the header"
    assert "Salesforce" in html and "Pipedrive" in html, "the column's values show as any column's"

    response = client.post(preview_url(job), form_post(job, action="remap", custom={"CRM in use": "crm_used"}))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping["columns"] == {"name": 0, "website": 1, "custom.crm_used": 2}
    assert job.mapping["source"] == "yours"
    html = client.get(preview_url(job)).content.decode()
    assert '<option value="custom" selected>A custom field</option>' in html
    assert 'name="custom-2" value="crm_used"' in html

    response = client.post(preview_url(job), form_post(job, custom={"CRM in use": "crm_used"}))
    assert response.status_code == 302
    job = run_job(job)

    assert job.status == ImportStatus.DONE, job.error
    custom = {q.company.name: q.custom for q in Qualifier.objects.select_related("company")}
    assert custom == {"Acme": {"crm_used": "Salesforce"}, "Beta": {"crm_used": "Pipedrive"}}
    fits = {f.company.name: f.tier for f in CompanyFit.objects.select_related("company")}
    assert fits == {"Acme": "A", "Beta": "C", "Gamma": "C"}
    assert job.report["tiers"] == {"A": 1, "B": 0, "C": 2}
    page = client.get(reverse("prospecting:import_job", args=[job.public_id])).content.decode()
    assert "CRM in use → custom field crm_used" in page and "Company → Company name" in page
    assert "Left out: Seats" in page


@pytest.mark.parametrize("name", ["CRM used", "9lives", "crm-used", "", "x" * 41])
def test_a_bad_custom_field_name_is_refused_naming_the_column_and_nothing_is_imported(client_for, sam, name):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(COMPANIES))

    response = client.post(preview_url(job), form_post(job, custom={"CRM in use": name}))

    assert response.status_code == 400
    html = response.content.decode()
    assert ("Column &#x27;CRM in use&#x27;: a custom field name is lower-case letters, digits or _, "
            "e.g. crm_used") in html
    assert f'name="custom-2" value="{name}"' in html, "the name comes back as typed, to be corrected"
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED and "custom.crm_used" not in job.mapping["columns"]
    assert not Company.objects.exists()


def test_two_columns_cannot_fill_the_same_custom_field(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(COMPANIES))

    response = client.post(preview_url(job), form_post(job, custom={"CRM in use": "crm_used", "Seats": "crm_used"}))

    assert response.status_code == 400
    assert ("Custom field crm_used is chosen for two columns, &#x27;CRM in use&#x27; and &#x27;Seats&#x27;; "
            "pick one.") in response.content.decode()
    assert not Company.objects.exists()


def test_a_people_list_offers_no_custom_field_and_refuses_one(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([HEADER, *ROWS]))
    assert job.kind == "people"

    html = client.get(preview_url(job)).content.decode()
    assert "A custom field" not in html and 'name="custom-' not in html and "custom-field-names" not in html

    for value in ("custom.crm_used", uploads.CUSTOM_CHOICE):
        data = form_post(job, **{"Job Title": value})
        data["custom-4"] = "crm_used"
        response = client.post(preview_url(job), data)
        assert response.status_code == 400
        assert "Column &#x27;Job Title&#x27;: people have no custom fields" in response.content.decode()
    job.refresh_from_db()
    assert job.mapping["columns"]["title"] == 4


def test_the_custom_field_names_in_use_are_offered(client_for, sam, acme):
    qualifier_update(actor=sam, company=acme, custom={"crm_used": "HubSpot", "seats": "40"})
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes(COMPANIES))

    html = client.get(preview_url(job)).content.decode()

    assert 'list="custom-field-names"' in html
    assert '<option value="crm_used">1 company</option>' in html and '<option value="seats">' in html


def test_a_header_with_markup_is_escaped_in_the_custom_field_inputs(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([["Company", "<script>alert(1)</script>"], ["Acme", "x"]]))

    html = client.get(preview_url(job)).content.decode()
    response = client.post(preview_url(job), form_post(job, custom={"<script>alert(1)</script>": '"><b>x'}))

    assert "<script>alert(1)" not in html and 'name="custom-1" value="script_alert_1_script"' in html
    body = response.content.decode()
    assert response.status_code == 400 and "<script>alert(1)" not in body and '"><b>x' not in body
    assert "Column &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;" in body


@pytest.mark.parametrize(("header", "name"), [
    ("CRM in use", "crm_in_use"), ("Größe (m²)", "grosse_m2"), ("2024 revenue", "field_2024_revenue"),
    ("---", ""), ("A" * 60, "a" * 40)])
def test_a_custom_field_name_is_suggested_from_the_header(header, name):
    assert custom_name_for(header) == name
