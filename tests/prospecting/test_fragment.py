"""The tier fragment the company page includes: tier, score, framework version and why."""

from django.template.loader import render_to_string

from touchbase.prospecting import services


def test_it_shows_the_tier_and_each_criterion_met_or_missed(acme, dana):
    services.companies_rescore()
    acme.refresh_from_db()
    html = render_to_string("prospecting/_company_fit.html", {"company": acme})
    # Default framework: Robotics, 120 people, US, a VP contact; not known to be willing to be measured.
    assert 'class="badge won tier-a">A</span>' in html
    assert "85 points, lead framework v1" in html
    assert '<li class="met">' in html and "Industry we sell to" in html
    assert '<li class="missed muted">' in html and "Willing to be measured" in html


def test_an_unscored_company_says_so(acme):
    html = render_to_string("prospecting/_company_fit.html", {"company": acme})
    assert "Not scored yet" in html
