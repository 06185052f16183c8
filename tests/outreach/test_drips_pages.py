"""The drip pages: the library with the coach panel, a drip's list and schedule, starting it, enrolling a tier,
and the person page saying what drips they got and whether gives outnumber asks."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from touchbase.outreach import drips, worker
from touchbase.outreach.models import Drip, Enrollment, Piece
from touchbase.prospecting.models import CompanyFit
from touchbase.prospecting.services import framework_current

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
GIVE = "Hi {first_name}, Bolt cut mispicks 30% in six weeks by slotting fast movers by velocity. The write-up is short."


@pytest.fixture
def story(sam):
    return drips.piece_save(actor=sam, title="Bolt slotting", kind="customer_story", subject="How Bolt cut mispicks",
                            body=GIVE)


@pytest.fixture
def a_drip(sam, story, acme, sams_mailbox):
    CompanyFit.objects.create(company=acme, framework=framework_current(), score=90, tier="A",
                              scored_at=timezone.now())
    drip = drips.drip_create(actor=sam, name="Warehouse insights", tier="A")
    drips.drip_add_piece(actor=sam, drip=drip, piece=story)
    return drip


def test_a_seller_writes_a_piece_beside_the_coach_panel_in_drip_kind(sam, client_for):
    client = client_for(sam)
    page = client.get("/outreach/pieces/new/")
    assert b"data-coach-panel" in page.content and b'data-kind="drip"' in page.content
    response = client.post("/outreach/pieces/new/", {"title": "Bolt", "kind": "article", "subject": "Slotting",
                                                     "body": GIVE, "link": ""})
    piece = Piece.objects.get(title="Bolt")
    assert response.status_code == 302 and response["Location"] == f"/outreach/pieces/{piece.pk}/"
    assert piece.owner == sam and not piece.coach_blocked


def test_a_piece_with_an_ask_is_saved_with_a_warning(sam, client_for):
    response = client_for(sam).post("/outreach/pieces/new/", {
        "title": "Ask", "kind": "article", "subject": "Slotting",
        "body": "Hi {first_name}, Bolt cut mispicks 30%. Worth a call Tuesday to compare?"}, follow=True)
    assert "The coach found an ask" in response.content.decode()
    assert Piece.objects.get(title="Ask").has_ask


def test_a_bad_merge_field_is_shown_and_nothing_saved(sam, client_for):
    response = client_for(sam).post("/outreach/pieces/new/", {"title": "Typo", "kind": "article",
                                                             "subject": "Slotting", "body": "Hi {frist_name}."})
    assert response.status_code == 400 and "{frist_name}" in response.content.decode()
    assert not Piece.objects.exists()


def test_another_seller_cannot_change_a_piece(ravi, client_for, story):
    response = client_for(ravi).post(f"/outreach/pieces/{story.pk}/", {"title": "Mine", "kind": "article",
                                                                       "subject": "x", "body": GIVE})
    assert response.status_code == 403 and Piece.objects.get(pk=story.pk).title == "Bolt slotting"


def test_a_seller_creates_a_drip_and_sees_its_list_and_schedule(sam, client_for, story, a_drip, dana):
    client = client_for(sam)
    response = client.post("/outreach/drips/new/", {"name": "Second", "every_days": 10, "tier": "A",
                                                    "window_start": "08:00", "window_end": "17:00",
                                                    "window_days": "0,1,2,3,4"})
    drip = Drip.objects.get(name="Second")
    assert response["Location"] == f"/outreach/drips/{drip.pk}/" and drip.every_days == 10
    page = client.get(f"/outreach/drips/{a_drip.pk}/").content.decode()
    assert "Bolt slotting" in page and "Dana Reyes" in page and "a piece every 15 business days" in page
    assert "Warehouse insights" in client.get("/outreach/drips/").content.decode()


def test_starting_a_drip_enrolls_the_list_and_a_drips_sequence_is_not_listed_as_a_sequence(sam, client_for,
                                                                                          a_drip, dana):
    client = client_for(sam)
    response = client.post(f"/outreach/drips/{a_drip.pk}/start/", follow=True)
    assert "1 started on “Warehouse insights”, 0 not." in response.content.decode()
    assert Enrollment.objects.get(drip=a_drip).person == dana
    assert "Drip: Warehouse insights" not in client.get("/outreach/").content.decode()


def test_another_seller_cannot_start_or_change_a_drip(ravi, client_for, a_drip):
    client = client_for(ravi)
    assert client.post(f"/outreach/drips/{a_drip.pk}/start/").status_code == 403
    assert client.post(f"/outreach/drips/{a_drip.pk}/settings/", {"every_days": 1, "tier": "C"}).status_code == 403
    assert not Enrollment.objects.exists() and Drip.objects.get(pk=a_drip.pk).tier == "A"


def test_enrolling_a_tier_from_the_sequence_page_says_who_and_why_not(sam, client_for, reno, a_drip, dana):
    response = client_for(sam).post(f"/outreach/sequences/{reno.pk}/enroll-tier/",
                                    {"tier": "A", "key_contacts_only": "on"}, follow=True)
    assert "Tier A: 1 enrolled, 0 not enrolled." in response.content.decode()
    assert Enrollment.objects.get(sequence=reno).person == dana


def test_the_person_page_shows_the_drips_they_got_and_gives_against_asks(sam, a_drip, dana, rf, smtp_server):
    drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10)
    worker.run_once(now=TUESDAY_10)
    request = rf.get("/")
    request.user = sam
    html = Template("{% load outreach %}{% person_outreach person %}").render(
        Context({"person": dana, "user": sam, "request": request}))
    assert "“How Bolt cut mispicks”" in html and "Warehouse insights · Tue 1 Dec 2026" in html
    assert "Last 1 email from us: 1 gave, 0 asked." in html and "Gives outnumber asks." in html
