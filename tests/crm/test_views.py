"""The CRM web pages: what a logged-in seller sees, what they may change, and how bad input is told."""

import pytest
from django.urls import reverse

from touchbase.crm import services
from touchbase.crm.models import Company, Deal, Person, StageChange, Task, Touch


@pytest.fixture
def ravis_company(ravi):
    return services.company_create(actor=ravi, name="Ravi Widgets", industry="Hardware")


@pytest.fixture
def task(sam, dana):
    return services.task_create(actor=sam, title="Send the pilot plan", person=dana)


def test_every_page_renders_for_a_logged_in_seller(client_for, sam, acme, dana, sams_deal, task):
    client = client_for(sam)
    services.touch_log(actor=sam, kind="call", summary="Intro call <b>went well</b>", person=dana)
    pages = [
        reverse("crm:today"), reverse("crm:board"),
        reverse("crm:company_list"), reverse("crm:person_list"), reverse("crm:deal_list"),
        reverse("crm:company_detail", args=[acme.pk]), reverse("crm:person_detail", args=[dana.pk]),
        reverse("crm:deal_detail", args=[sams_deal.pk]),
        reverse("crm:company_create"), reverse("crm:person_create"), reverse("crm:deal_create"),
        reverse("crm:company_edit", args=[acme.pk]), reverse("crm:person_edit", args=[dana.pk]),
        reverse("crm:deal_edit", args=[sams_deal.pk]),
        reverse("password_change"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"touchbase" in response.content, url


def test_the_timeline_escapes_what_a_seller_typed(client_for, sam, dana):
    services.touch_log(actor=sam, kind="note", summary="<script>alert(1)</script>", person=dana)
    page = client_for(sam).get(reverse("crm:person_detail", args=[dana.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_login_page_renders_and_logs_in(client, sam):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "sam@example.com", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get(reverse("crm:today")).status_code == 200


def test_today_lists_tasks_due_deals_without_next_step_and_people_gone_quiet(client_for, sam, acme, dana,
                                                                            sams_deal):
    from datetime import timedelta

    from django.utils import timezone

    services.task_create(actor=sam, title="Call Dana back", due=timezone.localdate() - timedelta(days=1))
    services.task_create(actor=sam, title="Next month's thing", due=timezone.localdate() + timedelta(days=30))
    services.touch_log(actor=sam, kind="email", summary="First email", person=dana,
                       happened_at=timezone.now() - timedelta(days=20))
    page = client_for(sam).get(reverse("crm:today")).content.decode()
    assert "Call Dana back" in page
    assert "Next month&#x27;s thing" not in page and "Next month's thing" not in page
    assert "Acme pilot" in page  # no next step, no open task
    assert "Dana Reyes" in page  # one touch, twenty days ago


def test_a_deal_with_a_next_step_leaves_the_today_list(client_for, sam, sams_deal):
    services.deal_update(actor=sam, deal=sams_deal, next_step="Send pricing")
    page = client_for(sam).get(reverse("crm:today")).content.decode()
    assert "Acme pilot" not in page


def test_a_seller_cannot_open_the_edit_page_of_another_sellers_deal(client_for, ravi, sams_deal):
    response = client_for(ravi).get(reverse("crm:deal_edit", args=[sams_deal.pk]))
    assert response.status_code == 403
    assert "only they or a manager can change it" in response.content.decode()


def test_a_seller_cannot_change_another_sellers_deal_by_posting_the_form(client_for, ravi, sams_deal, acme):
    response = client_for(ravi).post(reverse("crm:deal_edit", args=[sams_deal.pk]), {
        "title": "Hijacked", "company": acme.name, "amount": "1", "currency": "USD"})
    assert response.status_code == 403
    sams_deal.refresh_from_db()
    assert (sams_deal.title, sams_deal.amount_minor) == ("Acme pilot", 2_400_000)


def test_a_seller_cannot_change_another_sellers_person(client_for, ravi, dana):
    client = client_for(ravi)
    assert client.get(reverse("crm:person_edit", args=[dana.pk])).status_code == 403
    response = client.post(reverse("crm:person_edit", args=[dana.pk]), {"first_name": "Hijacked"})
    assert response.status_code == 403
    assert Person.objects.get(pk=dana.pk).first_name == "Dana"


def test_a_person_whose_stored_zone_names_nothing_says_which_zone_emails_go_by(client_for, sam, dana):
    sam.time_zone = "America/Chicago"
    sam.save()
    Person.objects.filter(pk=dana.pk).update(time_zone="Mars/Olympus")  # straight into the database
    page = client_for(sam).get(reverse("crm:person_detail", args=[dana.pk]))
    assert page.status_code == 200
    assert "Mars/Olympus" in page.text and "is not a time zone: emails go by America/Chicago" in page.text
    Person.objects.filter(pk=dana.pk).update(time_zone="Europe/Berlin")
    assert "is not a time zone" not in client_for(sam).get(reverse("crm:person_detail", args=[dana.pk])).text


def test_a_seller_cannot_move_another_sellers_deal_from_the_board(client_for, ravi, sams_deal, stages):
    response = client_for(ravi).post(reverse("crm:deal_move", args=[sams_deal.pk]),
                                     {"stage": stages["Discovery"].pk, "version": 1, "override_reason": "mine now"},
                                     HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Qualify"]


def test_edit_buttons_show_only_to_those_who_may_edit(client_for, ravi, maya, sams_deal):
    edit_url = reverse("crm:deal_edit", args=[sams_deal.pk])
    page = reverse("crm:deal_detail", args=[sams_deal.pk])
    assert edit_url not in client_for(ravi).get(page).content.decode()
    assert edit_url in client_for(maya).get(page).content.decode()


def test_a_manager_can_edit_a_sellers_deal(client_for, maya, sams_deal, acme):
    response = client_for(maya).post(reverse("crm:deal_edit", args=[sams_deal.pk]), {
        "title": "Acme pilot, phase 2", "company": "acme robotics", "amount": "31,250.50", "currency": "usd",
        "next_step": "Pricing call", "owner": sams_deal.owner_id})
    assert response.status_code == 302
    sams_deal.refresh_from_db()
    assert sams_deal.title == "Acme pilot, phase 2"
    assert sams_deal.amount_minor == 3_125_050
    assert sams_deal.currency == "USD"


def test_creating_a_deal_parses_the_amount_as_typed(client_for, sam, acme, dana, stages):
    response = client_for(sam).post(reverse("crm:deal_create"), {
        "title": "Acme expansion", "company": "Acme Robotics", "contact": dana.pk, "amount": "12,500.00",
        "currency": "USD", "stage": stages["Discovery"].pk})
    deal = Deal.objects.get(title="Acme expansion")
    assert response.status_code == 302 and response.url == reverse("crm:deal_detail", args=[deal.pk])
    assert (deal.amount_minor, deal.owner, deal.stage, deal.contact) == (1_250_000, sam, stages["Discovery"], dana)


def test_form_errors_name_the_field_and_nothing_is_saved(client_for, sam, acme):
    response = client_for(sam).post(reverse("crm:deal_create"), {
        "title": "Bad amount", "company": "Acme Robotics", "amount": "twelve", "currency": "USD"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Amount: &#x27;twelve&#x27; is not an amount" in page
    assert not Deal.objects.filter(title="Bad amount").exists()


def test_an_unknown_company_name_is_a_field_error(client_for, sam):
    response = client_for(sam).post(reverse("crm:person_create"), {"first_name": "Lee", "company": "Nowhere Inc"})
    assert response.status_code == 422
    assert "Company: There is no company named &#x27;Nowhere Inc&#x27;" in response.content.decode()
    assert not Person.objects.filter(first_name="Lee").exists()


def test_a_company_needs_a_name_and_a_real_country_code(client_for, sam):
    response = client_for(sam).post(reverse("crm:company_create"), {"name": "", "country": "Germany"})
    page = response.content.decode()
    assert response.status_code == 422
    assert "Name: This field is required." in page
    assert "Country: " in page
    assert Company.objects.count() == 0


def test_a_seller_creates_a_company_they_then_own(client_for, sam):
    response = client_for(sam).post(reverse("crm:company_create"), {
        "name": "Bluebird Logistics", "domain": "https://www.bluebird.example/", "country": "de"})
    company = Company.objects.get(name="Bluebird Logistics")
    assert response.status_code == 302
    assert (company.owner, company.domain, company.country) == (sam, "bluebird.example", "DE")


def test_a_seller_cannot_give_their_record_away(client_for, sam, ravi, acme):
    client_for(sam).post(reverse("crm:company_edit", args=[acme.pk]), {"name": "Acme Robotics", "owner": ravi.pk})
    assert Company.objects.get(pk=acme.pk).owner == sam


@pytest.mark.parametrize("name", ["crm:company_detail", "crm:person_detail", "crm:deal_detail",
                                  "crm:company_edit", "crm:person_edit", "crm:deal_edit"])
def test_unknown_ids_are_a_404_page(client_for, sam, name):
    response = client_for(sam).get(reverse(name, args=[999999]))
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_moving_a_deal_without_its_exit_criteria_is_refused_and_nothing_changes(client_for, sam, sams_deal,
                                                                                  stages):
    response = client_for(sam).post(reverse("crm:deal_move", args=[sams_deal.pk]),
                                    {"stage": stages["Discovery"].pk, "version": sams_deal.version},
                                    HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    page = response.content.decode()
    assert "Check the exit criteria first" in page
    assert "Decision maker named" in page  # the checklist is in the dialog, to tick in place
    assert 'name="override_reason"' in page
    sams_deal.refresh_from_db()
    assert (sams_deal.stage, sams_deal.version) == (stages["Qualify"], 1)
    assert StageChange.objects.filter(deal=sams_deal).count() == 1


def test_a_move_from_the_deal_page_without_criteria_says_why(client_for, sam, sams_deal, stages):
    client = client_for(sam)
    response = client.post(reverse("crm:deal_move", args=[sams_deal.pk]),
                           {"stage": stages["Discovery"].pk, "version": sams_deal.version}, follow=True)
    assert "Check the exit criteria first" in response.content.decode()
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Qualify"]


def test_ticking_the_criteria_then_moving_works(client_for, sam, sams_deal, stages):
    client = client_for(sam)
    for criterion in stages["Qualify"].exit_criteria.all():
        response = client.post(reverse("crm:deal_check", args=[sams_deal.pk]),
                               {"criterion": criterion.pk, "checked": "on"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and b"checked" in response.content
    response = client.post(reverse("crm:deal_move", args=[sams_deal.pk]),
                           {"stage": stages["Discovery"].pk, "version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-outcome="moved"' in response.content.decode()
    assert 'class="deal-card"' in response.content.decode()
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Discovery"]


def test_unticking_a_criterion_takes_the_tick_away(client_for, sam, sams_deal, stages):
    client = client_for(sam)
    criterion = stages["Qualify"].exit_criteria.first()
    client.post(reverse("crm:deal_check", args=[sams_deal.pk]), {"criterion": criterion.pk, "checked": "on"})
    client.post(reverse("crm:deal_check", args=[sams_deal.pk]), {"criterion": criterion.pk})
    assert not sams_deal.checks.exists()


def test_an_override_reason_moves_the_deal_and_is_kept(client_for, sam, sams_deal, stages):
    client_for(sam).post(reverse("crm:deal_move", args=[sams_deal.pk]),
                         {"stage": stages["Demo"].pk, "version": 1, "override_reason": "Inbound from the CEO"},
                         HTTP_HX_REQUEST="true")
    assert StageChange.objects.filter(deal=sams_deal).last().override_reason == "Inbound from the CEO"
    page = client_for(sam).get(reverse("crm:deal_detail", args=[sams_deal.pk])).content.decode()
    assert "Inbound from the CEO" in page


def test_a_stale_board_is_reported_and_the_card_reloaded(client_for, sam, maya, sams_deal, stages):
    services.deal_move_stage(actor=maya, deal=Deal.objects.get(pk=sams_deal.pk), stage=stages["Demo"],
                             override_reason="manager moved it")
    response = client_for(sam).post(reverse("crm:deal_move", args=[sams_deal.pk]),
                                    {"stage": stages["Proposal"].pk, "version": 1, "override_reason": "x"},
                                    HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    page = response.content.decode()
    assert "was moved to Demo by someone else" in page
    assert f'data-stage="{stages["Demo"].pk}"' in page and 'data-version="2"' in page
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Demo"]


def test_a_lost_deal_asks_for_the_reason_and_not_the_criteria(client_for, sam, sams_deal, stages):
    client = client_for(sam)
    response = client.post(reverse("crm:deal_move", args=[sams_deal.pk]),
                           {"stage": stages["Lost"].pk, "version": 1}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    page = response.content.decode()
    assert 'name="lost_reason"' in page
    assert "Decision maker named" not in page and 'name="override_reason"' not in page
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Qualify"]
    client.post(reverse("crm:deal_move", args=[sams_deal.pk]),
                {"stage": stages["Lost"].pk, "version": 1, "lost_reason": "Chose a competitor"},
                HTTP_HX_REQUEST="true")
    sams_deal.refresh_from_db()
    assert (sams_deal.stage, sams_deal.lost_reason) == (stages["Lost"], "Chose a competitor")


def test_logging_a_touch_adds_a_row_and_moves_the_gauge(client_for, sam, dana):
    response = client_for(sam).post(reverse("crm:touch_log"), {
        "person": dana.pk, "kind": "call", "direction": "out", "summary": "Walked through the pilot plan"},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Walked through the pilot plan" in page
    assert 'hx-swap-oob="afterbegin:#timeline"' in page
    assert "<strong>1</strong> of 7 touches" in page
    dana.refresh_from_db()
    assert dana.touch_count == 1 and dana.company.touches.count() == 1


def test_a_touch_without_a_summary_is_refused_with_the_field_named(client_for, sam, dana):
    response = client_for(sam).post(reverse("crm:touch_log"), {"person": dana.pk, "kind": "call", "summary": ""},
                                    HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Summary: This field is required." in response.content.decode()
    assert Touch.objects.count() == 0


def test_a_touch_for_an_unknown_record_is_a_404(client_for, sam):
    response = client_for(sam).post(reverse("crm:touch_log"), {"person": 424242, "kind": "call", "summary": "x"})
    assert response.status_code == 404
    assert Touch.objects.count() == 0


def test_a_task_is_added_and_ticked_off(client_for, sam, dana):
    client = client_for(sam)
    response = client.post(reverse("crm:task_create"), {"person": dana.pk, "title": "Send case study"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Send case study" in response.content.decode()
    task = Task.objects.get(title="Send case study")
    assert (task.owner, task.person) == (sam, dana)
    response = client.post(reverse("crm:task_toggle", args=[task.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.done


def test_a_seller_cannot_tick_off_another_sellers_task(client_for, ravi, task):
    assert client_for(ravi).post(reverse("crm:task_toggle", args=[task.pk])).status_code == 403
    task.refresh_from_db()
    assert not task.done


def test_the_company_list_searches_by_name_prefix_whatever_the_case(client_for, sam, acme, ravis_company):
    client = client_for(sam)
    page = client.get(reverse("crm:company_list"), {"q": "acm"}).content.decode()
    assert "Acme Robotics" in page and "Ravi Widgets" not in page
    page = client.get(reverse("crm:company_list"), {"industry": "Hardware"}).content.decode()
    assert "Ravi Widgets" in page and "Acme Robotics" not in page
    page = client.get(reverse("crm:company_list"), {"owner": "me"}).content.decode()
    assert "Acme Robotics" in page and "Ravi Widgets" not in page


def test_the_company_name_box_suggests_names(client_for, sam, acme):
    page = client_for(sam).get(reverse("crm:company_names"), {"company": "ac"}).content.decode()
    assert '<option value="Acme Robotics">' in page


def _many(sam, n):
    from touchbase.crm.models import Pipeline

    companies = Company.objects.bulk_create(
        Company(name=f"Company {i:04}", owner=sam, industry="Software") for i in range(n))
    people = Person.objects.bulk_create(
        Person(first_name="P", last_name=f"Person {i:04}", company=c, owner=sam) for i, c in enumerate(companies))
    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(pipeline.stages.all())
    from django.utils import timezone

    Deal.objects.bulk_create(
        Deal(title=f"Deal {i:04}", company=c, contact=p, owner=sam, pipeline=pipeline,
             stage=stages[i % len(stages)], stage_entered_at=timezone.now(), amount_minor=100 * i)
        for i, (c, p) in enumerate(zip(companies, people, strict=True)))


LIST_PAGES = ["crm:company_list", "crm:person_list", "crm:deal_list", "crm:board", "crm:today"]


@pytest.mark.parametrize("rows", [5, 60])
@pytest.mark.parametrize("name", LIST_PAGES)
def test_list_pages_run_a_bounded_number_of_queries(client_for, sam, name, rows, django_assert_max_num_queries):
    _many(sam, rows)
    client = client_for(sam)
    with django_assert_max_num_queries(10):
        response = client.get(reverse(name))
    assert response.status_code == 200
    page = response.content.decode()
    assert any(f"{kind} 00" in page for kind in ("Company", "Person", "Deal")), "the rows are on the page"


@pytest.mark.parametrize("model", ["company", "person", "deal", "pipeline", "stage", "touch", "task"])
def test_the_admin_shows_every_crm_record_to_an_admin(client_for, alice, sams_deal, task, model):
    client = client_for(alice)
    assert client.get(reverse(f"admin:crm_{model}_changelist")).status_code == 200
    first = {"company": sams_deal.company, "person": sams_deal.contact, "deal": sams_deal,
             "pipeline": sams_deal.pipeline, "stage": sams_deal.stage, "task": task}.get(model)
    if first is not None:
        assert client.get(reverse(f"admin:crm_{model}_change", args=[first.pk])).status_code == 200


def test_a_long_list_stops_counting_at_the_cap_and_still_pages(client_for, sam, monkeypatch):
    from touchbase.crm import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    Company.objects.bulk_create(Company(name=f"Capped {i}", owner=sam) for i in range(5))
    page = client_for(sam).get(reverse("crm:company_list")).content.decode()
    assert "More than 3" in page and "narrow the search" in page
    assert page.count('<td class="primary">') == 4  # the four rows the capped count can vouch for


def test_a_deal_contact_must_work_at_the_deals_company(client_for, sam, acme, ravis_company):
    stranger = services.person_create(actor=sam, first_name="Lou", company=ravis_company)
    response = client_for(sam).post(reverse("crm:deal_create"), {
        "title": "Mixed up", "company": "Acme Robotics", "contact": stranger.pk, "amount": "10", "currency": "USD"})
    assert response.status_code == 422
    assert "Main contact: " in response.content.decode()
    assert not Deal.objects.filter(title="Mixed up").exists()


def test_a_back_dated_touch_lands_on_its_day_and_does_not_rewind_the_last_touch(client_for, sam, dana):
    from datetime import timedelta

    from django.utils import timezone

    client = client_for(sam)
    client.post(reverse("crm:touch_log"), {"person": dana.pk, "kind": "call", "direction": "out",
                                           "summary": "Today's call"})
    last_week = timezone.localdate() - timedelta(days=7)
    client.post(reverse("crm:touch_log"), {"person": dana.pk, "kind": "email", "direction": "out",
                                           "summary": "Forgot to log this", "happened_on": last_week.isoformat()})
    logged = Touch.objects.get(summary="Forgot to log this")
    assert timezone.localtime(logged.happened_at).date() == last_week
    dana.refresh_from_db()
    assert dana.touch_count == 2
    assert timezone.localtime(dana.last_touch_at).date() == timezone.localdate()


def test_the_500_page_stands_alone_and_shows_no_trace():
    from django.template.loader import render_to_string

    page = render_to_string("errors/500.html")
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page and "{%" not in page
