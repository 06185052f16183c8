"""The board's column headers after a drag: the count and the per-currency totals of both columns follow the card."""

import pytest
from playwright.sync_api import expect

from touchbase.crm import services
from touchbase.crm.models import Deal

from .test_board import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_dragging_a_deal_moves_its_amount_from_one_column_total_to_the_other(page, live_server, sam, acme, stages):
    qualify, discovery = stages["Qualify"], stages["Discovery"]
    us = services.deal_create(actor=sam, company=acme, title="Acme US", amount_minor=12_000_000, currency="USD",
                              stage=qualify)
    services.deal_create(actor=sam, company=acme, title="Acme EU", amount_minor=4_000_000, currency="EUR",
                         stage=qualify)
    services.deal_create(actor=sam, company=acme, title="Acme spares", amount_minor=50_000, currency="USD",
                         stage=qualify)
    services.deal_create(actor=sam, company=acme, title="Acme UK", amount_minor=900_000, currency="GBP",
                         stage=discovery)
    for criterion in qualify.exit_criteria.all():  # so the drop moves the deal without asking
        services.deal_check_criterion(actor=sam, deal=us, criterion=criterion)

    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/board/")
    source = page.locator(f'[data-stage-drop="{qualify.pk}"]')
    target = page.locator(f'[data-stage-drop="{discovery.pk}"]')
    expect(source.locator("[data-totals]")).to_have_text("€40k + $120.5k")
    expect(target.locator("[data-totals]")).to_have_text("£9k")

    page.locator(f"#deal-{us.pk}").drag_to(target)

    expect(target.locator(f"#deal-{us.pk}")).to_be_visible()
    expect(source.locator("[data-totals]")).to_have_text("€40k + $500")
    expect(source.locator("[data-count]")).to_have_text("2")
    expect(target.locator("[data-totals]")).to_have_text("£9k + $120k")
    expect(target.locator("[data-count]")).to_have_text("2")
    assert Deal.objects.get(pk=us.pk).stage == discovery
