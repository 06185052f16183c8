"""The lead framework: criteria, versions, bulk scoring into A/B/C with why, and the tier-move preview."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from touchbase.crm import services as crm
from touchbase.prospecting import services
from touchbase.prospecting.framework import Scorer, parse_criteria
from touchbase.prospecting.models import CompanyFit, Framework

CRITERIA = [
    {"key": "industry", "label": "Industry we sell to", "kind": "in_set", "field": "industry",
     "values": ["Robotics", "Software"], "points": 30},
    {"key": "size", "label": "50 to 500 people", "kind": "in_range", "field": "employee_count",
     "min": 50, "max": 500, "points": 30},
    {"key": "country", "label": "US or Germany", "kind": "in_set", "field": "country", "values": ["US", "DE"],
     "points": 10},
    {"key": "senior", "label": "Senior contact", "kind": "title_words", "words": ["vp", "head of"], "points": 20},
    {"key": "measured", "label": "Willing to be measured", "kind": "answer_yes", "field": "willing_to_be_measured",
     "points": 10},
]


@pytest.fixture
def framework(maya):
    framework, _ = services.framework_save(actor=maya, criteria=CRITERIA, tier_a_min=80, tier_b_min=40)
    return framework


def test_a_default_framework_exists_when_none_was_saved(db):
    framework = services.framework_current()
    assert framework.version == 1
    assert {c["key"] for c in framework.criteria} >= {"industry", "size", "measured"}
    assert services.framework_current().pk == framework.pk


def test_the_scorer_adds_the_points_of_the_criteria_met_and_says_which_were_missed():
    scorer = Scorer(parse_criteria(CRITERIA, 80, 40), 80, 40)
    row = ("Acme", "acme.example", "", "robotics", 120, "FR", "", "unknown")
    fit = scorer.score(row, scorer.title_mask("VP, Operations"))
    assert fit.score == 30 + 30 + 20
    assert fit.tier == "A"
    assert fit.met == ("industry", "size", "senior")
    assert fit.missed == ("country", "measured")


def test_title_words_match_whole_words_only():
    scorer = Scorer(parse_criteria(CRITERIA, 80, 40), 80, 40)
    assert scorer.title_mask("Head of Growth")
    assert scorer.title_mask("Senior VP Sales")
    assert not scorer.title_mask("MVP engineer")
    assert not scorer.title_mask("Headhunter")


@pytest.mark.parametrize("criteria, a, b, message", [
    ([], 80, 40, "at least one criterion"),
    (CRITERIA, 40, 80, "A threshold"),
    ([{"key": "x", "kind": "in_set", "field": "industry", "values": [], "points": 5}], 80, 40, "at least one value"),
    ([{"key": "x", "kind": "in_range", "field": "employee_count", "min": 10, "max": 5, "points": 5}], 80, 40,
     "above max"),
    ([{"key": "x", "kind": "present", "field": "password", "points": 5}], 80, 40, "field must be"),
    ([{"key": "x", "kind": "magic", "points": 5}], 80, 40, "kind 'magic'"),
    ([{"key": "x", "kind": "present", "field": "domain", "points": 5}] * 2, 80, 40, "used twice"),
    ([{"key": "x", "kind": "present", "field": "domain", "points": 5.5}], 80, 40, "whole number"),
])
def test_a_bad_framework_is_refused_with_the_reason(criteria, a, b, message):
    with pytest.raises(ValidationError, match=message):
        parse_criteria(criteria, a, b)


def test_saving_a_change_adds_a_version_and_rescores_every_company(maya, sam, acme, dana):
    services.framework_current()
    framework, moves = services.framework_save(actor=maya, criteria=CRITERIA, tier_a_min=80, tier_b_min=40)
    assert framework.version == 2
    assert Framework.objects.count() == 2
    fit = CompanyFit.objects.get(company=acme)
    # Acme: Robotics, 120 people, US, Dana is "VP Operations"; not known to be willing to be measured.
    assert (fit.score, fit.tier, fit.framework_id) == (90, "A", framework.pk)
    assert fit.met == ["industry", "size", "country", "senior"]
    assert fit.missed == ["measured"]
    assert moves.count(None, "A") == 1


def test_saving_the_framework_in_force_adds_no_version(maya, framework):
    again, moves = services.framework_save(actor=maya, criteria=CRITERIA, tier_a_min=80, tier_b_min=40)
    assert again.pk == framework.pk
    assert moves.moved == 0


def test_a_seller_cannot_change_the_framework(sam):
    with pytest.raises(PermissionDenied):
        services.framework_save(actor=sam, criteria=CRITERIA, tier_a_min=80, tier_b_min=40)
    assert not Framework.objects.filter(version__gt=1).exists()


def test_the_preview_counts_companies_moving_between_tiers_and_writes_nothing(maya, sam, acme, framework):
    small = crm.company_create(actor=sam, name="Tiny Robots", industry="Robotics", employee_count=8, country="US")
    services.companies_rescore()
    assert CompanyFit.objects.get(company=small).tier == "B"  # 30 + 10
    stricter = [dict(c, points=5) if c["key"] == "industry" else c for c in CRITERIA]

    preview = services.framework_preview(criteria=stricter, tier_a_min=80, tier_b_min=40)

    # Acme (no senior contact yet): 30+30+10 = 70 -> 45 stays B; Tiny Robots: 40 -> 15 drops to C.
    assert preview.count("B", "B") == 1
    assert preview.count("B", "C") == 1
    assert preview.moved == 1
    assert preview.after == {"A": 0, "B": 1, "C": 1}
    assert CompanyFit.objects.get(company=small).tier == "B"
    assert Framework.objects.order_by("-version").first().pk == framework.pk


def test_answering_willing_to_be_measured_moves_the_company_up(sam, acme, framework):
    services.companies_rescore()
    assert CompanyFit.objects.get(company=acme).score == 70
    services.company_set_qualifier(actor=sam, company=acme, willing_to_be_measured="yes")
    fit = CompanyFit.objects.get(company=acme)
    assert fit.score == 80 and fit.tier == "A"
    assert "measured" in fit.met


def test_another_sellers_company_qualifier_is_refused(ravi, acme, framework):
    with pytest.raises(PermissionDenied):
        services.company_set_qualifier(actor=ravi, company=acme, willing_to_be_measured="yes")


def test_rescoring_again_rewrites_nothing_and_keeps_the_tiers(sam, acme, dana, framework):
    services.companies_rescore()
    before = CompanyFit.objects.get(company=acme).scored_at
    moves = services.companies_rescore()
    assert moves.moved == 0
    assert CompanyFit.objects.get(company=acme).scored_at == before


def test_rescoring_a_list_of_companies_spans_several_statements(sam, framework, monkeypatch):
    from touchbase.crm.models import Company
    from touchbase.prospecting import selectors

    monkeypatch.setattr(selectors, "IDS_PER_STATEMENT", 7)
    Company.objects.bulk_create([Company(name=f"Co {i}", industry="Software", employee_count=i * 20, country="DE")
                                 for i in range(1, 30)])
    ids = list(Company.objects.order_by("pk").values_list("pk", flat=True))
    moves = services.companies_rescore(company_ids=ids[:-1])
    assert sum(moves.after.values()) == 28
    assert CompanyFit.objects.count() == 28
    # 60..500 employees are in range (i = 3..25): 30+30+10 = 70 -> B; the others 40 -> B as well.
    assert set(CompanyFit.objects.values_list("tier", flat=True)) == {"B"}
    assert CompanyFit.objects.filter(score=70).count() == 23


TITLES = ["VP, Sales", "SVP/VP Ops", "MVP engineer", "Head of Growth", "Headhunter", "head  of sales", "", "PRÉSIDENT",
          "Vice-President", "Directrice", "CEO & Founder", "Chief (acting)", "vp_sales", "Sales 100%"]


def test_the_sql_scorer_agrees_with_the_python_rules(maya, sam):
    """Bulk scoring runs as SQL; framework.Scorer states the same rules in Python. They must agree."""
    from touchbase.crm.models import Company, Person
    from touchbase.prospecting.models import Qualifier

    criteria = [*CRITERIA, {"key": "has_site", "label": "Has a website", "kind": "present", "field": "website",
                            "points": 5},
                {"key": "big", "label": "Not tiny", "kind": "in_range", "field": "employee_count", "min": 10,
                 "max": None, "points": -3},
                {"key": "titles", "label": "Titles", "kind": "title_words",
                 "words": ["vice president", "Head  of", "100%", "ceo", "chief", "vp_sales", "président"], "points": 7}]
    framework, _ = services.framework_save(actor=maya, criteria=criteria, tier_a_min=60, tier_b_min=30)
    industries, sizes, countries = ["Robotics", "ROBOTICS", "software ", "Retail", ""], [None, 5, 50, 500, 501], \
        ["US", "DE", "FR", ""]
    companies = Company.objects.bulk_create([
        Company(name=f"Co {i}", industry=industries[i % 5], employee_count=sizes[i // 5 % 5],
                country=countries[i // 25 % 4], website="https://x.example" if i % 2 else "")
        for i in range(100)])
    Qualifier.objects.bulk_create([Qualifier(company=c, willing_to_be_measured=["yes", "no", "unknown"][i % 3])
                                   for i, c in enumerate(companies) if i % 4])
    Person.objects.bulk_create([Person(first_name="P", company=c, title=TITLES[(i * 7 + j) % len(TITLES)])
                                for i, c in enumerate(companies) for j in range(i % 3)])

    services.companies_rescore(framework=framework)

    scorer = Scorer(framework.criteria, framework.tier_a_min, framework.tier_b_min)
    for company in Company.objects.select_related("fit").prefetch_related("people"):
        willing = getattr(getattr(company, "qualifier", None), "willing_to_be_measured", "unknown")
        row = (company.name, company.domain, company.website, company.industry, company.employee_count,
               company.country, company.notes, willing)
        expected = scorer.score(row, scorer.titles_mask(p.title for p in company.people.all()))
        assert (company.fit.score, company.fit.tier, company.fit.met, company.fit.missed) == \
            (expected.score, expected.tier, list(expected.met), list(expected.missed)), company.name
