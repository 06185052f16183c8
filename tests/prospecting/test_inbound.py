"""The public inbound form endpoint: a lead comes in by web form or JSON, lands on a person and a company,
is scored, logged and routed; a bad or abusive submission gets a clear 4xx and creates nothing."""

import json
from datetime import UTC, datetime

import pytest
from django.test import Client

from touchbase.crm.models import Company, Direction, Person, Source, Touch
from touchbase.prospecting import inbound
from touchbase.prospecting.models import Away, InboundLead, InboundRate, RoutingRule

# A Wednesday morning, inside everyone's working day (the personas work in UTC).
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


@pytest.fixture
def web_form(maya, sam, ravi):
    return inbound.inbound_form_create(actor=maya, name="Website demo request")


def post_form(form_or_key, data, **extra):
    key = getattr(form_or_key, "key", form_or_key)
    return Client().post(f"/inbound/{key}", data, **extra)


def post_json(form_or_key, data, **extra):
    key = getattr(form_or_key, "key", form_or_key)
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return Client().post(f"/inbound/{key}", body, content_type="application/json", **extra)


@pytest.fixture
def records():
    """records() -> the rows a submission writes, to show a refused one wrote none."""
    def take():
        return {model.__name__: list(model.objects.order_by("pk").values_list("pk", flat=True))
                for model in (Company, Person, Touch, InboundLead)}
    return take


def test_a_web_form_submission_creates_the_person_company_touch_and_lead(web_form):
    response = post_form(web_form, {"email": "Jo@Northwind.example", "first_name": "Jo", "last_name": "Park",
                                    "company": "Northwind", "phone": "(415) 555-0134", "country": "United States",
                                    "employees": "51-200", "title": "Head of Ops", "message": "Demo please"})

    assert response.status_code == 201
    assert b"Thank you" in response.content
    person = Person.objects.get()
    assert (person.email, person.phone, person.source) == ("jo@northwind.example", "+14155550134", Source.INBOUND)
    company = Company.objects.get()
    assert (company.name, company.domain, company.country, company.employee_count) == (
        "Northwind", "northwind.example", "US", 51)
    assert person.company == company
    touch = Touch.objects.get()
    assert (touch.direction, touch.source, touch.person) == (Direction.IN, Source.INBOUND, person)
    assert "Demo please" in touch.summary
    lead = InboundLead.objects.get()
    assert lead.person == person and lead.owner is not None and lead.owner == person.owner == company.owner
    assert company.fit.tier == lead.tier


def test_a_json_submission_answers_json(web_form):
    response = post_json(web_form, {"email": "kim@globex.example", "name": "Kim Lee"})

    assert response.status_code == 201
    body = response.json()
    assert body["ok"] is True
    lead = InboundLead.objects.get(public_id=body["lead"])
    assert (lead.person.first_name, lead.person.last_name) == ("Kim", "Lee")


def test_a_free_mail_address_never_creates_a_company(web_form):
    assert post_form(web_form, {"email": "someone@gmail.com", "first_name": "Some"}).status_code == 201
    assert not Company.objects.exists()
    lead = InboundLead.objects.get()
    assert lead.company is None and lead.tier == "C"


def test_a_person_at_a_known_company_joins_it_and_takes_its_tier(web_form, acme, dana):
    post_form(web_form, {"email": "lee@acme.example", "first_name": "Lee"})

    lee = Person.objects.get(email="lee@acme.example")
    assert lee.company == acme
    assert Company.objects.count() == 1
    assert InboundLead.objects.get().tier == "A"  # Robotics, 120 people, US, a VP known: the default framework's A


def test_a_second_submission_from_the_same_email_updates_instead_of_duplicating(web_form):
    post_form(web_form, {"email": "jo@northwind.example", "first_name": "Jo"})
    post_form(web_form, {"email": "JO@northwind.example", "first_name": "Joanna", "phone": "+44 20 7946 0958",
                         "message": "Any news?"})

    person = Person.objects.get()
    assert person.first_name == "Jo"  # filled fields stay as they were
    assert person.phone == "+442079460958"  # empty ones are filled
    assert Company.objects.count() == 1
    assert InboundLead.objects.count() == 1  # the clock of the unanswered lead keeps running
    assert person.touches.filter(direction=Direction.IN).count() == 2


def test_a_person_who_writes_again_after_an_answer_gets_a_new_clock(web_form, sam):
    post_form(web_form, {"email": "jo@northwind.example"})
    person = Person.objects.get()
    Touch.objects.create(kind="email", direction=Direction.OUT, person=person, happened_at=NOW, summary="Hi Jo")
    post_form(web_form, {"email": "jo@northwind.example"})
    assert InboundLead.objects.filter(person=person).count() == 2


def test_the_honeypot_field_filled_in_is_refused_and_creates_nothing(web_form, records):
    before = records()
    response = post_json(web_form, {"email": "bot@spam.example", "first_name": "Bot", inbound.HONEYPOT: "x"})

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "spam", "message": response.json()["error"]["message"],
                                         "field": inbound.HONEYPOT}
    assert records() == before


def test_an_invalid_email_is_a_422_naming_the_field_and_creates_nothing(web_form, records):
    before = records()
    response = post_json(web_form, {"email": "not an email", "first_name": "X"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["field"] == "email"
    assert records() == before


def test_a_missing_email_on_the_web_form_shows_the_form_again_with_the_error(web_form, records):
    before = records()
    response = post_form(web_form, {"first_name": "<b>Jo</b>"})

    assert response.status_code == 422
    assert b"An email address is needed" in response.content
    assert b"&lt;b&gt;Jo&lt;/b&gt;" in response.content and b"<b>Jo</b>" not in response.content
    assert records() == before


def test_an_oversized_payload_is_refused_with_413_and_creates_nothing(web_form, records):
    before = records()
    response = post_json(web_form, {"email": "big@northwind.example", "message": "x" * 20_000})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert records() == before


def test_a_field_over_its_limit_is_refused_by_name(web_form, records):
    before = records()
    response = post_json(web_form, {"email": "long@northwind.example", "first_name": "J" * 101})
    assert (response.status_code, response.json()["error"]["field"]) == (422, "first_name")
    assert records() == before


def test_a_body_that_is_not_json_is_a_400(web_form, records):
    before = records()
    response = post_json(web_form, "{not json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "bad_request")
    assert post_json(web_form, "[1, 2]").status_code == 400
    assert records() == before


def test_an_unknown_form_key_is_a_404(db, records):
    before = records()
    assert post_json("no-such-key", {"email": "jo@northwind.example"}).status_code == 404
    assert post_form("no-such-key", {"email": "jo@northwind.example"}).status_code == 404
    assert Client().get("/inbound/no-such-key").status_code == 404
    assert records() == before


def test_a_disabled_form_is_a_404_and_creates_nothing(web_form, maya, records):
    inbound.inbound_form_update(actor=maya, form=web_form, enabled=False)
    before = records()
    response = post_json(web_form, {"email": "jo@northwind.example"})
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")
    assert records() == before


def test_the_eleventh_submission_in_a_minute_from_one_address_is_throttled(web_form, records):
    for n in range(inbound.RATE_LIMIT):
        assert post_json(web_form, {"email": f"person{n}@northwind.example"}).status_code == 201
    before = records()

    response = post_json(web_form, {"email": "one-more@northwind.example"})

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response.json()["error"]["code"] == "throttled"
    assert records() == before
    # Another address is not held back by this one.
    assert post_json(web_form, {"email": "other@northwind.example"}, REMOTE_ADDR="10.0.0.9").status_code == 201


def test_the_rate_limit_counts_per_minute(web_form):
    for _ in range(inbound.RATE_LIMIT):
        inbound.rate_limit_hit(form=web_form, ip="10.1.1.1", now=NOW)
    with pytest.raises(inbound.Refused) as refused:
        inbound.rate_limit_hit(form=web_form, ip="10.1.1.1", now=NOW)
    assert refused.value.status == 429
    inbound.rate_limit_hit(form=web_form, ip="10.1.1.1", now=NOW.replace(minute=1))  # a new minute, a new count


def test_the_public_form_page_shows_a_form_with_a_hidden_honeypot(web_form):
    response = Client().get(f"/inbound/{web_form.key}")
    assert response.status_code == 200
    assert f'name="{inbound.HONEYPOT}"'.encode() in response.content
    assert b'name="email"' in response.content


def test_a_form_with_a_redirect_sends_the_browser_back_to_the_website(web_form, maya):
    inbound.inbound_form_update(actor=maya, form=web_form, redirect_url="https://northwind.example/thanks")
    response = post_form(web_form, {"email": "jo@northwind.example"})
    assert (response.status_code, response["Location"]) == (302, "https://northwind.example/thanks")


def test_the_form_key_is_long_and_random(web_form, maya):
    other = inbound.inbound_form_create(actor=maya, name="Website demo request")
    assert len(web_form.key) >= 32 and web_form.key != other.key


# -- routing through the endpoint ---------------------------------------------


def test_leads_go_round_the_sellers_in_turn(web_form, sam, ravi):
    owners = []
    for n in range(4):
        post_json(web_form, {"email": f"p{n}@gmail.com"}, REMOTE_ADDR=f"10.0.0.{n}")
        owners.append(InboundLead.objects.get(person__email=f"p{n}@gmail.com").owner)
    assert owners == [sam, ravi, sam, ravi]


def test_a_seller_who_is_away_is_skipped(web_form, maya, sam, ravi):
    inbound.away_set(actor=maya, user=sam, until=NOW.date())
    for n in range(3):
        post_json(web_form, {"email": f"p{n}@gmail.com"})
    assert set(InboundLead.objects.values_list("owner", flat=True)) == {ravi.pk}
    assert Away.objects.get(user=sam).until == NOW.date()


def test_a_rule_sends_a_country_to_its_seller(web_form, maya, ravi):
    inbound.routing_rule_add(actor=maya, form=web_form, owner=ravi, country="de")
    post_json(web_form, {"email": "max@gmail.com", "country": "Germany"})
    lead = InboundLead.objects.get()
    assert (lead.owner, lead.routed_by) == (ravi, "rule 1: country DE")
    assert RoutingRule.objects.get().country == "DE"


def test_a_known_person_stays_with_their_owner(web_form, sam, ravi, dana):
    for n in range(2):
        post_json(web_form, {"email": f"p{n}@gmail.com"})  # the turn now points at sam again
    Person.objects.filter(pk=dana.pk).update(owner=ravi)
    post_json(web_form, {"email": "dana@acme.example"})
    assert InboundLead.objects.get(person=dana).owner == ravi


def test_when_every_seller_is_away_a_manager_gets_the_lead(web_form, maya, sam, ravi):
    for seller in (sam, ravi):
        inbound.away_set(actor=maya, user=seller, until=NOW.date())
    post_json(web_form, {"email": "jo@gmail.com"})
    assert InboundLead.objects.get().owner == maya


def test_only_managers_set_up_forms_and_rules(web_form, sam, ravi):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        inbound.inbound_form_create(actor=sam, name="Mine")
    with pytest.raises(PermissionDenied):
        inbound.routing_rule_add(actor=sam, form=web_form, owner=sam, country="US")
    with pytest.raises(PermissionDenied):
        inbound.away_set(actor=sam, user=ravi, until=NOW.date())
    inbound.away_set(actor=sam, user=sam, until=NOW.date())  # but a seller says when they are away


def test_the_rate_counters_are_pruned_by_the_check(web_form):
    inbound.rate_limit_hit(form=web_form, ip="10.1.1.1", now=NOW)
    inbound.inbound_check_breaches(now=NOW.replace(hour=12))
    assert not InboundRate.objects.exists()
