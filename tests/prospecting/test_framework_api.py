"""The API reads a company's tier with why, and sets what the tier is computed from (tags, custom, answer)."""

import json

import pytest
from django.test import Client

from touchbase.accounts.services import api_token_create
from touchbase.prospecting import services
from touchbase.prospecting.models import Qualifier

PARTNER = {"key": "partner", "label": "Came through a partner", "kind": "has_tag", "tags": ["partner"], "points": 30}


def api(user, method, path, body=None):
    _, token = api_token_create(user=user, name="script")
    call = getattr(Client(), method)
    return call(f"/api/v1{path}", json.dumps(body) if body is not None else None, content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def framework(maya):
    criteria = [*services.framework_current().criteria, PARTNER]
    framework, _ = services.framework_save(actor=maya, criteria=criteria, tier_a_min=100, tier_b_min=40)
    return framework


def test_the_fit_says_tier_score_version_and_why(sam, acme, dana, framework):
    body = api(sam, "get", f"/companies/{acme.public_id}/fit").json()
    assert (body["tier"], body["score"], body["framework_version"]) == ("B", 85, 2)
    assert [r["key"] for r in body["missed"]] == ["measured", "partner"]
    assert body["met"][0] == {"key": "industry", "label": "Industry we sell to", "points": 25}
    assert (body["willing_to_be_measured"], body["tags"], body["custom"]) == ("unknown", [], {})


def test_tagging_through_the_api_rescores_the_company(sam, acme, dana, framework):
    response = api(sam, "patch", f"/companies/{acme.public_id}/qualifier",
                   {"tags": [" Partner ", "VIP"], "custom": {"crm_used": "Salesforce"}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tier"], body["score"], body["tags"], body["custom"]) == (
        "A", 115, ["partner", "vip"], {"crm_used": "Salesforce"})
    assert Qualifier.objects.get(company=acme).willing_to_be_measured == "unknown", "left out, left alone"


def test_a_bad_custom_field_name_is_a_422_in_the_one_error_shape(sam, acme):
    response = api(sam, "patch", f"/companies/{acme.public_id}/qualifier", {"custom": {"Bad Name": "x"}})
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", "custom") and "Bad Name" in error["message"]
    assert not Qualifier.objects.filter(company=acme).exists()


def test_another_seller_may_read_but_not_change(ravi, acme):
    assert api(ravi, "get", f"/companies/{acme.public_id}/fit").status_code == 200
    response = api(ravi, "patch", f"/companies/{acme.public_id}/qualifier", {"tags": ["mine"]})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert not Qualifier.objects.filter(company=acme).exists()


def test_without_a_token_nothing_is_read(acme):
    assert Client().get(f"/api/v1/companies/{acme.public_id}/fit").status_code == 401
