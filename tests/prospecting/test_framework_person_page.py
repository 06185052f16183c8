"""The person page carries their company's tier, score and why, and says whether they are a key contact."""

from django.urls import reverse

from touchbase.crm import services as crm
from touchbase.prospecting import services


def test_a_key_contact_page_shows_the_tier_the_why_and_what_is_missing(client_for, sam, acme, dana):
    services.companies_rescore()
    page = client_for(sam).get(reverse("crm:person_detail", args=[dana.pk])).content.decode()
    card = page.split('id="person-fit"')[1].split("</section>")[0]
    assert 'class="badge won tier-a">A</span>' in card and "85 points for" in card
    assert '<li class="met">' in card and "We know a senior contact" in card
    assert 'id="key-contact"' in card and "no phone" in card and "no email" not in card


def test_someone_without_a_key_title_or_a_company_is_no_key_contact(client_for, sam, acme):
    services.companies_rescore()
    intern = crm.person_create(actor=sam, first_name="Ira", email="ira@acme.example", title="Intern", company=acme)
    loner = crm.person_create(actor=sam, first_name="Lou", email="lou@gmail.com")
    client = client_for(sam)
    page = client.get(reverse("crm:person_detail", args=[intern.pk])).content.decode()
    assert 'id="person-fit"' in page and 'id="key-contact"' not in page
    page = client.get(reverse("crm:person_detail", args=[loner.pk])).content.decode()
    assert "No company, so no tier" in page
