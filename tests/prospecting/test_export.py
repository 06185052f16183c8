"""`touchbase export`: records out to CSV or XLSX, filtered by tier and tag, never runnable as a formula."""

import csv

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from touchbase.crm import services as crm
from touchbase.prospecting import exports, services
from touchbase.prospecting.qualifiers import qualifier_update

HOSTILE = ["=HYPERLINK(\"http://evil.example\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def hostile_people(sam, acme):
    for n, title in enumerate(HOSTILE):
        crm.person_create(actor=sam, first_name=f"P{n}", email=f"p{n}@acme.example", title=title, company=acme)


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_cells_that_would_run_as_formulas_are_neutralised_in_csv(tmp_path, hostile_people):
    path = tmp_path / "people.csv"
    assert exports.records_export(kind="people", path=path) == len(HOSTILE)
    titles = [row["title"] for row in read_csv(path)]
    assert titles == ["'" + t for t in HOSTILE]


def test_cells_that_would_run_as_formulas_are_neutralised_in_xlsx(tmp_path, hostile_people):
    path = tmp_path / "people.xlsx"
    exports.records_export(kind="people", path=path)
    sheet = load_workbook(path).active
    titles = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # XLSX stores a lone CR as a line break, so compare the first five exactly and the last by its guard.
    assert titles[:5] == ["'" + t for t in HOSTILE[:5]]
    assert titles[5].startswith("'")
    assert all(not str(cell.value).startswith(("=", "+", "-", "@")) for row in sheet.iter_rows() for cell in row
               if cell.value is not None)


def test_export_only_one_tier(tmp_path, maya, sam, acme):
    crm.company_create(actor=sam, name="Nowhere Ltd")
    acme_fit = services.companies_rescore()
    assert acme_fit.after["A"] == 0
    services.company_set_qualifier(actor=sam, company=acme, willing_to_be_measured="yes")
    # Default framework: Robotics (25) + 120 people (25) + US (15) + measured (15) = 80 -> A.
    path = tmp_path / "a.csv"
    call_command("export", "companies", str(path), "--tier", "A", stdout=open("/dev/null", "w"))
    rows = read_csv(path)
    assert [(r["name"], r["tier"], r["score"]) for r in rows] == [("Acme Robotics", "A", "80")]


def test_deal_amounts_are_exported_exactly(tmp_path, sams_deal):
    path = tmp_path / "deals.csv"
    exports.records_export(kind="deals", path=path)
    assert read_csv(path)[0]["amount"] == "24000.00"


def test_an_unknown_format_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="people.pdf: export to a .csv or an .xlsx file"):
        call_command("export", "people", str(tmp_path / "people.pdf"))
    assert not (tmp_path / "people.pdf").exists()


@pytest.fixture
def tagged(sam, acme, dana):
    """Acme is a partner; Globex a 'partner-2026' (not a partner); Initech a partner at an event; Umbrella untagged."""
    globex = crm.company_create(actor=sam, name="Globex")
    initech = crm.company_create(actor=sam, name="Initech")
    umbrella = crm.company_create(actor=sam, name="Umbrella")
    qualifier_update(actor=sam, company=acme, tags=["Partner"], willing_to_be_measured="yes")
    qualifier_update(actor=sam, company=globex, tags=["partner-2026"])
    qualifier_update(actor=sam, company=initech, tags=["event", "partner"])
    qualifier_update(actor=sam, company=umbrella, tags=[])
    crm.person_create(actor=sam, first_name="Gil", email="gil@globex.example", company=globex)
    crm.person_create(actor=sam, first_name="Ines", email="ines@initech.example", company=initech)
    crm.person_create(actor=sam, first_name="Una", email="una@umbrella.example", company=umbrella)
    crm.person_create(actor=sam, first_name="Nobody", email="nobody@gmail.example")
    return {"globex": globex, "initech": initech, "umbrella": umbrella}


def test_export_only_companies_that_carry_a_tag(tmp_path, tagged):
    path = tmp_path / "partners.csv"
    call_command("export", "companies", str(path), "--tag", "partner", stdout=open("/dev/null", "w"))
    assert [r["name"] for r in read_csv(path)] == ["Acme Robotics", "Initech"]


def test_export_people_by_their_companys_tag(tmp_path, tagged):
    path = tmp_path / "partners.xlsx"
    # Spelt as a seller might type it: matched as stored (trimmed, lower-case).
    assert exports.records_export(kind="people", path=path, tag="  Partner ") == 2
    sheet = load_workbook(path).active
    assert [(row[2], row[5]) for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("dana@acme.example", "Acme Robotics"), ("ines@initech.example", "Initech")]


def test_export_tag_and_tier_together(tmp_path, tagged):
    # Default framework: Acme is A (Robotics, 120 people, US, measured); Initech has none of it.
    path = tmp_path / "a-partners.csv"
    call_command("export", "people", str(path), "--tier", "A", "--tag", "partner", stdout=open("/dev/null", "w"))
    assert [(r["email"], r["company_tier"]) for r in read_csv(path)] == [("dana@acme.example", "A")]


def test_export_a_tag_nobody_carries_writes_the_header_alone(tmp_path, tagged):
    path = tmp_path / "none.csv"
    assert exports.records_export(kind="deals", path=path, tag="reseller") == 0
    assert path.read_text(encoding="utf-8-sig").splitlines() == [",".join(exports.EXPORTS["deals"].header)]


def test_an_empty_tag_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="The tag is empty"):
        call_command("export", "companies", str(tmp_path / "c.csv"), "--tag", "  ")
    assert not (tmp_path / "c.csv").exists()
