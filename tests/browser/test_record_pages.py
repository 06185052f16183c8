"""A person's page in a real browser: log a touch and tick off a task without reloading the page."""

import pytest
from playwright.sync_api import expect

from touchbase.crm import services
from touchbase.crm.models import Task, Touch

from .test_board import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_logging_a_touch_adds_it_to_the_timeline_and_fills_the_gauge(page, live_server, sam, dana):
    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/people/{dana.pk}/")
    expect(page.locator("#gauge")).to_contain_text("0 of 7 touches")

    form = page.locator("#touch-form")
    form.get_by_label("Kind").select_option("meeting")
    form.get_by_label("Summary").fill("Walked Dana through the pilot plan")
    form.get_by_role("button", name="Log touch").click()

    expect(page.locator("#timeline .touch").first).to_contain_text("Walked Dana through the pilot plan")
    expect(page.locator("#gauge")).to_contain_text("1 of 7 touches")
    expect(page.locator("#gauge .gauge-bar span.on")).to_have_count(1)
    expect(page.locator("#touch-form").get_by_label("Summary")).to_have_value("")


def test_a_touch_without_a_summary_is_stopped_before_it_is_sent(page, live_server, sam, dana):
    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/people/{dana.pk}/")
    page.locator("#touch-form").get_by_role("button", name="Log touch").click()
    summary = page.locator("#touch-form").get_by_label("Summary")
    assert summary.evaluate("box => box.validity.valueMissing")
    expect(page.locator("#timeline-empty")).to_be_visible()
    assert not Touch.objects.exists()


def test_adding_and_ticking_off_a_task(page, live_server, sam, dana):
    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/people/{dana.pk}/")
    page.locator("#task-form").get_by_label("Task").fill("Send the case study")
    page.locator("#task-form").get_by_role("button", name="Add task").click()
    row = page.locator("#tasks .task", has_text="Send the case study")
    expect(row).to_be_visible()

    row.get_by_role("button", name="Tick off Send the case study").click()
    expect(page.locator("#tasks .task.done", has_text="Send the case study")).to_be_visible()
    assert Task.objects.get(title="Send the case study").done


def test_ticking_an_exit_criterion_on_the_deal_page(page, live_server, sam, sams_deal):
    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/deals/{sams_deal.pk}/")
    page.get_by_label("Decision maker named").check()
    expect(page.locator("#exit-criteria li.checked")).to_have_count(1)
    assert [c.criterion.name for c in sams_deal.checks.all()] == ["Decision maker named"]
    assert services.missing_criteria(sams_deal)
