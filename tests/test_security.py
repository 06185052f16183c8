"""Who can reach what: the login wall, the API's 401, roles through the API, tokens at rest.

The page walk reads every URL pattern from `touchbase.urls` and fills its
path converters with sample values, so a page added tomorrow is covered by
these tests without anyone listing it here. The API walk does the same from
the OpenAPI schema, method by method.
"""

import json
import re
import uuid

import pytest
from django.apps import apps
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from touchbase.accounts.services import api_token_create, api_token_revoke
from touchbase.api import api
from touchbase.crm.models import Deal

# The only pages an anonymous visitor may see: the two login forms (the site's and the admin's).
PUBLIC_PAGES = {"/login/", "/admin/login/"}
LOGIN_PAGES = ("/login/", "/admin/login/")

SAMPLES = ["1", str(uuid.UUID(int=1)), "sample", "sample-slug", "sample/path", "a"]


def _sample_for(regex: str) -> str:
    """A value that a converter's (or a regex group's) pattern accepts."""
    words = regex.split("|")
    if all(re.fullmatch(r"[\w-]+", w) for w in words):  # (?P<app_label>auth|accounts): pick an alternative
        return words[0]
    for candidate in SAMPLES:
        if re.fullmatch(regex, candidate):
            return candidate
    raise AssertionError(f"no sample value matches {regex!r}; add one to SAMPLES")


def _fill_route(route: str, converters: dict) -> str:
    def fill(match):
        return _sample_for(converters[match.group("name")].regex)

    return re.sub(r"<(?:[^>:]+:)?(?P<name>[^>]+)>", fill, route)


def _fill_regex(regex: str) -> str:
    out, pos = [], 0
    for match in re.finditer(r"\(\?P<\w+>", regex):
        if match.start() < pos:
            continue  # a group nested in one already filled
        depth, end = 1, match.end()
        while depth:  # find the group's balanced closing parenthesis
            depth += {"(": 1, ")": -1}.get(regex[end], 0)
            end += 1
        out.append(regex[pos:match.start()] + _sample_for(regex[match.end():end - 1]))
        pos = end
    out.append(regex[pos:])
    return "".join(out).lstrip("^").rstrip("$").replace("\\", "")


def _fill(pattern) -> str:
    if hasattr(pattern, "_route"):
        return _fill_route(pattern._route, pattern.converters)
    return _fill_regex(pattern._regex)


def every_url(patterns=None, prefix="/") -> list[str]:
    """Every URL of the site with sample values in its parameters, in pattern order, once each."""
    urls: list[str] = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        here = prefix + _fill(entry.pattern)
        if isinstance(entry, URLResolver):
            urls.extend(every_url(entry.url_patterns, here))
        elif isinstance(entry, URLPattern):
            urls.append(here)
    return list(dict.fromkeys(urls))


URLS = every_url()
# Public by design, by URL name: the one-click unsubscribe link in sequence emails (RFC 8058), whose
# signed token is the key; its own tests show a GET changes nothing and a bad token is refused.
# The inbound lead form endpoint, whose unguessable form key is the key; tests/prospecting/test_inbound.py
# shows an unknown or disabled key is a 404 that creates nothing.
PUBLIC_URL_NAMES = {"unsubscribe", "inbound_submit"}
PUBLIC_BY_NAME = {u for u in URLS if not u.startswith("/api/") and resolve(u).url_name in PUBLIC_URL_NAMES}
PAGES = [u for u in URLS if not u.startswith("/api/") and u not in PUBLIC_PAGES and u not in PUBLIC_BY_NAME]
API_URLS = [u for u in URLS if u.startswith("/api/")]


def test_the_walk_finds_the_pages_it_must_guard():
    # If the walk silently found nothing, every test below would pass; these pages must be in it.
    for url in ["/", "/admin/", "/password/", "/api/v1/openapi.json", "/api/v1/docs", "/api/v1/companies"]:
        assert url in URLS
    assert len(PAGES) > 20
    assert any(re.search(r"/\d+/", u) for u in PAGES), "no page with an id parameter was filled"


def _assert_turned_away(response, url, method):
    where = f"anonymous {method} {url}"
    if response.status_code in (301, 302, 303, 307, 308):
        assert response["Location"].startswith(LOGIN_PAGES), f"{where} redirects to {response['Location']}"
        assert "next=" in response["Location"], f"{where} loses the way back after login"
    else:
        assert response.status_code in (404, 405), f"{where} answered {response.status_code}"
        assert b"<form" not in response.content, f"{where} shows a form"


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in_from_every_page(db, url):
    client = Client()
    _assert_turned_away(client.get(url), url, "GET")
    _assert_turned_away(client.post(url, {"name": "x", "title": "x"}), url, "POST")


@pytest.mark.parametrize("url", sorted(PUBLIC_PAGES))
def test_the_login_pages_are_public(db, url):
    response = Client().get(url)
    assert response.status_code == 200, url
    assert b'name="password"' in response.content


def test_static_files_are_public(db):
    path = finders.find("admin/css/base.css")
    assert path, "the admin's style sheet should be found by the static finders"
    response = Client().get("/static/admin/css/base.css")
    assert response.status_code == 200


def test_nothing_anonymous_writes_a_record(db, acme, sams_deal):
    before = {m: m.objects.count() for m in apps.get_models()}
    client = Client()
    for url in PAGES:
        client.post(url, {"name": "Anonymous Inc", "title": "Anonymous deal", "first_name": "Anon"})
    for url in API_URLS:
        client.post(url, json.dumps({"name": "Anonymous Inc"}), content_type="application/json")
    assert {m: m.objects.count() for m in apps.get_models()} == before


def _operations() -> list[tuple[str, str]]:
    """(method, url) of every API operation, from the OpenAPI schema, with sample ids in the path."""
    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        # A fixed id: pytest-xdist workers must collect the same test names.
        url = re.sub(r"\{[^}]+\}", str(uuid.UUID(int=7)), path)
        for method in methods:
            operations.append((method.upper(), url))
    return operations


OPERATIONS = _operations()


def test_the_api_walk_covers_every_operation():
    methods = {m for m, _ in OPERATIONS}
    assert {"GET", "POST", "PATCH"} <= methods
    assert len(OPERATIONS) >= 18
    assert all(url.startswith("/api/v1/") for _, url in OPERATIONS)


def assert_unauthorized(response, what):
    assert response.status_code == 401, f"{what} answered {response.status_code}"
    error = response.json()["error"]
    assert error["code"] == "unauthorized" and error["field"] is None and error["message"], what


def _call(client, method, url, **headers):
    return client.generic(method, url, json.dumps({}), content_type="application/json", **headers)


@pytest.mark.parametrize(("method", "url"), OPERATIONS, ids=[f"{m} {u}" for m, u in OPERATIONS])
def test_every_api_operation_answers_401_without_credentials(db, method, url):
    assert_unauthorized(_call(Client(), method, url), f"anonymous {method} {url}")
    assert_unauthorized(_call(Client(), method, url, HTTP_AUTHORIZATION="Bearer tb_notatoken"),
                        f"{method} {url} with a made-up token")


def test_the_api_schema_and_docs_need_a_login_too(db, sam):
    assert_unauthorized(Client().get("/api/v1/openapi.json"), "anonymous openapi.json")
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 302 and docs["Location"].startswith("/login/")

    _, plaintext = api_token_create(user=sam, name="schema reader")
    schema = Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert schema.status_code == 200 and "/api/v1/deals/{deal_id}/move" in schema.json()["paths"]


def test_every_api_page_is_turned_away_for_an_anonymous_visitor(db):
    for url in API_URLS:
        for method in ("GET", "POST"):
            response = _call(Client(), method, url)
            if response.status_code == 401:
                assert_unauthorized(response, f"{method} {url}")
            elif response.status_code == 302:
                assert response["Location"].startswith("/login/")
            elif response.status_code == 307:  # an unversioned alias hands over to the versioned API, checked here too
                assert response["Location"].startswith("/api/v1/"), f"{method} {url} -> {response['Location']}"
            else:
                assert response.status_code in (404, 405), f"anonymous {method} {url}: {response.status_code}"


@pytest.fixture
def bearer():
    def for_user(user):
        _, plaintext = api_token_create(user=user, name="security tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}

    return for_user


def _json(client, method, url, body, headers):
    return client.generic(method, url, json.dumps(body), content_type="application/json", **headers)


def _deal_as_stored(deal):
    return Deal.objects.filter(pk=deal.pk).values("title", "amount_minor", "stage_id", "version", "owner_id").get()


def test_a_seller_cannot_patch_another_sellers_deal_through_the_api(db, ravi, sams_deal, bearer):
    before = _deal_as_stored(sams_deal)
    response = _json(Client(), "PATCH", f"/api/v1/deals/{sams_deal.public_id}",
                     {"title": "Ravi's now", "amount_minor": 1, "owner": "ravi@example.com"}, bearer(ravi))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert _deal_as_stored(sams_deal) == before


def test_a_seller_cannot_move_another_sellers_deal_through_the_api(db, ravi, sams_deal, stages, bearer):
    before = _deal_as_stored(sams_deal)
    response = _json(Client(), "POST", f"/api/v1/deals/{sams_deal.public_id}/move",
                     {"stage": stages["Won"].pk, "override_reason": "closing it for Sam"}, bearer(ravi))
    assert response.status_code == 403
    assert _deal_as_stored(sams_deal) == before
    assert sams_deal.stage_changes.count() == 1


def test_a_seller_cannot_tick_another_sellers_exit_criteria(db, ravi, sams_deal, stages, bearer):
    criterion = stages["Qualify"].exit_criteria.first()
    response = _json(Client(), "POST", f"/api/v1/deals/{sams_deal.public_id}/checks",
                     {"criterion": criterion.pk}, bearer(ravi))
    assert response.status_code == 403
    assert not sams_deal.checks.exists()


def test_a_manager_patches_and_moves_any_deal_through_the_api(db, maya, sams_deal, stages, bearer):
    headers = bearer(maya)
    patched = _json(Client(), "PATCH", f"/api/v1/deals/{sams_deal.public_id}", {"amount_minor": 3_000_000}, headers)
    moved = _json(Client(), "POST", f"/api/v1/deals/{sams_deal.public_id}/move",
                  {"stage": stages["Demo"].pk, "override_reason": "Demo booked by the CEO"}, headers)
    assert (patched.status_code, moved.status_code) == (200, 200)
    stored = _deal_as_stored(sams_deal)
    assert (stored["amount_minor"], stored["stage_id"]) == (3_000_000, stages["Demo"].pk)


def test_an_admin_patches_any_deal_through_the_api(db, alice, sams_deal, bearer):
    response = _json(Client(), "PATCH", f"/api/v1/deals/{sams_deal.public_id}", {"title": "Acme pilot (EU)"},
                     bearer(alice))
    assert response.status_code == 200
    assert _deal_as_stored(sams_deal)["title"] == "Acme pilot (EU)"


def test_a_revoked_token_gets_401(db, sam, sams_deal):
    token, plaintext = api_token_create(user=sam, name="leaked laptop")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}
    assert Client().get("/api/v1/deals", **headers).status_code == 200

    api_token_revoke(prefix=token.prefix)

    assert_unauthorized(Client().get("/api/v1/deals", **headers), "a revoked token")
    assert_unauthorized(_json(Client(), "PATCH", f"/api/v1/deals/{sams_deal.public_id}", {"title": "x"}, headers),
                        "a write with a revoked token")
    assert _deal_as_stored(sams_deal)["title"] == "Acme pilot"


def test_a_deactivated_users_token_gets_401(db, sam):
    _, plaintext = api_token_create(user=sam, name="former employee")
    sam.is_active = False
    sam.save()
    assert_unauthorized(Client().get("/api/v1/deals", HTTP_AUTHORIZATION=f"Bearer {plaintext}"),
                        "a deactivated user's token")


def test_a_token_is_never_stored_in_clear_anywhere_in_the_database(db, sam):
    _, plaintext = api_token_create(user=sam, name="zapier")
    Client().get("/api/v1/deals", HTTP_AUTHORIZATION=f"Bearer {plaintext}")  # use it once, too
    secret_part = plaintext.split("_", 1)[1]

    for model in apps.get_models():
        for row in model.objects.values_list():
            text = " ".join(str(cell) for cell in row)
            assert secret_part not in text, f"the token appears in {model._meta.db_table}"


# A form post from another seller, to every page that takes a record's id.

SAMPLE_UUID = str(uuid.UUID(int=1))
# The CRM's record pages; outreach, reports and inbound set-up test their owner rules in their own page tests.
CRM_RECORDS = ("companies", "people", "deals", "tasks")
RECORD_PAGES = sorted({u for u in PAGES if re.search(rf"/(1|{SAMPLE_UUID})/", u) and u.split("/")[1] in CRM_RECORDS})


def _sams_world(acme, dana, sams_deal, task):
    """Everything sam owns, as stored, plus the deal's history: what another seller must not change."""
    from touchbase.crm.models import CriterionCheck, StageChange, Task

    rows = [_stored(r) for r in (acme, dana, sams_deal)] + [Task.objects.filter(pk=task.pk).values().get()]
    return rows, CriterionCheck.objects.count(), StageChange.objects.count()


def _stored(record):
    return type(record).objects.filter(pk=record.pk).values().get()


@pytest.fixture
def sams_task(sam, dana):
    from touchbase.crm import services

    return services.task_create(actor=sam, title="Send Dana the proposal", person=dana)


def test_the_record_pages_are_found(db):
    assert any(u.startswith("/deals/") for u in RECORD_PAGES), RECORD_PAGES


@pytest.mark.parametrize("url", RECORD_PAGES)
def test_another_seller_posting_to_a_record_page_changes_nothing(url, client_for, ravi, acme, dana, sams_deal,
                                                                 sams_task, stages):
    record = dict(zip(CRM_RECORDS, (acme, dana, sams_deal, sams_task), strict=True))[url.split("/")[1]]
    real_url = url.replace("/1/", f"/{record.pk}/", 1).replace(SAMPLE_UUID, str(record.public_id), 1)
    # A form that would pass validation on the edit, move, check and toggle pages, so only the role rule stops it.
    form = {"name": "Ravi's Acme", "country": "US", "first_name": "Ravi's Dana", "title": "Ravi's deal",
            "company": "Acme Robotics", "amount": "1", "currency": "USD", "stage": stages["Won"].pk,
            "override_reason": "taking it over", "version": sams_deal.version,
            "criterion": stages["Qualify"].exit_criteria.first().pk, "checked": "on"}
    before = _sams_world(acme, dana, sams_deal, sams_task)

    response = client_for(ravi).post(real_url, form)

    assert response.status_code < 500, f"{real_url} crashed for another seller"
    assert _sams_world(acme, dana, sams_deal, sams_task) == before, f"ravi changed sam's records via {real_url}"
