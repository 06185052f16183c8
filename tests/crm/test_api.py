"""The CRM's JSON API at /api/v1/: what a script or an integration can do, and how it is told no."""

import json
import uuid

import pytest
from django.test import Client

from touchbase.accounts.services import api_token_create
from touchbase.crm import services
from touchbase.crm.models import Company, Deal, Person, Source, StageChange, Task, Touch


@pytest.fixture
def api():
    """api(user)(method, path, body=None) -> response, sent with a fresh bearer token of `user`."""

    def as_user(user):
        _, plaintext = api_token_create(user=user, name="tests")
        client = Client()

        def call(method, path, body=None):
            kwargs = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
            if body is not None:
                kwargs.update(data=json.dumps(body), content_type="application/json")
            return getattr(client, method.lower())(f"/api/v1{path}", **kwargs)

        return call

    return as_user


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.content
    body = json.loads(response.content)
    assert set(body) == {"error"}
    assert {"code", "message", "field"} <= set(body["error"])
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["error"]["field"] == field
    return body["error"]


# Companies


def test_a_seller_creates_a_company_they_own_marked_as_from_the_api(api, sam):
    response = api(sam)("POST", "/companies", {"name": "Globex", "domain": "globex.example", "country": "DE"})

    assert response.status_code == 201
    body = response.json()
    company = Company.objects.get(public_id=body["id"])
    assert (company.name, company.owner, company.source) == ("Globex", sam, Source.API)
    assert body["owner"] == "sam@example.com"


def test_companies_are_found_by_a_name_prefix_and_paginated(api, sam):
    for name in ["Acme A", "Acme B", "Acme C", "Beta"]:
        services.company_create(actor=sam, name=name)

    first = api(sam)("GET", "/companies?q=acme&page_size=2").json()
    second = api(sam)("GET", "/companies?q=acme&page_size=2&page=2").json()

    assert first["count"] == 3
    assert [c["name"] for c in first["items"]] == ["Acme A", "Acme B"]
    assert [c["name"] for c in second["items"]] == ["Acme C"]


def test_a_company_is_read_by_its_public_id_never_its_number(api, sam, acme):
    assert api(sam)("GET", f"/companies/{acme.public_id}").json()["name"] == "Acme Robotics"
    assert api(sam)("GET", f"/companies/{acme.pk}").status_code == 422


def test_an_unknown_company_is_a_404_in_the_error_shape(api, sam):
    error = assert_error(api(sam)("GET", f"/companies/{uuid.uuid4()}"), 404, "not_found")
    assert "No company has the id" in error["message"]


def test_patching_a_company_changes_only_the_fields_sent(api, sam, acme):
    response = api(sam)("PATCH", f"/companies/{acme.public_id}", {"industry": "Logistics"})

    assert response.status_code == 200
    acme.refresh_from_db()
    assert (acme.industry, acme.name, acme.domain) == ("Logistics", "Acme Robotics", "acme.example")


def test_a_bad_field_is_named_and_nothing_changes(api, sam, acme):
    error = assert_error(api(sam)("PATCH", f"/companies/{acme.public_id}", {"country": "Germany"}),
                         422, "invalid", "country")
    assert "two-letter" in error["message"]
    acme.refresh_from_db()
    assert acme.country == "US"


def test_a_seller_cannot_patch_another_sellers_company(api, ravi, acme):
    error = assert_error(api(ravi)("PATCH", f"/companies/{acme.public_id}", {"name": "Ravi's now"}),
                         403, "forbidden")
    assert "Sam Seller" in error["message"]
    acme.refresh_from_db()
    assert acme.name == "Acme Robotics"


def test_a_seller_cannot_create_a_company_for_another_seller(api, sam, ravi):
    response = api(sam)("POST", "/companies", {"name": "Gift Co", "owner": "ravi@example.com"})
    assert_error(response, 403, "forbidden")
    assert not Company.objects.filter(name="Gift Co").exists()


def test_a_manager_creates_a_company_for_a_seller(api, maya, ravi):
    response = api(maya)("POST", "/companies", {"name": "Assigned Co", "owner": "ravi@example.com"})
    assert response.status_code == 201
    assert Company.objects.get(name="Assigned Co").owner == ravi


# People


def test_people_are_listed_by_company_and_found_by_prefix(api, sam, acme, dana):
    services.person_create(actor=sam, first_name="Lone", last_name="Wolf")
    call = api(sam)

    at_acme = call("GET", f"/people?company={acme.public_id}").json()
    found = call("GET", "/people?q=rey").json()

    assert [p["name"] for p in at_acme["items"]] == ["Dana Reyes"]
    assert at_acme["items"][0]["company"] == str(acme.public_id)
    assert [p["name"] for p in found["items"]] == ["Dana Reyes"]


def test_a_person_is_created_at_a_company_named_by_its_public_id(api, sam, acme):
    response = api(sam)("POST", "/people", {"first_name": "Lee", "last_name": "Chen", "email": "LEE@Acme.example",
                                            "company": str(acme.public_id)})
    assert response.status_code == 201
    person = Person.objects.get(public_id=response.json()["id"])
    assert (person.company, person.email, person.owner) == (acme, "lee@acme.example", sam)


def test_an_unknown_company_in_a_body_is_named_as_the_bad_field(api, sam):
    error = assert_error(api(sam)("POST", "/people", {"first_name": "Lee", "company": str(uuid.uuid4())}),
                         422, "invalid", "company")
    assert "No company has the id" in error["message"]
    assert not Person.objects.exists()


def test_a_time_zone_that_names_no_zone_is_refused_by_name(api, sam, dana):
    call = api(sam)
    error = assert_error(call("POST", "/people", {"first_name": "Lee", "time_zone": "Mars/Olympus"}),
                         422, "invalid", "time_zone")
    assert "'Mars/Olympus' is not a time zone name such as Europe/Berlin" in error["message"]
    assert_error(call("PATCH", f"/people/{dana.public_id}", {"time_zone": "Europe/Berlln"}), 422, "invalid", "time_zone")
    # One already stored (written straight into the database) does not block an unrelated change.
    Person.objects.filter(pk=dana.pk).update(time_zone="Mars/Olympus")
    assert call("PATCH", f"/people/{dana.public_id}", {"title": "COO"}).status_code == 200
    assert call("PATCH", f"/people/{dana.public_id}", {"time_zone": "Europe/Berlin"}).json()["time_zone"] == "Europe/Berlin"


def test_a_seller_cannot_patch_another_sellers_person(api, ravi, dana):
    assert_error(api(ravi)("PATCH", f"/people/{dana.public_id}", {"title": "CEO"}), 403, "forbidden")
    dana.refresh_from_db()
    assert dana.title == "VP Operations"


# Deals


def test_a_deal_is_created_with_an_integer_amount_and_a_currency(api, sam, acme, dana, stages):
    response = api(sam)("POST", "/deals", {"company": str(acme.public_id), "contact": str(dana.public_id),
                                           "title": "Acme rollout", "amount_minor": 1_250_050, "currency": "eur"})
    assert response.status_code == 201
    body = response.json()
    assert (body["amount_minor"], body["currency"], body["amount"]) == (1_250_050, "EUR", "€12,500.50")
    assert body["stage"]["name"] == "Qualify"
    deal = Deal.objects.get(public_id=body["id"])
    assert type(deal.amount_minor) is int and deal.amount_minor == 1_250_050


@pytest.mark.parametrize("amount", [125.5, 125.0, "12500", True, None])
def test_money_that_is_not_an_integer_is_refused_naming_the_field(api, sam, acme, amount):
    response = api(sam)("POST", "/deals", {"company": str(acme.public_id), "title": "Floaty",
                                           "amount_minor": amount})
    error = assert_error(response, 422, "invalid", "amount_minor")
    assert "amount_minor" in error["message"]
    assert not Deal.objects.filter(title="Floaty").exists()


def test_a_negative_amount_is_refused(api, sam, acme):
    assert_error(api(sam)("POST", "/deals", {"company": str(acme.public_id), "title": "Neg", "amount_minor": -1}),
                 422, "invalid", "amount_minor")


def test_deals_are_filtered_by_stage_and_owner(api, sam, ravi, maya, acme, sams_deal, stages):
    services.deal_create(actor=ravi, company=acme, title="Ravi's deal", stage=stages["Demo"])
    call = api(maya)

    def titles(query):
        return sorted(d["title"] for d in call("GET", f"/deals?{query}").json()["items"])

    assert titles(f"stage={stages['Demo'].pk}") == ["Ravi's deal"]
    assert titles("owner=sam@example.com") == ["Acme pilot"]
    assert titles(f"company={acme.public_id}") == ["Acme pilot", "Ravi's deal"]
    assert [d["title"] for d in api(sam)("GET", "/deals?owner=me").json()["items"]] == ["Acme pilot"]


def test_the_deal_list_runs_the_same_queries_for_three_deals_or_thirty(api, sam, acme, stages,
                                                                      django_assert_max_num_queries):
    call = api(sam)
    for i in range(3):
        services.deal_create(actor=sam, company=acme, title=f"D{i}")
    call("GET", "/deals")  # warm up: the token's first use writes last_used_at
    with django_assert_max_num_queries(8) as few:
        call("GET", "/deals")
    for i in range(27):
        services.deal_create(actor=sam, company=acme, title=f"E{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(call("GET", "/deals").json()["items"]) == 30


def test_a_seller_cannot_give_their_deal_away_or_to_nobody(api, sam, ravi, sams_deal):
    call = api(sam)
    for owner in ("ravi@example.com", None):
        assert_error(call("PATCH", f"/deals/{sams_deal.public_id}", {"owner": owner, "title": "Gone"}),
                     403, "forbidden")
    stored = Deal.objects.get(pk=sams_deal.pk)
    assert (stored.owner, stored.title) == (sam, "Acme pilot")


def test_a_manager_hands_a_deal_to_another_seller(api, maya, ravi, sams_deal):
    response = api(maya)("PATCH", f"/deals/{sams_deal.public_id}", {"owner": "ravi@example.com"})
    assert response.json()["owner"] == "ravi@example.com"
    assert Deal.objects.get(pk=sams_deal.pk).owner == ravi


def test_a_move_without_exit_criteria_is_refused_listing_them(api, sam, sams_deal, stages):
    response = api(sam)("POST", f"/deals/{sams_deal.public_id}/move", {"stage": stages["Discovery"].pk})

    error = assert_error(response, 422, "exit_criteria_missing", "override_reason")
    assert [c["name"] for c in error["missing"]] == [c.name for c in stages["Qualify"].exit_criteria.all()]
    assert "Decision maker named" in error["message"]
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Qualify"]


def test_a_deal_moves_once_its_criteria_are_checked_through_the_api(api, sam, sams_deal, stages):
    call = api(sam)
    for criterion in stages["Qualify"].exit_criteria.all():
        body = call("POST", f"/deals/{sams_deal.public_id}/checks", {"criterion": criterion.pk}).json()
    assert body["checked_criteria"] == sorted(c.pk for c in stages["Qualify"].exit_criteria.all())

    response = call("POST", f"/deals/{sams_deal.public_id}/move",
                    {"stage": stages["Discovery"].pk, "expected_version": body["version"]})

    assert response.status_code == 200
    assert response.json()["stage"]["name"] == "Discovery"
    assert response.json()["version"] == body["version"] + 1
    change = StageChange.objects.filter(deal=sams_deal).last()
    assert (change.to_stage, change.changed_by) == (stages["Discovery"], sam)


def test_an_override_reason_moves_the_deal_and_is_kept(api, sam, sams_deal, stages):
    response = api(sam)("POST", f"/deals/{sams_deal.public_id}/move",
                        {"stage": stages["Demo"].pk, "override_reason": "The CEO asked for a demo"})
    assert response.status_code == 200
    assert StageChange.objects.filter(deal=sams_deal).last().override_reason == "The CEO asked for a demo"


def test_a_stale_move_is_a_409_and_the_newer_move_stands(api, sam, maya, sams_deal, stages):
    seen = sams_deal.version
    api(maya)("POST", f"/deals/{sams_deal.public_id}/move", {"stage": stages["Demo"].pk, "override_reason": "x"})

    response = api(sam)("POST", f"/deals/{sams_deal.public_id}/move",
                        {"stage": stages["Proposal"].pk, "override_reason": "x", "expected_version": seen})

    error = assert_error(response, 409, "stale", "expected_version")
    assert "reload" in error["message"]
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Demo"]


def test_a_lost_deal_needs_a_lost_reason(api, sam, sams_deal, stages):
    call = api(sam)
    lose = {"stage": stages["Lost"].pk, "override_reason": "They went quiet"}
    assert_error(call("POST", f"/deals/{sams_deal.public_id}/move", lose), 422, "invalid", "lost_reason")
    response = call("POST", f"/deals/{sams_deal.public_id}/move", {**lose, "lost_reason": "No budget this year"})
    assert response.json()["lost_reason"] == "No budget this year"


def test_an_unknown_stage_is_named_as_the_bad_field(api, sam, sams_deal):
    assert_error(api(sam)("POST", f"/deals/{sams_deal.public_id}/move", {"stage": 999_999}),
                 422, "invalid", "stage")


# Stages


def test_stages_come_in_order_with_their_exit_criteria(api, sam, stages):
    body = api(sam)("GET", "/stages").json()
    assert [s["name"] for s in body][:3] == ["Qualify", "Discovery", "Demo"]
    qualify = body[0]
    assert qualify["kind"] == "open" and qualify["probability"] == stages["Qualify"].probability
    assert "Decision maker named" in [c["name"] for c in qualify["exit_criteria"]]


# Touches


def test_a_touch_logged_through_the_api_counts_toward_seven(api, sam, dana, acme):
    response = api(sam)("POST", "/touches", {"kind": "call", "summary": "Intro call",
                                             "person": str(dana.public_id),
                                             "happened_at": "2026-03-02T10:00:00+01:00"})
    assert response.status_code == 201
    body = response.json()
    assert (body["person"], body["company"], body["by"]) == (str(dana.public_id), str(acme.public_id),
                                                             "sam@example.com")
    dana.refresh_from_db()
    acme.refresh_from_db()
    assert (dana.touch_count, acme.touch_count) == (1, 1)
    assert Touch.objects.get().source == Source.API


def test_touches_are_listed_by_person_newest_first(api, sam, dana, acme):
    services.touch_log(actor=sam, kind="email", summary="First", person=dana)
    services.touch_log(actor=sam, kind="note", summary="Company only", company=acme)
    latest = services.touch_log(actor=sam, kind="call", summary="Second", person=dana)

    body = api(sam)("GET", f"/touches?person={dana.public_id}").json()

    assert body["count"] == 2
    assert body["items"][0]["id"] == str(latest.public_id)


def test_a_touch_of_an_unknown_kind_or_without_a_zone_is_refused(api, sam, dana):
    call = api(sam)
    assert_error(call("POST", "/touches", {"kind": "fax", "summary": "x", "person": str(dana.public_id)}),
                 422, "invalid", "kind")
    assert_error(call("POST", "/touches", {"kind": "call", "summary": "x", "person": str(dana.public_id),
                                           "happened_at": "2026-03-02T10:00:00"}), 422, "invalid", "happened_at")
    assert not Touch.objects.exists()


def test_a_touch_needs_something_to_belong_to(api, sam):
    assert_error(api(sam)("POST", "/touches", {"kind": "call", "summary": "Who?"}), 422, "invalid")
    assert not Touch.objects.exists()


# Tasks


def test_a_seller_lists_only_their_open_tasks(api, sam, ravi, dana):
    mine = services.task_create(actor=sam, title="Send deck", person=dana)
    services.task_create(actor=ravi, title="Not mine")
    services.task_set_done(actor=sam, task=services.task_create(actor=sam, title="Done already"))

    body = api(sam)("GET", "/tasks").json()

    assert [t["id"] for t in body["items"]] == [str(mine.public_id)]
    assert body["items"][0]["person"] == str(dana.public_id)


def test_a_task_is_created_and_ticked_off(api, sam, sams_deal):
    call = api(sam)
    created = call("POST", "/tasks", {"title": "Book the demo", "due": "2026-03-05",
                                      "deal": str(sams_deal.public_id)}).json()
    response = call("POST", f"/tasks/{created['id']}/done", {})

    assert response.status_code == 200 and response.json()["done"] is True
    task = Task.objects.get(public_id=created["id"])
    assert (task.owner, task.deal, task.done) == (sam, sams_deal, True)


def test_a_seller_cannot_tick_off_another_sellers_task(api, sam, ravi):
    task = services.task_create(actor=sam, title="Sam's call")
    assert_error(api(ravi)("POST", f"/tasks/{task.public_id}/done", {}), 403, "forbidden")
    task.refresh_from_db()
    assert task.done is False


# Session login (the web app's own calls)


def test_a_logged_in_user_reads_the_api_with_their_session(client_for, sam, acme):
    assert client_for(sam).get("/api/v1/companies").json()["count"] == 1


def test_a_session_write_without_the_csrf_token_is_refused(sam, acme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sam)
    response = client.patch(f"/api/v1/companies/{acme.public_id}", json.dumps({"name": "CSRF'd"}),
                            content_type="application/json")
    error = assert_error(response, 403, "forbidden")
    assert "CSRF" in error["message"]
    acme.refresh_from_db()
    assert acme.name == "Acme Robotics"


def test_a_session_write_with_the_csrf_token_goes_through(sam, acme):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sam)
    token = "csrfSecretOfThirtyTwoCharacters0"  # what a page's {% csrf_token %} would have set
    client.cookies["csrftoken"] = token
    response = client.patch(f"/api/v1/companies/{acme.public_id}", json.dumps({"name": "Acme Robotics Inc"}),
                            content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    acme.refresh_from_db()
    assert acme.name == "Acme Robotics Inc"


# The one error shape


def test_every_kind_of_error_leaves_in_the_one_shape(api, sam, ravi, sams_deal, stages):
    call = api(sam)
    anonymous = Client()
    deal = f"/deals/{sams_deal.public_id}"
    assert_error(anonymous.get("/api/v1/deals"), 401, "unauthorized")
    assert_error(api(ravi)("PATCH", deal, {"title": "x"}), 403, "forbidden")
    assert_error(call("GET", f"/deals/{uuid.uuid4()}"), 404, "not_found")
    assert_error(call("GET", "/deals/42"), 422, "invalid", "deal_id")
    assert_error(call("POST", "/deals", {"title": "no company"}), 422, "invalid", "company")
    assert_error(call("PATCH", deal, {"currency": "dollars"}), 422, "invalid", "currency")
    assert_error(call("POST", f"{deal}/move", {"stage": stages["Demo"].pk}), 422, "exit_criteria_missing",
                 "override_reason")
    assert_error(call("POST", f"{deal}/move", {"stage": stages["Demo"].pk, "override_reason": "x",
                                               "expected_version": 99}), 409, "stale", "expected_version")
    assert_error(call("DELETE", deal), 405, "method_not_allowed")


def test_a_body_that_is_not_json_is_a_400_in_the_shape(api, sam):
    _, plaintext = api_token_create(user=sam, name="t")
    response = Client().post("/api/v1/deals", "{oops", content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    error = assert_error(response, 400, "bad_request")
    assert "Content-Type: application/json" in error["message"]


def test_a_missing_body_is_named_as_such(sam):
    _, plaintext = api_token_create(user=sam, name="t")
    response = Client().post("/api/v1/companies", "", content_type="application/json",
                             HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    error = assert_error(response, 422, "invalid", None)
    assert "JSON object" in error["message"]


def test_a_crash_answers_500_in_the_shape_without_its_internals(rf, caplog):
    from touchbase.api import api as touchbase_api

    try:
        raise RuntimeError("password=hunter2 in a stack frame")
    except RuntimeError as exc:
        response = touchbase_api.on_exception(rf.get("/api/v1/deals"), exc)

    assert_error(response, 500, "internal")
    assert "hunter2" not in response.content.decode()
    assert "hunter2" in caplog.text  # the trace goes to the log, for us


def test_the_docs_show_the_error_shape_on_every_operation(api, sam):
    schema = api(sam)("GET", "/openapi.json").json()
    operations = [(path, method, op) for path, methods in schema["paths"].items() for method, op in methods.items()]
    assert len(operations) >= 18
    for path, method, op in operations:
        for status in ("401", "403", "422"):
            assert status in op["responses"], f"{method.upper()} {path} does not document {status}"
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "field"}
