"""The report page's downloads and views: PDF, one table or all as CSV/JSON, the present view, links to deals."""

import csv
import io
import json

import pytest

from touchbase.crm import services as crm
from touchbase.metrics import exports, views

NOV = "/reports/monthly/2026-11"


def test_the_page_offers_pdf_and_each_table_as_csv_and_json(quarter, client_for):
    response = client_for(quarter.sam).get(NOV)
    html = response.content.decode()
    assert f'href="{NOV}?format=pdf"' in html
    tables = list(response.context["report"].tables())
    assert list(views.TABLES) == tables  # the menu names every table the exports hold
    for table in tables:
        assert f"{NOV}?format=csv&amp;table={table}" in html and f"{NOV}?format=json&amp;table={table}" in html


@pytest.mark.skipif(exports.find_chromium() is None, reason="needs Debian's chromium to print")
def test_the_pdf_downloads_from_the_page(quarter, client_for):
    response = client_for(quarter.sam).get(NOV, {"seller": quarter.sam.pk, "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="touchbase-monthly-2026-11-sam.pdf"' in response["Content-Disposition"]


def test_the_page_says_what_to_install_when_no_pdf_can_be_printed(quarter, client_for, monkeypatch):
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))
    response = client_for(quarter.sam).get(NOV, {"format": "pdf"})
    assert response.status_code == 503
    assert b"The PDF cannot be printed here" in response.content and b"apt-get install chromium" in response.content


def test_one_table_downloads_alone_with_its_own_header_and_formulas_defused(quarter, client_for):
    crm.deal_update(actor=quarter.sam, deal=quarter.deals["D1"], title="=HYPERLINK(\"http://evil\")")
    response = client_for(quarter.sam).get(NOV, {"format": "csv", "table": "moved"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert 'filename="touchbase-monthly-2026-11-company-moved.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["deal", "company", "from", "to", "when", "by"]
    assert "'=HYPERLINK(\"http://evil\")" in [row[0] for row in rows[1:]]
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)

    data = json.loads(client_for(quarter.sam).get(NOV, {"format": "json", "table": "leaderboard"}).content)
    assert list(data["tables"]) == ["leaderboard"]
    assert [seat["email"] for seat in data["tables"]["leaderboard"]] == ["sam@example.com", "ravi@example.com"]


def test_the_whole_csv_defuses_a_seller_name_in_its_title(quarter, client_for):
    quarter.sam.first_name, quarter.sam.last_name = "=cmd|' /C calc'!A0", ""
    quarter.sam.save()
    response = client_for(quarter.sam).get(NOV, {"format": "csv", "seller": quarter.sam.pk})
    first = next(csv.reader(io.StringIO(response.content.decode())))
    assert first[0] == "report" and first[1].startswith("'=cmd")


@pytest.mark.parametrize("query, status, says", [
    ({"format": "xml"}, 400, "'xml' is not a format: use csv, json or pdf"),
    ({"format": "csv", "table": "secrets"}, 400, "'secrets' is not a table of the report: use one of headline"),
    ({"format": "json", "table": "<b>x</b>"}, 400, "&lt;b&gt;x&lt;/b&gt;"),
])
def test_a_download_that_does_not_exist_says_why(quarter, client_for, query, status, says):
    response = client_for(quarter.sam).get(NOV, query)
    assert response.status_code == status
    assert says in response.content.decode().replace("&#x27;", "'")


def test_the_lists_link_each_deal_to_its_page(quarter, client_for):
    html = client_for(quarter.sam).get(NOV).content.decode()
    assert f'href="/deals/{quarter.deals["D1"].pk}/"' in html  # moved in November
    assert f'href="/deals/{quarter.deals["D6"].pk}/"' in html  # in the forecast


def test_the_present_view_splits_activity_from_results_and_present_0_is_the_page(quarter, client_for):
    client = client_for(quarter.sam)
    html = client.get(NOV, {"present": 1}).content.decode()
    activity = html[html.index("Activity, against targets"):html.index("Results, against targets")]
    results = html[html.index("Results, against targets"):html.index("Activity by month")]
    assert "Touches" in activity and "Revenue won" not in activity
    assert "Revenue won" in results and "Touches" not in results
    assert 'class="screen' in html and "Deals gone quiet" in html
    assert b'class="screen' not in client.get(NOV, {"present": 0}).content


def test_an_empty_period_presents_as_empty(quarter, client_for):
    html = client_for(quarter.sam).get("/reports/weekly/2020-W10", {"present": 1}).content.decode()
    assert "This report is empty" in html


@pytest.mark.parametrize("query", [{}, {"format": "csv"}, {"format": "pdf"}, {"present": 1}])
def test_reports_and_their_downloads_need_a_login(quarter, client, query):
    response = client.get(NOV, query)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
