"""The board's column totals: one per currency, never dollars and euros added into one number."""

import pytest
from django.urls import reverse

from touchbase.crm import services
from touchbase.crm.selectors import board


@pytest.fixture
def mixed_qualify(sam, acme, stages):
    for title, minor, currency in (("Acme US", 12_000_000, "USD"), ("Acme EU", 4_000_000, "EUR"),
                                   ("Acme spares", 50_000, "USD")):
        services.deal_create(actor=sam, company=acme, title=title, amount_minor=minor, currency=currency,
                             stage=stages["Qualify"])
    services.deal_create(actor=sam, company=acme, title="Acme demo", amount_minor=900_000, currency="GBP",
                         stage=stages["Demo"])


def test_each_column_totals_each_currency_apart(mixed_qualify, pipeline):
    columns = {column.stage.name: column for column in board(pipeline=pipeline)[0]}
    qualify = columns["Qualify"]
    assert qualify.count == 3
    assert qualify.totals == {"USD": 12_050_000, "EUR": 4_000_000}
    assert qualify.totals_text == "€40k + $120.5k"
    assert columns["Demo"].totals_text == "£9k"
    assert columns["Proposal"].totals_text == "0" and columns["Proposal"].count == 0


def test_the_board_page_shows_the_per_currency_totals(mixed_qualify, client_for, sam):
    html = client_for(sam).get(reverse("crm:board")).content.decode()
    assert "€40k + $120.5k" in html
    assert "$160.5k" not in html  # the old sum of dollars and euros
