"""`touchbase import`: lead lists in every common shape become deduplicated, normalised, tiered records."""

import csv
import json
import random

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from touchbase.crm.models import Company, Person
from touchbase.prospecting import services
from touchbase.prospecting.files import BadFile
from touchbase.prospecting.models import CompanyFit, Qualifier

HEADER = ["First Name", "Last Name", "Email", "Phone", "Title", "Company", "Website", "Country"]
ROWS = [
    ["Dana", "Reyes", "DANA@Acme.example", "(415) 555-0100", "VP Sales", "Acme", "https://www.acme.example/", "US"],
    ["Lee", "Ng", "lee@gmail.com", "+4930123456", "", "", "", "DE"],
    ["", "", "not-an-email", "", "", "Nowhere", "", ""],
    ["Dana", "", "dana@acme.example", "", "CEO", "Acme", "", "US"],
    ["Kim", "Park", "", "+1 212 555 0199", "Head of Ops", "Beta Corp", "", "United States"],
    ["", "", "", "+1 212 555 0100", "", "Beta Corp", "", ""],
]


def read_rejected(path):
    with open(f"{path}.rejected.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_a_people_list_becomes_people_linked_to_companies(write_csv, db):
    path = write_csv([HEADER, *ROWS])

    report = services.leads_import(path=path)

    assert (report.kind, report.rows, report.created, report.updated, report.unchanged, report.rejected) == \
        ("people", 6, 3, 0, 1, 2)
    assert report.adds_up
    dana = Person.objects.get(email="dana@acme.example")
    assert (dana.first_name, dana.last_name, dana.phone, dana.title) == ("Dana", "Reyes", "+14155550100", "VP Sales")
    assert dana.company.domain == "acme.example"
    assert dana.company.website == "https://acme.example"
    assert dana.source == "import"
    lee = Person.objects.get(email="lee@gmail.com")
    assert lee.company is None, "a free-mail address must not create a company"
    kim = Person.objects.get(first_name="Kim")
    assert (kim.email, kim.phone, kim.company.name) == ("", "+12125550199", "Beta Corp")
    assert sorted(Company.objects.values_list("name", flat=True)) == ["Acme", "Beta Corp"]


def test_rejected_rows_are_written_beside_the_file_with_row_number_and_reason(write_csv, db):
    path = write_csv([HEADER, *ROWS])
    report = services.leads_import(path=path)
    rejected = read_rejected(path)
    assert report.rejected_file == f"{path}.rejected.csv"
    assert [(r["row"], r["reason"]) for r in rejected] == [
        ("4", "Email 'not-an-email' is not an email address"),
        ("7", "the row has neither an email nor a name"),
    ]
    assert rejected[0]["Company"] == "Nowhere", "the original values are kept so the row can be fixed"


def test_every_company_an_import_touches_is_scored_and_tiered(write_csv, db):
    path = write_csv([HEADER, *ROWS])
    report = services.leads_import(path=path)
    fits = {f.company.name: f for f in CompanyFit.objects.select_related("company")}
    assert set(fits) == {"Acme", "Beta Corp"}
    # Default framework: a US company (15) with a senior contact (20); industry and size unknown.
    assert fits["Acme"].score == 35 and fits["Acme"].tier == "C"
    assert "senior_contact" in fits["Acme"].met and "industry" in fits["Acme"].missed
    assert sum(report.tiers.values()) == 2


def test_reimporting_the_same_file_changes_nothing(write_csv, snapshot):
    path = write_csv([HEADER, *ROWS])
    services.leads_import(path=path)
    before = snapshot()

    report = services.leads_import(path=path)

    assert snapshot() == before
    assert (report.created, report.updated, report.rejected) == (0, 0, 2)
    assert report.unchanged == 4 and report.adds_up


def test_a_duplicate_later_in_the_file_only_fills_empty_fields(write_csv, db):
    path = write_csv([HEADER,
                      ["Ada", "", "ada@beta.io", "", "Engineer", "", "", ""],
                      ["Adaline", "Byron", "ADA@beta.io", "+442079460958", "CTO", "", "", ""]])
    report = services.leads_import(path=path)
    ada = Person.objects.get(email="ada@beta.io")
    assert (ada.first_name, ada.last_name, ada.phone, ada.title) == ("Ada", "Byron", "+442079460958", "Engineer")
    assert (report.created, report.updated) == (1, 1)


def test_existing_people_are_only_filled_in_unless_overwrite(write_csv, dana):
    path = write_csv([HEADER, ["Dana", "Reyes", "dana@acme.example", "+1 415 555 0100", "COO", "Acme", "", "US"]])

    report = services.leads_import(path=path)
    dana.refresh_from_db()
    assert (dana.title, dana.phone) == ("VP Operations", "+14155550100")
    assert report.updated == 1

    report = services.leads_import(path=path, overwrite=True)
    dana.refresh_from_db()
    assert dana.title == "COO"
    assert report.updated == 1


def test_a_person_without_email_is_matched_by_name_and_company(write_csv, db):
    rows = [HEADER, ["Kim", "Park", "", "", "Head of Ops", "Beta Corp", "", ""]]
    services.leads_import(path=write_csv(rows))
    report = services.leads_import(path=write_csv([HEADER, ["kim", "PARK", "", "+12125550199", "", "beta corp",
                                                            "", ""]], name="second.csv"))
    assert Person.objects.count() == 1
    assert Person.objects.get().phone == "+12125550199"
    assert report.updated == 1


def test_a_dry_run_reports_everything_and_saves_nothing(write_csv, snapshot):
    before = snapshot()
    report = services.leads_import(path=write_csv([HEADER, *ROWS]), dry_run=True)
    assert (report.created, report.rejected) == (3, 2)
    assert snapshot() == before


def test_chunks_do_not_change_the_outcome(write_csv, db, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_CHUNK", 2)
    rows = [HEADER] + [[f"P{i}", "X", f"p{i % 7}@co{i % 7 % 3}.example", "", "", "", "", ""] for i in range(20)]
    report = services.leads_import(path=write_csv(rows))
    assert (report.created, report.updated + report.unchanged) == (7, 13)
    assert Person.objects.count() == 7
    assert Company.objects.count() == 3
    assert Person.objects.get(email="p3@co0.example").first_name == "P3", "the first row wins"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_in_any_common_encoding_and_delimiter(write_csv, db, encoding, delimiter):
    rows = [HEADER,
            ["Zoë", "Müller", "zoe@café.example".replace("é", "e"), "", "Directrice, Ventes", "Société Générale",
             "", "FR"],
            ["Line", "Break", "line@x.example", "", "Head of\nSales", "X", "", ""]]
    report = services.leads_import(path=write_csv(rows, encoding=encoding, delimiter=delimiter))
    assert report.created == 2
    zoe = Person.objects.get(email="zoe@cafe.example")
    assert (zoe.first_name, zoe.last_name, zoe.title) == ("Zoë", "Müller", "Directrice, Ventes")
    assert zoe.company.name == "Société Générale"
    assert Person.objects.get(email="line@x.example").title == "Head of Sales"


def test_an_xlsx_workbook_is_imported(tmp_path, db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Company Name", "Website", "Industry", "Employees", "Country", "Willing to be measured"])
    sheet.append(["Acme Robotics", "https://acme.example", "Robotics", 120, "US", "yes"])
    sheet.append(["Tiny", "tiny.example", "Software", 4.0, "Germany", "no"])
    path = tmp_path / "accounts.xlsx"
    workbook.save(path)

    report = services.leads_import(path=path)

    assert (report.kind, report.format, report.created) == ("companies", "xlsx", 2)
    acme = Company.objects.get(domain="acme.example")
    assert (acme.name, acme.industry, acme.employee_count, acme.country) == ("Acme Robotics", "Robotics", 120, "US")
    assert Qualifier.objects.get(company=acme).willing_to_be_measured == "yes"
    assert acme.fit.score == 25 + 25 + 15 + 15 and acme.fit.tier == "A"
    assert Company.objects.get(domain="tiny.example").employee_count == 4


def test_a_hubspot_contacts_export_is_recognised_and_mapped(write_csv, db):
    header = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Job Title", "Company Name",
              "Contact owner", "Lifecycle Stage", "Country/Region", "Create Date"]
    row = ["1001", "Dana", "Reyes", "dana@acme.example", "4155550100", "VP Sales", "Acme", "sam@example.com",
           "lead", "United States", "2024-01-02"]
    report = services.leads_import(path=write_csv([header, row], name="hubspot-contacts.csv"))
    assert report.mapping == "hubspot"
    assert report.columns["phone"] == "Phone Number" and report.columns["company"] == "Company Name"
    assert "Record ID" in report.ignored_columns
    dana = Person.objects.get(email="dana@acme.example")
    assert (dana.phone, dana.title, dana.company.name, dana.company.country) == \
        ("+14155550100", "VP Sales", "Acme", "US")


def test_companies_are_deduplicated_by_domain_then_by_name(write_csv, acme):
    header = ["Company", "Website", "Industry", "Employees"]
    rows = [["ACME Robotics Inc", "http://www.acme.example", "", "130"],
            ["acme robotics", "", "Hardware", ""],
            ["Beta", "beta.example", "Software", "60"],
            ["beta", "", "", "70"]]
    report = services.leads_import(path=write_csv([header, *rows]))
    assert (report.created, report.updated, report.unchanged) == (1, 1, 2)
    assert Company.objects.filter(domain="acme.example").count() == 1
    acme.refresh_from_db()
    assert (acme.name, acme.employee_count, acme.industry) == ("Acme Robotics", 120, "Robotics"), \
        "existing values are kept"
    assert acme.website == "https://acme.example", "an empty field is filled in"
    assert Company.objects.get(domain="beta.example").employee_count == 60


def test_a_toml_mapping_names_the_columns(write_csv, tmp_path, db):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('kind = "people"\n[columns]\n"Correo" = "email"\n"Nombre" = "full_name"\n"Org" = "company"\n')
    path = write_csv([["Nombre", "Correo", "Org"], ["Ana María López", "ana@rio.example", "Río"]])
    report = services.leads_import(path=path, mapping=str(mapping))
    assert report.mapping == "mapping.toml"
    ana = Person.objects.get(email="ana@rio.example")
    assert (ana.first_name, ana.last_name, ana.company.name) == ("Ana", "María López", "Río")


def test_the_owner_owns_what_the_import_creates(write_csv, sam):
    call_command("import", str(write_csv([HEADER, *ROWS])), "--owner", "SAM@example.com", stdout=open("/dev/null", "w"))
    assert set(Person.objects.values_list("owner__email", flat=True)) == {"sam@example.com"}
    assert set(Company.objects.values_list("owner__email", flat=True)) == {"sam@example.com"}


def test_an_unknown_owner_is_refused(write_csv, db):
    with pytest.raises(CommandError, match="no active user"):
        call_command("import", str(write_csv([HEADER, *ROWS])), "--owner", "nobody@example.com")
    assert not Person.objects.exists()


def test_the_json_report_adds_up(write_csv, db, capsys):
    call_command("import", str(write_csv([HEADER, *ROWS])), "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["created"] + report["updated"] + report["unchanged"] + report["rejected"] == report["rows"] == 6
    assert report["columns"]["email"] == "Email"


def test_the_text_report_names_every_count(write_csv, db, capsys):
    call_command("import", str(write_csv([HEADER, *ROWS])), "--dry-run")
    out = capsys.readouterr().out
    for line in ("6 people rows read", "created            3", "rejected           2", "dry run"):
        assert line in out
    assert not Person.objects.exists()


# Bad input: a clear message saying file, row and column, and the database exactly as before.

def _bad_files(tmp_path):
    good = "First Name,Email\r\nDana,dana@a.example\r\n"
    rng = random.Random(4)
    return {
        "pdf": (b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(2000)), "not a CSV or XLSX"),
        "garbage": (bytes(rng.randrange(256) for _ in range(5000)), "binary data"),
        "empty": (b"", "the file is empty"),
        "blank lines": (b"\r\n\r\n  \r\n", "the file is empty"),
        "header only": (b"First Name,Email\r\n", "row 2: the file has a header row but no data rows"),
        "no email or name": (b"Favourite Colour,Shoe Size\r\nblue,42\r\n",
                             "row 1: no column holds a person's email or name"),
        "too many fields": ((good + "Lee,lee@b.example,surprise\r\n").encode(),
                            "row 3, column 3: the row has 3 fields but the header has 2"),
        "huge cell": ((good + "Lee," + "x" * 50_000_000 + "\r\n").encode(),
                      "row 3, column 2 (Email): a cell is longer than 65,536 characters"),
        "quoted huge cell": ((good + 'Lee,"' + "y" * 200_000 + '"\r\n').encode(),
                             "row 3, column 2 (Email): a cell is longer than 65,536 characters"),
        # Over the limit but under what the line reader and the csv module stop at by themselves.
        "long cell": ((good + "Lee," + "z" * 70_000 + "\r\n").encode(),
                      "row 3, column 2 (Email): a cell is longer than 65,536 characters"),
        "long cell over many lines": ((good + 'Lee,"' + ("w" * 99 + "\n") * 700 + '"\r\n').encode(),
                                      "row 3, column 2 (Email): a cell is longer than 65,536 characters"),
        "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old Excel (.xls)"),
        "broken xlsx": (b"PK\x03\x04" + b"\x00" * 300, "not a readable XLSX workbook"),
    }


@pytest.mark.parametrize("case", ["pdf", "garbage", "empty", "blank lines", "header only", "no email or name",
                                  "too many fields", "huge cell", "quoted huge cell", "long cell",
                                  "long cell over many lines", "old excel", "broken xlsx"])
def test_a_bad_file_says_where_and_changes_nothing(tmp_path, snapshot, dana, case):
    data, message = _bad_files(tmp_path)[case]
    path = tmp_path / "leads.csv"
    path.write_bytes(data)
    before = snapshot()

    with pytest.raises(CommandError) as error:
        call_command("import", str(path))

    assert str(error.value).startswith("leads.csv")
    assert message in str(error.value)
    assert "Nothing was imported" in str(error.value)
    assert snapshot() == before
    assert not (tmp_path / "leads.csv.rejected.csv").exists()


def test_a_bad_row_after_good_ones_leaves_no_half_import(write_csv, snapshot, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_CHUNK", 2)
    before = snapshot()
    rows = [HEADER, *ROWS[:2], ROWS[3], ROWS[4], ["a", "b", "c@d.example", "", "", "", "", "", "extra"]]
    with pytest.raises(BadFile, match="row 6, column 9"):
        services.leads_import(path=write_csv(rows))
    assert snapshot() == before


def test_a_missing_file_is_named(tmp_path, db):
    with pytest.raises(CommandError, match="nowhere.csv: there is no such file"):
        call_command("import", str(tmp_path / "nowhere.csv"))


def test_a_big_file_parsed_in_a_second_process_gives_the_same_result(write_csv, snapshot, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_CHUNK", 2)
    path = write_csv([HEADER, *ROWS])
    forked = services.leads_import(path=path, fork=True)
    after = snapshot()
    again = services.leads_import(path=path, fork=True)
    assert (forked.created, forked.updated, forked.unchanged, forked.rejected) == (3, 0, 1, 2)
    assert [r["reason"] for r in read_rejected(path)] == ["Email 'not-an-email' is not an email address",
                                                          "the row has neither an email nor a name"]
    assert (again.created, again.updated) == (0, 0)
    assert snapshot() == after


def test_a_bad_row_found_by_the_second_process_leaves_no_half_import(write_csv, snapshot, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_CHUNK", 2)
    before = snapshot()
    rows = [HEADER, *ROWS[:2], ROWS[3], ROWS[4], ["a", "b", "c@d.example", "", "", "", "", "", "extra"]]
    with pytest.raises(BadFile, match="row 6, column 9: the row has 9 fields but the header has 8"):
        services.leads_import(path=write_csv(rows), fork=True)
    assert snapshot() == before


def _indexes():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                       "AND tbl_name IN ('crm_person', 'crm_company') ORDER BY name")
        return cursor.fetchall()


def test_a_big_import_builds_the_indexes_again_and_a_failed_one_keeps_them(write_csv, db, monkeypatch):
    from django.db import connection

    from touchbase.prospecting import importer

    if connection.vendor != "sqlite":
        pytest.skip("indexes are set aside only on SQLite")
    monkeypatch.setattr(importer, "BIG_IMPORT_ROWS", 0)
    before = _indexes()
    services.leads_import(path=write_csv([HEADER, *ROWS]))
    assert _indexes() == before
    assert Person.objects.filter(email="dana@acme.example").exists()
    with pytest.raises(BadFile):
        services.leads_import(path=write_csv([HEADER, ROWS[0], [*ROWS[1], "extra"]], name="bad.csv"))
    assert _indexes() == before
