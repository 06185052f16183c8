"""The mailboxes page in a real browser: connect a second mailbox, test it in place, find both in the list."""

import socket

import pytest
from playwright.sync_api import expect

from touchbase.outreach.models import Mailbox
from touchbase.outreach.services import mailbox_save

from .test_board import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_seller_connects_a_second_mailbox_and_tests_it_without_leaving_the_page(page, live_server, sam):
    mailbox_save(actor=sam, email="sam@example.com", smtp_host="127.0.0.1", username="sam@example.com",
                 password="first-secret")
    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/outreach/mailbox/")
    form = page.locator("form[action='/outreach/mailboxes/new/']")
    form.get_by_label("Email", exact=True).fill("sam.two@example.com")
    form.get_by_label("SMTP server").fill("127.0.0.1")
    form.get_by_label("SMTP port").fill(str(closed_port()))
    form.get_by_label("SMTP security").select_option("none")
    form.get_by_label("Username", exact=True).fill("sam.two@example.com")
    form.locator("#id_password").fill("second-secret")
    form.get_by_role("button", name="Connect").click()

    second = Mailbox.objects.get(email="sam.two@example.com")
    expect(page).to_have_url(f"{live_server.url}/outreach/mailboxes/{second.pk}/")
    expect(page.locator("#id_password")).to_have_value("")
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#checks-list")).to_contain_text("failed")
    expect(page).to_have_url(f"{live_server.url}/outreach/mailboxes/{second.pk}/")

    page.goto(f"{live_server.url}/outreach/mailbox/")
    expect(page.locator("#mailboxes tbody tr")).to_have_count(2)
    expect(page.locator("#mailboxes")).to_contain_text("sam.two@example.com")
    assert "second-secret" not in page.content()
