"""The pipeline board in a real browser: drag a deal, tick its exit criteria in place, and it stays moved."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD  # the root conftest: the personas share it
from touchbase.crm import services
from touchbase.crm.models import Deal, ExitCriterion, Pipeline, Stage
from touchbase.crm.pipeline_defaults import create_default_pipeline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()


def test_a_seller_drags_a_deal_to_the_next_stage_after_ticking_its_criteria(page, live_server, sam, acme, dana):
    pipeline = create_default_pipeline(Pipeline, Stage, ExitCriterion)
    qualify, discovery = pipeline.stages.order_by("order")[:2]
    deal = services.deal_create(actor=sam, company=acme, contact=dana, title="Acme pilot", amount_minor=2_400_000,
                                stage=qualify)

    log_in(page, live_server, sam.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Board").click()
    card = page.locator(f"#deal-{deal.pk}")
    target = page.locator(f'[data-stage-drop="{discovery.pk}"]')
    expect(page.locator(f'[data-stage-drop="{qualify.pk}"]').locator(card)).to_be_visible()

    card.drag_to(target)

    dialog = page.locator("#move-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Check the exit criteria first")
    boxes = dialog.locator(".checklist input[type=checkbox]")
    expect(boxes).to_have_count(qualify.exit_criteria.count())
    for i in range(boxes.count()):
        boxes.nth(i).click()
        expect(dialog.locator(".checklist li.checked")).to_have_count(i + 1)
    dialog.get_by_role("button", name=f"Move to {discovery.name}").click()

    expect(dialog).to_be_hidden()
    expect(target.locator(f"#deal-{deal.pk}")).to_be_visible()
    page.reload()
    expect(page.locator(f'[data-stage-drop="{discovery.pk}"]').locator(f"#deal-{deal.pk}")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage == discovery


def test_a_stale_card_is_reported_and_put_where_the_deal_really_is(page, live_server, sam, maya, acme):
    pipeline = create_default_pipeline(Pipeline, Stage, ExitCriterion)
    qualify, discovery, demo = pipeline.stages.order_by("order")[:3]
    deal = services.deal_create(actor=sam, company=acme, title="Acme pilot", stage=qualify)

    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/board/")
    services.deal_move_stage(actor=maya, deal=Deal.objects.get(pk=deal.pk), stage=demo, override_reason="call")
    page.locator(f"#deal-{deal.pk}").drag_to(page.locator(f'[data-stage-drop="{discovery.pk}"]'))

    expect(page.locator("#toast")).to_contain_text("moved to Demo by someone else")
    expect(page.locator(f'[data-stage-drop="{demo.pk}"]').locator(f"#deal-{deal.pk}")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage == demo
