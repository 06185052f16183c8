"""A companies list carries tags and custom fields: imported as the framework reads them, and scored in the same run."""

import csv

import pytest

from touchbase.crm import services as crm
from touchbase.crm.models import Company
from touchbase.prospecting import exports, services
from touchbase.prospecting.files import BadFile
from touchbase.prospecting.models import CompanyFit, ImportStatus, Qualifier
from touchbase.prospecting.qualifiers import qualifier_update

from .test_import_web import _imports_in_tmp, csv_bytes, mapping_post, preview_url, run_job, uploaded_job  # noqa: F401

HEADER = ["Company", "Website", "Industry", "Tags"]


def tags_of(name):
    return Qualifier.objects.get(company__name=name).tags


def custom_of(name):
    return Qualifier.objects.get(company__name=name).custom


def read_rejected(path):
    with open(f"{path}.rejected.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def crm_mapping(tmp_path):
    path = tmp_path / "crm.toml"
    path.write_text('kind = "companies"\n[columns]\n"CRM in use" = "custom.crm_used"\n"Seats" = "custom.seats"\n')
    return path


def test_a_tags_column_is_split_cleaned_and_stored_as_the_framework_reads_tags(write_csv, db):
    path = write_csv([HEADER,
                      ["Acme", "acme.example", "Robotics", "Partner, event-2026; VIP | partner,  Big   Fish "],
                      ["Beta", "beta.example", "", ""]])
    report = services.leads_import(path=path)
    assert report.columns["tags"] == "Tags" and report.created == 2
    assert tags_of("Acme") == ["partner", "event-2026", "vip", "big fish"]
    assert not Qualifier.objects.filter(company__name="Beta").exists(), "no tags, no qualifier row"


@pytest.mark.parametrize("header", ["Labels", "tag", "Segments", "TAGS"])
def test_tag_columns_are_recognised_by_their_usual_names(write_csv, db, header):
    report = services.leads_import(path=write_csv([["Company", header], ["Acme", "partner"]]))
    assert report.columns["tags"] == header
    assert tags_of("Acme") == ["partner"]


def test_an_import_adds_its_tags_to_those_a_company_has_and_again_changes_nothing(write_csv, sam, acme, snapshot):
    qualifier_update(actor=sam, company=acme, tags=["vip", "partner"], willing_to_be_measured="yes")
    path = write_csv([HEADER,
                      ["Acme Robotics", "acme.example", "", "partner; event-2026"],
                      ["New Co", "new.example", "", "event-2026"],
                      ["new co", "", "", "partner, event-2026"]])

    report = services.leads_import(path=path)

    assert (report.created, report.updated, report.unchanged) == (1, 2, 0)
    assert tags_of("Acme Robotics") == ["vip", "partner", "event-2026"], "a union, the company's own first"
    assert Qualifier.objects.get(company=acme).willing_to_be_measured == "yes"
    assert tags_of("New Co") == ["event-2026", "partner"], "a later row of the file adds its tags too"
    before = snapshot()

    again = services.leads_import(path=path)

    assert snapshot() == before
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3) and again.adds_up


def test_overwrite_does_not_take_tags_away(write_csv, sam, acme):
    qualifier_update(actor=sam, company=acme, tags=["vip"])
    services.leads_import(path=write_csv([HEADER, ["Acme Robotics", "acme.example", "", "partner"]]), overwrite=True)
    assert tags_of("Acme Robotics") == ["vip", "partner"]


def test_custom_fields_are_filled_when_empty_and_replaced_only_with_overwrite(write_csv, crm_mapping, sam, acme):
    qualifier_update(actor=sam, company=acme, custom={"crm_used": "HubSpot"})
    path = write_csv([["Company", "Website", "CRM in use", "Seats"],
                      ["Acme Robotics", "acme.example", " Salesforce  CRM ", "40"],
                      ["Beta", "beta.example", "Pipedrive", ""]])

    report = services.leads_import(path=path, mapping=str(crm_mapping))

    assert report.mapping == "crm.toml"
    assert report.columns["custom.crm_used"] == "CRM in use" and report.columns["custom.seats"] == "Seats"
    assert custom_of("Acme Robotics") == {"crm_used": "HubSpot", "seats": "40"}, "only the empty field is filled"
    assert custom_of("Beta") == {"crm_used": "Pipedrive"}, "a blank cell fills nothing"
    assert (report.created, report.updated) == (1, 1)

    report = services.leads_import(path=path, mapping=str(crm_mapping), overwrite=True)

    assert custom_of("Acme Robotics") == {"crm_used": "Salesforce CRM", "seats": "40"}
    assert custom_of("Beta") == {"crm_used": "Pipedrive"}
    assert (report.updated, report.unchanged) == (1, 1)


def test_a_willing_answer_still_fills_a_company_tagged_before(write_csv, sam, acme):
    qualifier_update(actor=sam, company=acme, tags=["vip"])
    services.leads_import(path=write_csv([["Company", "Website", "Willing to be measured"],
                                          ["Acme Robotics", "acme.example", "yes"]]))
    qualifier = Qualifier.objects.get(company=acme)
    assert (qualifier.willing_to_be_measured, qualifier.tags) == ("yes", ["vip"])


def test_a_row_with_an_over_long_tag_is_rejected_naming_the_column(write_csv, db):
    path = write_csv([["Company", "Labels"], ["Acme", "partner, " + "x" * 41], ["Beta", "partner"]])
    report = services.leads_import(path=path)
    assert (report.created, report.rejected) == (1, 1)
    [rejected] = read_rejected(path)
    assert rejected["row"] == "2" and rejected["reason"] == f"Labels tag {'x' * 41!r} is longer than 40 characters"
    assert rejected["Company"] == "Acme"
    assert not Company.objects.filter(name="Acme").exists()


def test_a_row_with_an_over_long_custom_value_is_rejected_naming_the_column(write_csv, crm_mapping, db):
    path = write_csv([["Company", "CRM in use"], ["Acme", "x" * 201], ["Beta", "sfdc"]])
    report = services.leads_import(path=path, mapping=str(crm_mapping))
    assert (report.created, report.rejected) == (1, 1)
    assert read_rejected(path)[0]["reason"] == "CRM in use is longer than 200 characters"


@pytest.mark.parametrize("fork", [False, True], ids=["in-process", "forked reader"])
def test_a_row_that_would_give_a_company_more_than_30_tags_is_rejected_whole(write_csv, sam, acme, fork):
    qualifier_update(actor=sam, company=acme, tags=[f"t{i}" for i in range(28)])
    path = write_csv([["Company", "Website", "Industry", "Tags"],
                      ["Acme Robotics", "acme.example", "", "t1, new1, new2"],
                      ["Acme Robotics", "acme.example", "", "new3, new4"],
                      ["Other", "other.example", "", ", ".join(f"o{i}" for i in range(31))]])
    report = services.leads_import(path=path, fork=fork)
    assert (report.updated, report.rejected, report.created) == (1, 2, 0) and report.adds_up
    assert tags_of("Acme Robotics")[-2:] == ["new1", "new2"] and len(tags_of("Acme Robotics")) == 30
    assert [(r["row"], r["reason"], r["Tags"]) for r in read_rejected(path)] == [
        ("4", "Tags holds 31 tags; a company carries at most 30", ", ".join(f"o{i}" for i in range(31))),
        ("3", "Tags would give the company 32 tags; a company carries at most 30", "new3, new4")]


@pytest.mark.parametrize("name", ["custom.CRM used", "custom.", "custom.9lives", "crm_used"])
def test_a_bad_custom_field_name_in_the_mapping_names_the_file_and_the_header(write_csv, tmp_path, db, name):
    mapping = tmp_path / "crm.toml"
    mapping.write_text(f'[columns]\n"CRM in use" = "{name}"\n')
    with pytest.raises(BadFile) as error:
        services.leads_import(path=write_csv([["Company", "CRM in use"], ["Acme", "sfdc"]]), mapping=str(mapping))
    assert f"crm.toml: column 'CRM in use' maps to {name!r}, which is not" in str(error.value)
    assert not Company.objects.exists()


def test_imported_tags_and_custom_fields_tier_the_companies_in_the_same_run(write_csv, crm_mapping, maya):
    services.framework_save(actor=maya, tier_a_min=50, tier_b_min=20, criteria=[
        {"key": "partner", "label": "Came through a partner", "kind": "has_tag", "tags": ["partner"], "points": 40},
        {"key": "crm_known", "label": "We know their CRM", "kind": "custom_present", "field": "crm_used",
         "points": 10},
        {"key": "on_salesforce", "label": "Runs Salesforce", "kind": "custom_value", "field": "crm_used",
         "values": ["salesforce"], "points": 25}])
    mapping = crm_mapping.parent / "all.toml"
    mapping.write_text(crm_mapping.read_text() + '"Tags" = "tags"\n')
    path = write_csv([["Company", "Tags", "CRM in use"],
                      ["Acme", "Partner", "Salesforce"],
                      ["Beta", "partner", ""],
                      ["Gamma", "", "Pipedrive"],
                      ["Delta", "", ""]])

    report = services.leads_import(path=path, mapping=str(mapping))

    fits = {f.company.name: (f.tier, f.score) for f in CompanyFit.objects.select_related("company")}
    assert fits == {"Acme": ("A", 75), "Beta": ("B", 40), "Gamma": ("C", 10), "Delta": ("C", 0)}
    assert report.tiers == {"A": 1, "B": 1, "C": 2}


def test_tagging_existing_companies_by_import_rescores_them(write_csv, maya, sam, acme):
    services.framework_save(actor=maya, tier_a_min=50, tier_b_min=20, criteria=[
        {"key": "partner", "label": "Came through a partner", "kind": "has_tag", "tags": ["partner"], "points": 60}])
    assert CompanyFit.objects.get(company=acme).tier == "C"
    report = services.leads_import(path=write_csv([["Website", "Tags"], ["acme.example", "partner"]]))
    assert (report.updated, CompanyFit.objects.get(company=acme).tier) == (1, "A")


def test_an_export_imports_back_to_the_same_tags(tmp_path, sam, acme):
    globex = crm.company_create(actor=sam, name="Globex", domain="globex.example")
    crm.company_create(actor=sam, name="Plain", domain="plain.example")
    qualifier_update(actor=sam, company=acme, tags=["partner", "event 2026", "vip"])
    qualifier_update(actor=sam, company=globex, tags=["-minus first", "o'brien"])
    before = {c.name: getattr(c, "qualifier", None) and c.qualifier.tags for c in Company.objects.all()}
    path = tmp_path / "companies.csv"
    assert exports.records_export(kind="companies", path=path) == 3
    with open(path, encoding="utf-8-sig", newline="") as f:
        tags = [row["tags"] for row in csv.DictReader(f)]
    assert tags == ["partner, event 2026, vip", "'-minus first, o'brien", ""], "neutralised, and still read back"
    Company.objects.all().delete()

    report = services.leads_import(path=path)

    assert report.created == 3
    after = {c.name: getattr(c, "qualifier", None) and c.qualifier.tags for c in Company.objects.all()}
    assert after == before


def test_the_export_neutralises_a_tags_cell_that_would_run_as_a_formula(tmp_path, sam, acme):
    qualifier_update(actor=sam, company=acme, tags=["=cmd"])
    path = tmp_path / "companies.csv"
    exports.records_export(kind="companies", path=path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        assert next(csv.DictReader(f))["tags"] == "'=cmd"


def test_the_upload_preview_shows_a_tags_column_mapped(client_for, sam):
    client = client_for(sam)
    job = uploaded_job(client, csv_bytes([["Company Name", "Website", "Labels"], ["Acme", "acme.example", "vip"]]))
    assert job.kind == "companies" and job.mapping["columns"]["tags"] == 2
    html = client.get(preview_url(job)).content.decode()
    assert '<option value="tags" selected>Tags</option>' in html
    client.post(preview_url(job), mapping_post(job))
    assert run_job(job).status == ImportStatus.DONE
    assert tags_of("Acme") == ["vip"]
