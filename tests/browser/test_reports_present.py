"""A seller presents their week in a real browser: the present view, one section a screen, and the downloads."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD  # the root conftest: the personas share it
from touchbase.crm import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()


@pytest.fixture
def sams_week(sam, dana):
    for kind in ("email", "call", "meeting", "email"):
        services.touch_log(actor=sam, kind=kind, summary=f"{kind} with Dana", person=dana, direction="out")
    return sam


def test_a_seller_presents_their_week_one_section_a_screen(page, live_server, sams_week):
    log_in(page, live_server, sams_week.email)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("Whose report").select_option(label=str(sams_week))
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(sams_week))
    page.get_by_role("link", name="Present").click()

    expect(page.locator(".topbar")).to_be_hidden()  # no site chrome while presenting
    screens = page.locator("section.screen")
    expect(screens).to_have_count(10)
    viewport = page.viewport_size["height"]
    for i in range(screens.count()):
        assert screens.nth(i).bounding_box()["height"] >= viewport - 1, f"screen {i} is shorter than the screen"
    heading_px = page.locator("section.screen h2").first.evaluate("h => parseFloat(getComputedStyle(h).fontSize)")
    assert heading_px >= 32  # large type
    touches = page.locator("section.screen").nth(1).locator(".tile").filter(has_text="Touches")
    expect(touches.locator(".value")).to_have_text("4")
    expect(page.get_by_role("img", name="Touches by week")).to_have_count(1)

    page.keyboard.press("PageDown")
    page.wait_for_function("() => Math.abs(document.querySelectorAll('section.screen')[1]"
                           ".getBoundingClientRect().top) < 4")  # snapped to the next screen


def test_the_tables_menu_downloads_one_table_and_the_pdf(page, live_server, sams_week):
    log_in(page, live_server, sams_week.email)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_text("Tables", exact=True).click()
    with page.expect_download() as download:
        page.locator(".downloads-panel tr", has_text="Leaderboard").get_by_role("link", name="CSV").click()
    first_line = open(download.value.path(), encoding="utf-8").readline()
    assert first_line.startswith("seller,email,active,touches")
    assert download.value.suggested_filename.endswith("-company-leaderboard.csv")

    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"


def test_the_printed_report_fits_every_table_on_the_page(page, sams_week, tmp_path):
    from django.utils import timezone

    from touchbase.metrics import exports, selectors
    from touchbase.metrics.measures import Scope
    from touchbase.metrics.periods import PeriodKind, current_period

    period = current_period(PeriodKind.MONTH, timezone.now(), "UTC")
    printed = tmp_path / "report.html"
    printed.write_text(exports.to_html(selectors.report_build(period, Scope.company())))
    page.set_viewport_size({"width": 700, "height": 1000})  # A4 less its margins, at 96 dpi
    page.emulate_media(media="print")
    page.goto(printed.as_uri())
    widths = page.locator(".table-wrap").evaluate_all("els => els.map(e => [e.scrollWidth, e.clientWidth])")
    assert len(widths) >= 2  # the stages and the leaderboard at least
    assert all(scroll <= client for scroll, client in widths), widths  # no column cut off on paper
