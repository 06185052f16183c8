"""The board's column totals: one per currency, never dollars and euros added into one number."""

import re

import pytest
from django.urls import reverse

from touchbase.crm import services
from touchbase.crm.models import Deal
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


def _heads(html: str) -> dict[str, str]:
    """Column headers in a move answer: stage id -> 'count · totals'."""
    return {m[0]: f"{m[1]} · {m[2]}" for m in re.findall(
        r'data-column-head="(\d+)".*?<span data-count>(\d+)</span> · <span data-totals>([^<]*)</span>', html, re.S)}


def test_a_move_answers_with_the_new_headers_of_the_column_left_and_the_column_entered(mixed_qualify, client_for,
                                                                                        sam, stages):
    deal = Deal.objects.get(title="Acme US")
    response = client_for(sam).post(reverse("crm:deal_move", args=[deal.pk]),
                                    {"stage": stages["Demo"].pk, "version": deal.version,
                                     "override_reason": "bought on the call"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert _heads(response.content.decode()) == {str(stages["Qualify"].pk): "2 · €40k + $500",
                                                  str(stages["Demo"].pk): "2 · £9k + $120k"}


def test_a_move_to_a_closed_stage_answers_with_the_left_column_alone(mixed_qualify, client_for, sam, stages):
    deal = Deal.objects.get(title="Acme EU")
    response = client_for(sam).post(reverse("crm:deal_move", args=[deal.pk]),
                                    {"stage": stages["Won"].pk, "version": deal.version,
                                     "override_reason": "signed"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert _heads(response.content.decode()) == {str(stages["Qualify"].pk): "2 · $120.5k"}


def test_a_stale_move_answers_with_every_open_column_header(mixed_qualify, client_for, sam, maya, stages):
    deal = Deal.objects.get(title="Acme US")
    seen = deal.version
    services.deal_move_stage(actor=maya, deal=deal, stage=stages["Demo"], override_reason="call")
    response = client_for(sam).post(reverse("crm:deal_move", args=[deal.pk]),
                                    {"stage": stages["Discovery"].pk, "version": seen}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    heads = _heads(response.content.decode())
    assert heads[str(stages["Qualify"].pk)] == "2 · €40k + $500"
    assert heads[str(stages["Demo"].pk)] == "2 · £9k + $120k"
    assert heads[str(stages["Discovery"].pk)] == "0 · 0"
    assert str(stages["Won"].pk) not in heads
