"""The report pages and exports: the numbers a seller presents, in the open, safe to open in a spreadsheet."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from touchbase.crm import services as crm
from touchbase.metrics import charts, exports
from touchbase.metrics.exports import neutralise

W48 = "/reports/weekly/2026-W48"


def headline(report_json: dict) -> dict:
    return {row["measure"]: row for row in report_json["tables"]["headline"]}


def test_a_sellers_own_weekly_report_shows_their_numbers_in_their_zone(quarter, client_for):
    response = client_for(quarter.sam).get(W48, {"seller": quarter.sam.pk, "format": "json"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert (data["period"], data["time_zone"], data["seller"]) == ("2026-W48", "America/Chicago", "sam@example.com")
    assert headline(data)["Touches"]["actual"] == "4"
    assert headline(data)["Revenue won"]["actual"] == "$24,000"  # D1 won on Tuesday
    assert headline(data)["Touches"]["previous period"] == "1"  # T1, Sunday night in Chicago


def test_every_seller_sees_everyones_numbers_including_a_seller_who_left(quarter, client_for):
    page = client_for(quarter.sam).get("/reports/monthly/2026-11")
    assert page.status_code == 200
    board = page.context["report"].leaderboard
    assert [(seat.seller.email, seat.touches) for seat in board] == [
        ("sam@example.com", 5), ("ravi@example.com", 1)]  # won $24,000 before $6,000
    assert b"left</span>" in page.content
    assert client_for(quarter.sam).get("/reports/monthly/2026-11", {"seller": quarter.ravi.email}).status_code == 200


def test_headline_shows_target_and_percent(quarter, client_for, maya):
    from datetime import date

    from touchbase.metrics.services import target_set

    target_set(actor=maya, measure="touches", period="week", amount=60, seller=quarter.sam,
               starts_on=date(2026, 10, 1))
    data = json.loads(client_for(maya).get(W48, {"seller": "sam@example.com", "format": "json"}).content)
    touches = headline(data)["Touches"]
    assert (touches["target"], touches["percent"]) == ("45", "9%")  # 4 of a ramped 45


@pytest.mark.parametrize("url, says", [
    ("/reports/weekly/2026-W54", "2026 has weeks 1 to 53"),
    ("/reports/monthly/2026-13", "months run from 01 to 12"),
    ("/reports/daily/2026-11-02", "use weekly, monthly or quarterly"),
    (W48 + "?seller=maya@example.com", "is a manager, not a seller"),
    (W48 + "?seller=nobody@example.com", "is nobody on the team"),
    (W48 + "?seller=99999999999999999999999", "is nobody on the team"),
])
def test_a_report_that_does_not_exist_says_why(quarter, client_for, url, says):
    response = client_for(quarter.sam).get(url)
    assert response.status_code == 404
    assert says in response.content.decode().replace("&#x27;", "'")


def test_a_period_with_no_data_gives_an_empty_report_that_says_so(quarter, client_for):
    response = client_for(quarter.sam).get("/reports/weekly/2020-W10")
    assert response.status_code == 200
    assert b"This report is empty" in response.content
    assert b"This report is empty" not in client_for(quarter.sam).get(W48).content


def test_the_present_view_puts_one_section_on_each_screen(quarter, client_for):
    response = client_for(quarter.sam).get(W48, {"present": 1})
    assert response.status_code == 200
    assert response.content.count(b'<section class="screen">') >= 6


def test_names_are_escaped_in_the_page_and_in_the_charts(quarter, client_for, stages):
    deal = quarter.deals["D6"]
    crm.deal_update(actor=quarter.sam, deal=deal, title="<script>alert(1)</script>")
    html = client_for(quarter.sam).get("/reports/monthly/2026-11").content
    assert b"<script>alert(1)</script>" not in html
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html
    svg = charts.funnel("Stages", [("<b>Demo</b>", 2, "50%")])
    assert "<b>" not in svg and "&lt;b&gt;Demo&lt;/b&gt;" in svg


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell
    assert neutralise("Acme") == "Acme" and neutralise(None) == ""


def test_the_csv_export_holds_every_table_with_formulas_defused(quarter, client_for):
    crm.deal_update(actor=quarter.sam, deal=quarter.deals["D1"], title="=HYPERLINK(\"http://evil\")")
    response = client_for(quarter.sam).get("/reports/monthly/2026-11", {"format": "csv"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    tables = {row[0] for row in rows if row}
    assert {"headline", "stages", "leaderboard", "moved", "touches_by_kind"} <= tables
    moved_titles = [row[1] for row in rows if row and row[0] == "moved"]
    assert "'=HYPERLINK(\"http://evil\")" in moved_titles
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_the_command_writes_json_and_csv(quarter, tmp_path):
    out = tmp_path / "sam.json"
    call_command("report", "weekly", period="2026-W48", seller="sam@example.com", format="json", out=str(out))
    assert headline(json.loads(out.read_text()))["New conversations"]["actual"] == "1"
    out = tmp_path / "q4.csv"
    call_command("report", "quarterly", period="2026-Q4", time_zone="America/Chicago", format="csv", out=str(out))
    assert "Revenue won" in out.read_text()


@pytest.mark.parametrize("options, says", [
    ({"period": "2026-W54"}, "2026 has weeks 1 to 53"),
    ({"seller": "maya@example.com"}, "not a seller"),
    ({"time_zone": "Mars/Olympus"}, "is not a time zone"),
    ({"format": "pdf"}, "needs --out"),
])
def test_the_command_refuses_bad_input_with_a_clear_message(quarter, options, says):
    with pytest.raises(CommandError, match=says):
        call_command("report", "weekly", **options)


def test_the_pdf_says_what_to_install_when_chromium_is_missing(quarter, tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))
    with pytest.raises(CommandError, match="apt-get install chromium"):
        call_command("report", "weekly", period="2026-W48", format="pdf", out=str(tmp_path / "r.pdf"))
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.skipif(exports.find_chromium() is None, reason="needs Debian's chromium to print")
def test_the_pdf_is_printed_by_chromium(quarter, tmp_path):
    out = tmp_path / "w48.pdf"
    call_command("report", "weekly", period="2026-W48", seller="sam@example.com", format="pdf", out=str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_the_monday_mail_goes_once_to_each_active_seller_and_manager(quarter, alice, mailoutbox, monkeypatch):
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))  # the PDF has its own test
    call_command("report", "weekly", period="2026-W48", email=True)
    by_recipient = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_recipient) == {"sam@example.com", "maya@example.com", "alice@example.com"}  # Ravi has left
    sams = by_recipient["sam@example.com"]
    assert "Your weekly report" in sams.subject
    assert "- Touches: 4" in sams.body  # his own week, in Chicago
    assert "Company" in by_recipient["maya@example.com"].subject
    assert [name for name, _body, _type in sams.attachments] == ["touchbase-2026-W48.csv"]
    call_command("report", "weekly", period="2026-W48", email=True)
    assert len(mailoutbox) == 3  # run twice on a Monday, mailed once
