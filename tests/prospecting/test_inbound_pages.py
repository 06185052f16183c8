"""The inbound pages: Today warns the owner of leads about to breach, /leads/inbound/ shows the clocks and
the report, managers set up forms and routing, and the API hands a lead in through a form."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from touchbase.accounts.services import api_token_create
from touchbase.crm.models import Person
from touchbase.prospecting import inbound
from touchbase.prospecting.models import Away, Holiday, InboundForm, InboundLead, RoutingRule

WEDNESDAY_10 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
def web_form(maya, sam):
    form = inbound.inbound_form_create(actor=maya, name="Website demo request")
    inbound.inbound_form_update(actor=maya, form=form, sellers=[sam])
    return form


@pytest.fixture
def at(monkeypatch):
    """at(moment): the pages see `moment` as now."""
    def freeze(moment):
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
    return freeze


def receive(form, email, now, **fields):
    return inbound.inbound_receive(form=form, submission=inbound.submission_clean({"email": email, **fields}),
                                   now=now).lead


def test_today_shows_the_owner_a_lead_about_to_breach(web_form, sam, ravi, acme, dana, client_for, at):
    receive(web_form, "dana@acme.example", WEDNESDAY_10)  # an A lead: due at 11:00
    at(WEDNESDAY_10 + timedelta(minutes=50))

    page = client_for(sam).get("/")

    assert page.status_code == 200
    assert b"Inbound leads about to breach" in page.content
    assert b"Dana Reyes" in page.content and b"10 min left" in page.content


def test_today_says_nothing_while_the_clock_has_time(web_form, sam, acme, dana, client_for, at):
    receive(web_form, "dana@acme.example", WEDNESDAY_10)
    at(WEDNESDAY_10 + timedelta(minutes=10))
    assert b"Inbound leads about to breach" not in client_for(sam).get("/").content


def test_today_shows_nothing_of_another_sellers_leads(web_form, sam, ravi, acme, dana, client_for, at):
    receive(web_form, "dana@acme.example", WEDNESDAY_10)
    at(WEDNESDAY_10 + timedelta(minutes=50))
    assert b"Inbound leads about to breach" not in client_for(ravi).get("/").content


def test_an_answered_lead_leaves_today(web_form, sam, acme, dana, client_for, at):
    from touchbase.crm.services import touch_log

    receive(web_form, "dana@acme.example", WEDNESDAY_10)
    touch_log(actor=sam, kind="call", summary="Called back", person=dana, happened_at=WEDNESDAY_10)
    at(WEDNESDAY_10 + timedelta(minutes=50))
    assert b"Inbound leads about to breach" not in client_for(sam).get("/").content


def test_the_inbound_page_lists_leads_with_their_clocks_and_the_report(web_form, sam, ravi, acme, dana, client_for,
                                                                       at):
    receive(web_form, "dana@acme.example", WEDNESDAY_10, message="<script>alert(1)</script>")
    at(WEDNESDAY_10 + timedelta(hours=2))

    page = client_for(ravi).get("/leads/inbound/")

    assert page.status_code == 200
    assert b"Dana Reyes" in page.content and b"Breached" in page.content
    assert b"Response times by seller" in page.content and b"Sam Seller" in page.content
    assert b"<script>alert(1)</script>" not in page.content
    assert b"Waiting for an answer" in client_for(ravi).get("/leads/inbound/?state=open").content


def test_a_seller_cannot_open_or_change_the_setup(web_form, sam, client_for):
    client = client_for(sam)
    assert client.get("/leads/inbound/setup/").status_code == 403
    response = client.post("/leads/inbound/setup/form-new/", {"name": "Sam's own form"})
    assert response.status_code == 403
    assert InboundForm.objects.count() == 1


def test_a_manager_creates_a_form_and_sees_its_address(maya, client_for):
    client = client_for(maya)
    client.post("/leads/inbound/setup/form-new/", {"name": "Webinar sign-up"})
    form = InboundForm.objects.get(name="Webinar sign-up")
    page = client.get("/leads/inbound/setup/")
    assert page.status_code == 200 and f"/inbound/{form.key}".encode() in page.content


def test_a_manager_sets_rules_away_dates_and_holidays_from_the_setup_page(web_form, maya, ravi, client_for):
    client = client_for(maya)
    client.post("/leads/inbound/setup/rule/", {"form": web_form.pk, "owner": ravi.pk, "country": "de",
                                               "min_employees": "500"})
    client.post("/leads/inbound/setup/away/", {"user": ravi.pk, "until": "2026-12-24"})
    client.post("/leads/inbound/setup/holiday/", {"day": "2026-12-25", "name": "Christmas"})
    client.post("/leads/inbound/setup/form/", {"form": web_form.pk, "name": "Demo request", "enabled": "",
                                               "target_a_hours": "2"})

    rule = RoutingRule.objects.get()
    assert (rule.owner, rule.country, rule.min_employees) == (ravi, "DE", 500)
    assert str(Away.objects.get(user=ravi).until) == "2026-12-24"
    assert Holiday.objects.get().name == "Christmas"
    web_form.refresh_from_db()
    assert (web_form.name, web_form.enabled, web_form.target_a_hours, web_form.target_b_hours) == (
        "Demo request", False, 2, 4)


def test_a_bad_rule_is_explained_and_not_saved(web_form, maya, ravi, client_for):
    response = client_for(maya).post("/leads/inbound/setup/rule/", {"form": web_form.pk, "owner": ravi.pk,
                                                                    "min_employees": "many"}, follow=True)
    assert b"is not a whole number" in response.content
    assert not RoutingRule.objects.exists()


# -- the API -----------------------------------------------------------------


def api_post(body, user):
    _, token = api_token_create(user=user, name="zapier")
    return Client().post("/api/v1/inbound", json.dumps(body), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_hands_a_lead_in_through_a_forms_routing(web_form, ravi, sam):
    response = api_post({"form": web_form.key, "email": "Kim@Globex.example", "name": "Kim Lee",
                         "country": "DE", "employees": "51-200"}, ravi)

    assert response.status_code == 201
    body = response.json()
    # A country served and 51 employees: 15 + 25 points, a B under the default framework.
    assert (body["owner"], body["routed_by"], body["tier"], body["person_created"]) == (
        "sam@example.com", "round robin", "B", True)
    lead = InboundLead.objects.get(public_id=body["id"])
    assert (lead.source, lead.person.email, lead.company.domain) == ("api", "kim@globex.example", "globex.example")


def test_the_api_refuses_a_bad_email_in_the_one_error_shape(web_form, sam):
    response = api_post({"form": web_form.key, "email": "nope"}, sam)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "email"
    assert not Person.objects.exists()


def test_the_api_answers_404_for_an_unknown_form(db, sam):
    response = api_post({"form": "no-such-form", "email": "kim@globex.example"}, sam)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert not Person.objects.exists()


def test_today_leaves_leads_breached_over_a_week_ago_to_the_inbound_page(web_form, sam, acme, dana, client_for, at):
    receive(web_form, "dana@acme.example", WEDNESDAY_10)
    at(WEDNESDAY_10 + timedelta(days=9))
    assert b"Inbound leads about to breach" not in client_for(sam).get("/").content
    assert b"Dana Reyes" in client_for(sam).get("/leads/inbound/?state=open").content
