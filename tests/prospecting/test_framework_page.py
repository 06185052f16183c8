"""The lead framework page: everyone reads it, managers preview a change and save it as a new version."""

import json

from django.urls import reverse

from touchbase.prospecting import services
from touchbase.prospecting.models import CompanyFit, Framework


def _post(client, criteria, action, a=70, b=40):
    return client.post(reverse("prospecting:framework"), {"criteria": json.dumps(criteria), "tier_a_min": a,
                                                          "tier_b_min": b, "note": "test", "action": action})


def test_a_manager_previews_the_tier_moves_without_saving(client_for, maya, acme, dana):
    services.companies_rescore()
    assert CompanyFit.objects.get(company=acme).tier == "A"
    criteria = [dict(c, points=0) if c["key"] == "industry" else c for c in services.framework_current().criteria]
    response = _post(client_for(maya), criteria, "preview")
    html = response.content.decode()
    assert "1 company change tier" in html
    assert "<td>A</td><td>B</td><td>1</td>" in html.replace("\n", "").replace("    ", "")
    assert Framework.objects.count() == 1
    assert CompanyFit.objects.get(company=acme).tier == "A"


def test_a_manager_saves_a_new_version_and_companies_are_rescored(client_for, maya, acme, dana):
    criteria = [dict(c, points=0) if c["key"] == "industry" else c for c in services.framework_current().criteria]
    response = _post(client_for(maya), criteria, "save")
    assert response.status_code == 302
    assert services.framework_current().version == 2
    assert CompanyFit.objects.get(company=acme).tier == "B"


def test_bad_criteria_are_refused_with_the_reason_and_nothing_saved(client_for, maya, db):
    client = client_for(maya)
    response = client.post(reverse("prospecting:framework"), {"criteria": "[{oops", "tier_a_min": 70,
                                                              "tier_b_min": 40, "action": "save"})
    assert "This is not valid JSON" in response.content.decode()
    response = _post(client, [{"key": "x", "kind": "present", "field": "password", "points": 5}], "save")
    assert "field must be one of" in response.content.decode()
    assert Framework.objects.count() == 1


def test_a_seller_reads_the_framework_but_cannot_change_it(client_for, sam, db):
    client = client_for(sam)
    page = client.get(reverse("prospecting:framework")).content.decode()
    assert "Lead framework v1" in page and "Save as v2" not in page
    response = _post(client, services.framework_current().criteria, "save", a=90)
    assert response.status_code == 403
    assert Framework.objects.count() == 1
