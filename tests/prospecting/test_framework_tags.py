"""Tags and custom field values: on a company's qualifier, as framework criteria, scored in Python and SQL alike."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from touchbase.crm.models import Company
from touchbase.prospecting import qualifiers, services
from touchbase.prospecting.framework import Scorer, parse_criteria
from touchbase.prospecting.models import CompanyFit, Qualifier

CRITERIA = [
    {"key": "industry", "label": "Industry we sell to", "kind": "in_set", "field": "industry",
     "values": ["Robotics"], "points": 30},
    {"key": "partner", "label": "Came through a partner", "kind": "has_tag", "tags": ["Partner", " event  2026 "],
     "points": 40},
    {"key": "on_salesforce", "label": "Runs Salesforce", "kind": "custom_value", "field": "crm_used",
     "values": ["Salesforce", "sfdc"], "points": 20},
]


@pytest.fixture
def framework(maya):
    framework, _ = services.framework_save(actor=maya, criteria=CRITERIA, tier_a_min=80, tier_b_min=40)
    return framework


def test_tag_criteria_are_kept_as_tags_are_stored():
    criteria = parse_criteria(CRITERIA, 80, 40)
    assert criteria[1]["tags"] == ["partner", "event 2026"]
    assert criteria[2] == {"key": "on_salesforce", "label": "Runs Salesforce", "kind": "custom_value",
                           "field": "crm_used", "values": ["Salesforce", "sfdc"], "points": 20}


@pytest.mark.parametrize("criterion, message", [
    ({"key": "t", "kind": "has_tag", "tags": [], "points": 5}, "Criterion 't': list at least one tag"),
    ({"key": "t", "kind": "has_tag", "tags": ["  "], "points": 5}, "Criterion 't': list at least one tag"),
    ({"key": "t", "kind": "has_tag", "tags": ["x" * 41], "points": 5}, "Criterion 't': tag 'xxxx"),
    ({"key": "c", "kind": "custom_value", "field": "CRM used", "values": ["x"], "points": 5},
     "Criterion 'c': field 'CRM used' must name a custom field"),
    ({"key": "c", "kind": "custom_value", "field": "", "values": ["x"], "points": 5},
     "Criterion 'c': field '' must name a custom field"),
    ({"key": "c", "kind": "custom_value", "field": "crm_used", "values": [" "], "points": 5},
     "Criterion 'c': list at least one value of custom field 'crm_used'"),
    ({"key": "c", "kind": "custom_present", "field": "CRM used", "points": 5},
     "Criterion 'c': field 'CRM used' must name a custom field"),
    ({"key": "c", "kind": "custom_present", "points": 5}, "Criterion 'c': field '' must name a custom field"),
    ({"key": "t", "kind": "has_tag", "tags": ["partner|vip"], "points": 5},
     "Criterion 't': tag 'partner|vip' holds a , ; or |"),
])
def test_bad_tag_and_custom_criteria_are_refused_naming_the_criterion(criterion, message):
    with pytest.raises(ValidationError) as error:
        parse_criteria([criterion], 80, 40)
    assert message in str(error.value)


def test_a_custom_present_criterion_keeps_its_field_and_needs_no_values():
    criteria = parse_criteria([{"key": "crm", "label": "We know their CRM", "kind": "custom_present",
                                "field": " crm_used ", "values": ["ignored"], "points": 10}], 80, 40)
    assert criteria == [{"key": "crm", "label": "We know their CRM", "kind": "custom_present", "field": "crm_used",
                         "points": 10}]


def test_a_lone_tag_string_is_one_tag_not_its_letters():
    criteria = parse_criteria([{"key": "t", "kind": "has_tag", "tags": "Partner", "points": 5}], 80, 40)
    assert criteria[0]["tags"] == ["partner"]


def test_the_python_scorer_reads_tags_and_custom_values():
    scorer = Scorer(parse_criteria(CRITERIA, 80, 40), 80, 40)
    row = ("Acme", "", "", "Robotics", None, "", "", "unknown", ["event 2026"], {"crm_used": "SALESFORCE"})
    fit = scorer.score(row)
    assert (fit.score, fit.tier, fit.met) == (90, "A", ("industry", "partner", "on_salesforce"))
    bare = scorer.score(("Acme", "", "", "Robotics", None, "", "", "unknown", [], {"crm_used": "HubSpot"}))
    assert (bare.score, bare.missed) == (30, ("partner", "on_salesforce"))


def test_the_sql_scorer_agrees_with_the_python_rules_on_tags_and_custom_values(maya, sam):
    criteria = [*CRITERIA, {"key": "any_sport", "label": "Sporty", "kind": "has_tag", "tags": ["golf", "o'brien"],
                            "points": 7},
                {"key": "region", "label": "EMEA", "kind": "custom_value", "field": "region", "values": ["emea"],
                 "points": -3}]
    framework, _ = services.framework_save(actor=maya, criteria=criteria, tier_a_min=60, tier_b_min=30)
    tag_sets = [[], ["partner"], ["Partner"], ["golf", "x"], ["o'brien"], ["event 2026"], ["event  2026"], [5],
                ["partners"], ["%"]]
    customs = [{}, {"crm_used": "salesforce"}, {"crm_used": "SFDC"}, {"crm_used": "Salesforce CRM"},
               {"region": "EMEA", "crm_used": "sfdc"}, {"region": "Emea "}, {"crm_used": 5}, {"CRM_USED": "sfdc"},
               {"region": None}]
    companies = Company.objects.bulk_create([Company(name=f"Co {i}", industry="Robotics" if i % 2 else "")
                                             for i in range(120)])
    Qualifier.objects.bulk_create([Qualifier(company=c, tags=tag_sets[i % len(tag_sets)],
                                             custom=customs[i // 3 % len(customs)])
                                   for i, c in enumerate(companies) if i % 7])

    services.companies_rescore(framework=framework)

    scorer = Scorer(framework.criteria, framework.tier_a_min, framework.tier_b_min)
    met_any = set()
    for company in Company.objects.select_related("fit", "qualifier"):
        qualifier = getattr(company, "qualifier", None)
        row = (company.name, company.domain, company.website, company.industry, company.employee_count,
               company.country, company.notes, "unknown", qualifier.tags if qualifier else [],
               qualifier.custom if qualifier else {})
        expected = scorer.score(row)
        assert (company.fit.score, company.fit.met) == (expected.score, list(expected.met)), \
            (company.name, row[8:])
        met_any.update(expected.met)
    assert met_any == {"industry", "partner", "on_salesforce", "any_sport", "region"}
    # And the preview (the same SQL, counted) sees no move against what was just stored.
    assert services.framework_preview(criteria=framework.criteria, tier_a_min=60, tier_b_min=30).moved == 0


# A custom field's stored JSON value and whether custom_present counts it as filled in.
FILLED_IN = [
    ({}, False), ({"crm_used": ""}, False), ({"crm_used": "  "}, False), ({"crm_used": " \t\n"}, False),
    ({"crm_used": None}, False), ({"crm_used": {"name": "sfdc"}}, False), ({"crm_used": {}}, False),
    ({"crm_used": ["sfdc"]}, False), ({"CRM_USED": "sfdc"}, False), ({"crm_used_2": "sfdc"}, False),
    ({"crm_used": "x"}, True), ({"crm_used": " x "}, True), ({"crm_used": "Ünïcode"}, True), ({"crm_used": 0}, True),
    ({"crm_used": 2.5}, True), ({"crm_used": False}, True), ({"crm_used": True}, True), ({"crm_used": "0"}, True),
    ({"crm_used": "%"}, True), ({"crm_used": "'"}, True),
]


@pytest.mark.parametrize("custom, met", FILLED_IN)
def test_the_python_scorer_counts_a_custom_field_filled_in_when_it_has_a_value(custom, met):
    criteria = parse_criteria([{"key": "crm", "kind": "custom_present", "field": "crm_used", "points": 10}], 80, 40)
    fit = Scorer(criteria, 80, 40).score(("Acme", "", "", "", None, "", "", "unknown", [], custom))
    assert (fit.score, fit.met) == ((10, ("crm",)) if met else (0, ())), custom


def test_the_sql_scorer_agrees_with_the_python_rules_on_custom_fields_filled_in(maya):
    criteria = [{"key": "crm", "label": "We know their CRM", "kind": "custom_present", "field": "crm_used",
                 "points": 10},
                {"key": "seats", "label": "Seats known", "kind": "custom_present", "field": "seats", "points": 20},
                {"key": "on_salesforce", "label": "Runs Salesforce", "kind": "custom_value", "field": "crm_used",
                 "values": ["x"], "points": 40}]
    framework, _ = services.framework_save(actor=maya, criteria=criteria, tier_a_min=60, tier_b_min=20)
    customs = [custom for custom, _met in FILLED_IN] + [{"crm_used": "x", "seats": 12}, {"seats": " "}]
    companies = Company.objects.bulk_create([Company(name=f"Co {i}") for i in range(2 * len(customs) + 3)])
    # Every value once under crm_used, once under seats; the last three companies have no qualifier row.
    Qualifier.objects.bulk_create(
        [Qualifier(company=companies[i], custom=custom) for i, custom in enumerate(customs)]
        + [Qualifier(company=companies[len(customs) + i], custom={"seats" if k == "crm_used" else k: v
                                                                   for k, v in custom.items()})
           for i, custom in enumerate(customs)])

    services.companies_rescore(framework=framework)

    scorer = Scorer(framework.criteria, framework.tier_a_min, framework.tier_b_min)
    met_any, missed_any = set(), set()
    for company in Company.objects.select_related("fit", "qualifier"):
        qualifier = getattr(company, "qualifier", None)
        custom = qualifier.custom if qualifier else {}
        expected = scorer.score((company.name, "", "", "", None, "", "", "unknown", [], custom))
        assert (company.fit.score, company.fit.met) == (expected.score, list(expected.met)), (company.name, custom)
        met_any.update(expected.met)
        missed_any.update(expected.missed)
    assert met_any == missed_any == {"crm", "seats", "on_salesforce"}
    assert services.framework_preview(criteria=framework.criteria, tier_a_min=60, tier_b_min=20).moved == 0


def test_tagging_a_company_rescores_it_at_once(sam, acme, framework):
    services.companies_rescore()
    assert CompanyFit.objects.get(company=acme).tier == "C"
    qualifiers.qualifier_update(actor=sam, company=acme, tags="  Partner , VIP,partner")
    qualifier = Qualifier.objects.get(company=acme)
    assert qualifier.tags == ["partner", "vip"]
    fit = CompanyFit.objects.get(company=acme)
    assert (fit.score, fit.tier, "partner" in fit.met) == (70, "B", True)
    qualifiers.qualifier_update(actor=sam, company=acme, custom={"crm_used": " Salesforce "})
    fit.refresh_from_db()
    assert (fit.score, fit.tier) == (90, "A")
    assert Qualifier.objects.get(company=acme).tags == ["partner", "vip"], "tags left alone when not given"
    qualifiers.qualifier_update(actor=sam, company=acme, custom={"crm_used": ""})
    assert Qualifier.objects.get(company=acme).custom == {}


@pytest.mark.parametrize("change, message", [
    ({"tags": ["x" * 41]}, "longer than 40 characters"),
    ({"tags": [f"t{i}" for i in range(31)]}, "at most 30"),
    ({"custom": {"CRM used": "x"}}, "Custom field 'CRM used': a name is lower-case"),
    ({"custom": {"crm_used": "x" * 201}}, "longer than 200 characters"),
    ({"custom": {"crm_used": ["a"]}}, "the value must be text"),
    ({"willing_to_be_measured": "maybe"}, "is not yes, no or unknown"),
    # An export writes tags into one cell split on , ; and |: a tag holding one would not come back whole.
    ({"tags": ["partner;vip"]}, "Tag 'partner;vip' holds a , ; or |, which separate tags"),
])
def test_bad_qualifier_values_are_refused_and_nothing_changes(sam, acme, change, message):
    with pytest.raises(ValidationError) as error:
        qualifiers.qualifier_update(actor=sam, company=acme, **change)
    assert message in str(error.value)
    assert not Qualifier.objects.filter(company=acme).exists()


def test_another_seller_cannot_tag_a_company_they_do_not_own(ravi, acme):
    with pytest.raises(PermissionDenied):
        qualifiers.qualifier_update(actor=ravi, company=acme, tags=["mine"])
    assert not Qualifier.objects.filter(company=acme).exists()


def test_the_company_page_edits_tags_and_custom_values_and_shows_the_why(client_for, sam, acme, framework):
    client = client_for(sam)
    page = client.get(reverse("crm:company_detail", args=[acme.pk])).content.decode()
    assert 'id="qualifier-form"' in page
    assert 'name="custom_name" value="crm_used"' in page, "the framework's custom field is offered"
    response = client.post(reverse("prospecting:company_qualifier", args=[acme.pk]), {
        "willing_to_be_measured": "yes", "tags": "Partner, <script>alert(1)</script>",
        "custom_name": ["crm_used", "seats"], "custom_value": ["sfdc", "40"]})
    assert response.status_code == 302
    qualifier = Qualifier.objects.get(company=acme)
    assert (qualifier.willing_to_be_measured, qualifier.custom) == ("yes", {"crm_used": "sfdc", "seats": "40"})
    page = client.get(response.url).content.decode()
    assert "is now tier A (90 points)" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    why = page.split('class="rowlist fit-why"')[1].split("</ul>")[0]
    assert 'class="met"' in why and "Came through a partner" in why and "Runs Salesforce" in why
    assert 'name="custom_name" value="seats"' in page, "the company's own custom fields stay editable"


def test_a_bad_custom_field_name_on_the_page_says_why(client_for, sam, acme):
    client = client_for(sam)
    response = client.post(reverse("prospecting:company_qualifier", args=[acme.pk]),
                           {"tags": "", "custom_name": ["Bad Name"], "custom_value": ["x"]}, follow=True)
    assert "Custom field &#x27;Bad Name&#x27;: a name is lower-case" in response.content.decode()


def test_another_seller_gets_no_form_and_cannot_post_one(client_for, ravi, acme):
    client = client_for(ravi)
    page = client.get(reverse("crm:company_detail", args=[acme.pk])).content.decode()
    assert 'id="qualifier-form"' not in page
    response = client.post(reverse("prospecting:company_qualifier", args=[acme.pk]), {"tags": "mine"})
    assert response.status_code == 403
    assert not Qualifier.objects.filter(company=acme).exists()


def test_the_framework_editor_takes_tag_and_custom_criteria_from_a_manager(client_for, maya, sam, acme):
    qualifiers.qualifier_update(actor=sam, company=acme, tags=["partner"])
    criteria = [*services.framework_current().criteria,
                {"key": "partner", "label": "Partner lead", "kind": "has_tag", "tags": ["partner"], "points": 40},
                {"key": "crm", "label": "On Salesforce", "kind": "custom_value", "field": "crm_used",
                 "values": ["salesforce"], "points": 5}]
    client = client_for(maya)
    form = {"criteria": json.dumps(criteria), "tier_a_min": 100, "tier_b_min": 60, "note": "partners"}
    preview = client.post(reverse("prospecting:framework"), {**form, "action": "preview"}).content.decode()
    assert "1 company change tier" in preview
    assert services.framework_current().version == 1
    assert client.post(reverse("prospecting:framework"), {**form, "action": "save"}).status_code == 302
    saved = services.framework_current()
    assert saved.version == 2 and [c["kind"] for c in saved.criteria][-2:] == ["has_tag", "custom_value"]
    assert "partner" in CompanyFit.objects.get(company=acme).met


def test_the_framework_editor_takes_a_custom_field_filled_in(client_for, maya, sam, acme):
    qualifiers.qualifier_update(actor=sam, company=acme, custom={"crm_used": "HubSpot"})
    criteria = [*services.framework_current().criteria,
                {"key": "crm_known", "label": "We know their CRM", "kind": "custom_present", "field": "crm_used",
                 "points": 10}]
    client = client_for(maya)
    page = client.get(reverse("prospecting:framework")).content.decode()
    assert "<code>custom_present</code> (field: a custom field's name; met when it is filled in)" in page
    response = client.post(reverse("prospecting:framework"), {
        "criteria": json.dumps(criteria), "tier_a_min": 100, "tier_b_min": 60, "action": "save"})
    assert response.status_code == 302
    assert services.framework_current().criteria[-1] == criteria[-1]
    assert "crm_known" in CompanyFit.objects.get(company=acme).met
    page = client_for(sam).get(reverse("crm:company_detail", args=[acme.pk])).content.decode()
    assert "We know their CRM" in page


def test_a_seller_cannot_save_a_framework(client_for, sam, db):
    criteria = [{"key": "partner", "label": "Partner", "kind": "has_tag", "tags": ["partner"], "points": 40}]
    response = client_for(sam).post(reverse("prospecting:framework"), {
        "criteria": json.dumps(criteria), "tier_a_min": 30, "tier_b_min": 10, "action": "save"})
    assert response.status_code == 403
    assert services.framework_current().version == 1


def test_the_tier_list_shows_each_company_s_tags(client_for, sam, acme, framework, django_assert_max_num_queries):
    from touchbase.crm import services as crm

    plain = crm.company_create(actor=sam, name="Plain Co")
    qualifiers.qualifier_update(actor=sam, company=acme, tags=["partner", "<b>vip</b>"])
    services.companies_rescore()
    client = client_for(sam)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("prospecting:tier_list")).content.decode()
    row = html.split(f'href="{reverse("crm:company_detail", args=[acme.pk])}"')[1].split("</tr>")[0]
    assert '<a class="badge" href="?tier=&amp;tag=partner">partner</a>' in row and "&lt;b&gt;vip&lt;/b&gt;" in row
    assert 'class="tags"' not in html.split(f'href="{reverse("crm:company_detail", args=[plain.pk])}"')[1] \
        .split("</tr>")[0]


def test_the_tier_list_filters_by_tag(client_for, sam, acme, framework):
    from touchbase.crm import services as crm

    other = crm.company_create(actor=sam, name="Other Co", industry="Robotics")
    qualifiers.qualifier_update(actor=sam, company=acme, tags=["partner", "event 2026"])
    qualifiers.qualifier_update(actor=sam, company=other, tags=["partners"])
    client = client_for(sam)
    html = client.get(reverse("prospecting:tier_list"), {"tag": " Partner "}).content.decode()
    assert "Acme Robotics" in html and "Other Co" not in html and 'id="tag-filter"' in html
    html = client.get(reverse("prospecting:tier_list"), {"tag": "event 2026", "tier": "B"}).content.decode()
    assert "Acme Robotics" in html
    html = client.get(reverse("prospecting:tier_list"), {"tag": "event 2026", "tier": "A"}).content.decode()
    assert "Acme Robotics" not in html and "No scored companies in tier A tagged event 2026 yet." in html
    html = client.get(reverse("prospecting:tier_list")).content.decode()
    assert "Acme Robotics" in html and "Other Co" in html


def test_the_framework_editor_lists_the_tags_and_custom_fields_in_use(client_for, maya, sam, acme):
    from touchbase.crm import services as crm

    other = crm.company_create(actor=sam, name="Other Co")
    qualifiers.qualifier_update(actor=sam, company=acme, tags=["partner", "<i>x</i>"], custom={"crm_used": "sfdc"})
    qualifiers.qualifier_update(actor=sam, company=other, tags=["partner"], custom={"crm_used": "x", "seats": "4"})
    html = client_for(maya).get(reverse("prospecting:framework")).content.decode()
    vocabulary = html.split('id="vocabulary"')[1].split("</p>")[0]
    assert "Tags in use: <code>partner</code> (2), <code>&lt;i&gt;x&lt;/i&gt;</code> (1)." in vocabulary
    assert "Custom fields in use: <code>crm_used</code> (2), <code>seats</code> (1)." in vocabulary


def test_a_typed_line_of_tags_is_split_as_an_import_splits_a_tags_cell(sam, acme):
    qualifiers.qualifier_update(actor=sam, company=acme, tags="Partner; VIP | event-2026, partner")
    assert Qualifier.objects.get(company=acme).tags == ["partner", "vip", "event-2026"]


def test_rescoring_ids_that_cover_every_company_scores_them_as_everyone(sam, acme, framework, monkeypatch):
    other = Company.objects.create(name="Beta", domain="beta.example")
    rebuilt = []
    real = services.fits_rebuild
    monkeypatch.setattr(services, "fits_rebuild", lambda *a, **k: rebuilt.append(1) or real(*a, **k))
    monkeypatch.setattr(services, "RESCORE_ALL_FROM", 2)
    services.companies_rescore(company_ids=[acme.pk])
    assert rebuilt == []
    services.companies_rescore(company_ids=[acme.pk, other.pk])
    assert rebuilt == [1]
    assert CompanyFit.objects.filter(company__in=[acme, other]).count() == 2
