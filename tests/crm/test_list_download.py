"""The company, people and deal lists download what they show (every page, same filters) as CSV or Excel."""

import csv
import io

from openpyxl import load_workbook

from touchbase.crm import services


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_company_list_downloads_its_filtered_records_formula_safe(sam, acme, client_for):
    services.company_create(actor=sam, name="=HYPERLINK(\"http://evil.example\")", domain="evil.example")
    services.company_create(actor=sam, name="Acorn Labs", domain="acorn.example")
    client = client_for(sam)

    everything = csv_rows(client.get("/companies/?format=csv"))
    assert everything[0][:3] == ["name", "domain", "website"]
    names = sorted(row[0] for row in everything[1:])
    assert names == ["'=HYPERLINK(\"http://evil.example\")", "Acme Robotics", "Acorn Labs"]

    filtered = csv_rows(client.get("/companies/?q=Ac&sort=name&format=csv"))
    assert [row[0] for row in filtered[1:]] == ["Acme Robotics", "Acorn Labs"]  # the list's filter and order


def test_people_download_as_excel_with_every_page(sam, acme, client_for):
    for i in range(60):  # more than one page of the list
        services.person_create(actor=sam, first_name=f"P{i:02d}", last_name="Lopez", company=acme,
                               email=f"p{i}@acme.example")
    response = client_for(sam).get("/people/?q=Lopez&format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("first_name", "last_name", "email") and len(rows) == 61
    assert {row[2] for row in rows[1:]} == {f"p{i}@acme.example" for i in range(60)}


def test_the_deal_list_downloads_amounts_exactly(sams_deal, sam, client_for):
    rows = csv_rows(client_for(sam).get("/deals/?format=csv"))
    header, [deal] = rows[0], rows[1:]
    assert deal[header.index("title")] == "Acme pilot" and deal[header.index("amount")] == "24000.00"


def test_the_list_page_offers_the_download_with_its_filters_and_refuses_other_formats(sam, acme, client_for):
    client = client_for(sam)
    page = client.get("/companies/?q=Ac&page=1").content.decode()
    assert 'href="?q=Ac&amp;format=csv"' in page and 'href="?q=Ac&amp;format=xlsx"' in page
    refused = client.get("/companies/?format=pdf")
    assert refused.status_code == 400 and b"csv or xlsx" in refused.content


def test_nobody_logged_out_downloads_a_list(client, acme):
    response = client.get("/companies/?format=csv")
    assert response.status_code == 302 and "/login" in response["Location"]
