"""POST /api/v1/coach: one email in, the coach's review out, for the live panel and for scripts."""

import json

from touchbase.coach import review

PADDED = "Hi Dana, I hope this email finds you well. Could we talk Tuesday because the pilot starts soon? Thx."


def post(client, payload):
    return client.post("/api/v1/coach", json.dumps(payload), content_type="application/json")


def test_it_returns_the_same_review_as_the_library(client_for, sam):
    response = post(client_for(sam), {"id": "e1", "kind": "first_touch", "subject": "Pilot", "body": PADDED})
    assert response.status_code == 200
    data = response.json()
    expected = review(PADDED, "Pilot", "first_touch").to_dict()
    assert data["id"] == "e1"
    assert data["countdown"] == 400 - len(PADDED) == expected["countdown"]
    assert [f["rule"] for f in data["findings"]] == [f["rule"] for f in expected["findings"]]
    assert "pad.opener" in {f["rule"] for f in data["findings"]}


def test_each_finding_carries_the_edit_that_fixes_it_or_null(client_for, sam):
    data = post(client_for(sam), {"kind": "first_touch", "subject": "", "body": PADDED}).json()
    by_rule = {f["rule"]: f for f in data["findings"]}
    edit = by_rule["pad.opener"]["replacement"]
    assert edit == {"start": 9, "end": 43, "text": ""}
    assert PADDED[: edit["start"]] + edit["text"] + PADDED[edit["end"] :] == (
        "Hi Dana, Could we talk Tuesday because the pilot starts soon? Thx."
    )
    assert by_rule["subject.missing"]["replacement"] is None


def test_an_email_over_400_characters_is_an_error_with_a_negative_countdown(client_for, sam):
    body = "We cut onboarding time for ops teams. " * 15
    data = post(client_for(sam), {"kind": "first_touch", "body": body}).json()
    assert data["countdown"] < 0
    assert any(f["rule"] == "length.chars" and f["severity"] == "error" for f in data["findings"])


def test_an_unknown_kind_is_refused_naming_the_field(client_for, sam):
    response = post(client_for(sam), {"kind": "novel", "body": "Hi"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "kind"


def test_it_needs_a_login(client):
    response = post(client, {"body": "Hi"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_the_unversioned_address_keeps_the_post(client_for, sam):
    client = client_for(sam)
    response = client.post("/api/coach", json.dumps({"body": PADDED}), content_type="application/json")
    assert response.status_code == 307
    assert response["Location"] == "/api/v1/coach"
    followed = client.post(response["Location"], json.dumps({"body": PADDED}), content_type="application/json")
    assert followed.json()["countdown"] == 400 - len(PADDED)
