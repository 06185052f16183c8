"""The sequence page: a preview of when each step would go for a sample person, and the figures per step."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from touchbase.crm import services as crm
from touchbase.outreach import schedule, worker
from touchbase.outreach.models import Enrollment
from touchbase.outreach.selectors import sequence_figures
from touchbase.outreach.services import sequence_enroll, stop_for_bounce, stop_for_reply

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
NY = ZoneInfo("America/New_York")


def test_the_preview_counts_each_delay_from_the_step_before():
    tuesday_morning = datetime(2026, 12, 1, 9, 40, tzinfo=NY)
    assert schedule.preview(tuesday_morning, [0, 2, 2], NY) == [
        datetime(2026, 12, 1, 9, 40, tzinfo=NY), datetime(2026, 12, 3, 9, 40, tzinfo=NY),
        datetime(2026, 12, 7, 9, 40, tzinfo=NY)]


def test_the_page_previews_the_dates_in_the_sample_persons_time_zone(sam, dana, reno, client_for):
    dana.time_zone = "Asia/Tokyo"
    dana.save(update_fields=["time_zone"])
    page = client_for(sam).get(f"/outreach/sequences/{reno.pk}/", {"sample": dana.pk}).content.decode()
    preview = page[page.index("data-preview"):page.index("</table>", page.index("data-preview"))]
    assert "Dana Reyes in Asia/Tokyo would get" in page
    assert preview.count("<tr>") == 4 and preview.count("Asia/Tokyo") == 3  # a header and three steps


def test_figures_count_sends_and_put_each_ending_on_the_last_email_sent(sam, dana, acme, reno, sams_mailbox,
                                                                         smtp_server, client_for):
    bolt = crm.company_create(actor=sam, name="Bolt", domain="bolt.example")
    kim = crm.person_create(actor=sam, first_name="Kim", last_name="Park", email="kim@bolt.example", title="COO",
                            company=bolt)
    sequence_enroll(actor=sam, sequence=reno, people=[dana, kim], now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    stop_for_reply(Enrollment.objects.get(person=dana), from_email=dana.email, subject="Re: Reno picking",
                   own_text="Sure, Tuesday works.")
    stop_for_bounce(Enrollment.objects.get(person=kim), hard=True, status="5.1.1", diagnostic="no such user",
                    recipient=kim.email)
    figures = sequence_figures(reno)
    assert (figures.enrolled, figures.running, figures.reached, figures.sent) == (2, 0, 2, 2)
    assert (figures.replied, figures.bounced, figures.unsubscribed, figures.reply_rate) == (1, 1, 0, 0.5)
    first, follow_up, call = figures.steps
    assert (first.sent, first.replied, first.bounced, first.reply_rate) == (2, 1, 1, 0.5)
    assert (follow_up.sent, follow_up.replied, follow_up.reply_rate) == (0, 0, None)
    page = client_for(sam).get(f"/outreach/sequences/{reno.pk}/").content.decode()
    assert "1 replied (50% of the 2 reached)" in page
