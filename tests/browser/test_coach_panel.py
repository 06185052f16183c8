"""The coach panel in a real browser: the seller types, the panel counts down, paints, fixes and holds the send.

Set SCREENSHOTS=/some/dir to keep a picture of the composer at each step.
"""

import os
import re

import pytest
from playwright.sync_api import expect

from touchbase.crm.models import Touch

from .test_board import log_in

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PADDED = (
    "Hi Dana, I'm writing to setup some time with you on Wednesday or Thursday of this week. I am participating "
    "in our company's board presentation this week and we are trying to lock down a couple of pieces of "
    "information about our potential partnership. I know that you are extremely busy, but it would be greatly "
    "appreciated if you could spare a few minutes so that we can discuss the details of our partnership. "
    "Please let me know the best way to setup a call. Kind Regards."
)
BETTER = "Hi Dana, have 5 mins to chat this week? Have a board meeting coming up and need to get on the same page. Thx."


def snap(page, name):
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"coach-{name}.png"), full_page=True)
        page.locator(".coach-editor:not(.single)").screenshot(path=os.path.join(folder, f"coach-{name}-text.png"))


def open_composer(page, live_server, sam, dana):
    log_in(page, live_server, sam.email)
    page.goto(f"{live_server.url}/people/{dana.pk}/")
    page.get_by_role("link", name="Write email").click()
    expect(page.get_by_role("heading", name="Email Dana Reyes")).to_be_visible()
    # Type only once the panel's script has taken the fields (a loaded machine can run it late).
    expect(page.locator("[data-coach-panel][data-coach-ready]")).to_have_count(1)
    return page.locator("[data-coach-panel]")


def painted(mirror, rule):
    """The text painted for a rule: its span may be cut into several marks where findings overlap."""
    return "".join(mirror.locator(f'mark[data-rules~="{rule}"]').all_text_contents())


def finding(panel, rule):
    return panel.locator(".finding", has=panel.page.locator("code.rule", has_text=re.compile(f"^{re.escape(rule)}$")))


def test_a_padded_email_is_counted_painted_fixed_held_and_then_sent(page, live_server, sam, dana):
    panel = open_composer(page, live_server, sam, dana)
    send = page.get_by_role("button", name="Log as sent")
    page.get_by_label("Subject").fill("Board meeting Friday")
    body = page.get_by_label("Body")
    body.fill(PADDED[:-20])
    body.press_sequentially(PADDED[-20:])  # the last words typed key by key, as a seller would

    countdown = panel.locator("[data-coach-countdown]")
    expect(countdown).to_have_text(str(400 - len(PADDED)))
    expect(countdown).to_have_class(re.compile(r"\bover\b"))
    assert countdown.evaluate("n => getComputedStyle(n).color") == "rgb(180, 35, 24)"
    expect(panel.locator("[data-coach-gauge=chars]")).to_have_text(str(len(PADDED)))

    # Each finding's span is painted behind the text, in its severity's colour.
    mirror = page.locator(".coach-editor:not(.single) .coach-mirror")
    expect(finding(panel, "length.chars")).to_contain_text("past the 400 countdown")
    assert painted(mirror, "pad.opener") == "I'm writing to"
    assert painted(mirror, "length.chars") == PADDED[400:]
    assert mirror.locator('mark[data-rules~="pad.opener"]').last.get_attribute("class") == "hl hl-warning"
    assert {m.get_attribute("class") for m in mirror.locator('mark[data-rules~="length.chars"]').all()} == {
        "hl hl-error"}
    snap(page, "padded")

    # An error holds the send.
    expect(send).to_be_disabled()
    expect(panel.locator("[data-coach-blocked]")).to_contain_text("Send is held by 1 error")

    # One click applies a rewrite of the span.
    finding(panel, "pad.opener").get_by_role("button", name="Delete it").click()
    expect(body).to_have_value(re.compile(r"^Hi Dana, setup some time with you"))
    expect(finding(panel, "pad.opener")).to_have_count(0)
    assert painted(mirror, "pad.opener") == ""
    finding(panel, "pad.signoff").get_by_role("button", name="Apply “Thx.”").click()
    expect(body).to_have_value(re.compile(r"setup a call\. Thx\.$"))
    expect(finding(panel, "pad.signoff")).to_have_count(0)
    snap(page, "fixed-two")

    # Cutting it under 400 lifts the hold.
    body.fill(BETTER)
    expect(countdown).to_have_text(str(400 - len(BETTER)))
    expect(countdown).not_to_have_class(re.compile(r"\bover\b"))
    expect(send).to_be_enabled()
    expect(panel.locator("[data-coach-override]")).to_be_hidden()
    send.click()

    expect(page.get_by_role("heading", name="Dana Reyes")).to_be_visible()
    first = page.locator("#timeline .touch").first
    expect(first).to_contain_text("Subject: Board meeting Friday")
    expect(first).to_contain_text("have 5 mins to chat this week?")
    expect(first).to_contain_text("Email · Outbound")
    touch = Touch.objects.get()
    assert (touch.by, touch.coach_override) == (sam, "")


def test_a_reason_to_send_anyway_lifts_the_hold_and_stays_on_the_touch(page, live_server, sam, dana):
    panel = open_composer(page, live_server, sam, dana)
    page.get_by_label("Subject").fill("Board meeting Friday")
    page.get_by_label("Body").fill(PADDED)
    send = page.get_by_role("button", name="Log as sent")
    expect(send).to_be_disabled()
    mail_app = page.get_by_role("link", name="Open in my mail app")
    expect(mail_app).to_have_attribute("aria-disabled", "true")

    if os.environ.get("SCREENSHOTS"):
        page.set_viewport_size({"width": 390, "height": 844})
        snap(page, "phone")
        page.set_viewport_size({"width": 1400, "height": 900})
    panel.get_by_label("Reason to send anyway").fill("Dana asked for the details in writing")
    expect(send).to_be_enabled()
    expect(mail_app).to_have_attribute("href", re.compile(r"^mailto:dana@acme\.example\?subject=Board%20meeting%20Friday&body=Hi%20Dana"))
    send.click()

    expect(page.locator("#timeline .touch").first).to_contain_text("Kind Regards.")
    assert Touch.objects.get().coach_override == "Dana asked for the details in writing"


def test_spans_land_on_the_right_words_after_emoji(page, live_server, sam, dana):
    # An emoji is one character to the coach and two to JavaScript: the spans must still fit the words.
    panel = open_composer(page, live_server, sam, dana)
    page.get_by_label("Subject").fill("🚀 Pilot {{company}}")
    page.get_by_label("Body").fill("🚀🎉 Hi Dana 👋, I hope this email finds you well. Worth a call Thursday since Reno opens soon?")
    body_mirror = page.locator(".coach-editor:not(.single) .coach-mirror")
    subject_mirror = page.locator(".coach-editor.single .coach-mirror")
    expect(finding(panel, "merge.unfilled")).to_contain_text("subject")
    expect(finding(panel, "pad.opener")).to_be_visible()
    assert painted(body_mirror, "pad.opener") == "I hope this email finds you well"
    assert painted(subject_mirror, "merge.unfilled") == "{{company}}"

    finding(panel, "pad.opener").get_by_role("button", name="Delete it").click()
    expect(page.get_by_label("Body")).to_have_value("🚀🎉 Hi Dana 👋, Worth a call Thursday since Reno opens soon?")


def test_a_rewrite_is_applied_as_the_coach_sends_it_in_mid_sentence_and_after_emoji(page, live_server, sam, dana):
    panel = open_composer(page, live_server, sam, dana)
    page.get_by_label("Subject").fill("Reno pilot")
    body = page.get_by_label("Body")
    body.fill("Hi Dana 🎉, I know you are busy, but it would be greatly appreciated if you could spare 5 minutes?")
    rewrite = finding(panel, "pad.deference").filter(has_text="appreciated")
    rewrite.get_by_role("button", name="Apply “could you”").click()
    expect(body).to_have_value("Hi Dana 🎉, I know you are busy, but could you spare 5 minutes?")
    expect(finding(panel, "pad.deference").filter(has_text="appreciated")).to_have_count(0)
    finding(panel, "pad.deference").get_by_role("button", name="Delete it").click()
    expect(body).to_have_value("Hi Dana 🎉, could you spare 5 minutes?")
    # A fix the coach cannot write for the seller (a reason) offers no button.
    expect(finding(panel, "ask.reason")).to_be_visible()
    expect(finding(panel, "ask.reason").locator("button.apply")).to_have_count(0)


def test_what_the_seller_types_is_shown_as_text_never_as_markup(page, live_server, sam, dana):
    panel = open_composer(page, live_server, sam, dana)
    page.get_by_label("Subject").fill("<img src=x onerror=alert(1)> [First Name]")
    page.get_by_label("Body").fill("<b>Hi</b> [First Name], I just wanted to say <i>hello</i>.")
    expect(finding(panel, "merge.unfilled").first).to_be_visible()
    assert page.locator(".coach-mirror b, .coach-mirror i, .coach-mirror img, .coach-panel img").count() == 0
    expect(page.locator(".coach-editor:not(.single) .coach-mirror")).to_contain_text("<b>Hi</b>")
