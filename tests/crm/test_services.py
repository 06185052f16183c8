"""The CRM services' rules: who may change what, and the seven-touch counters.

Sellers change their own companies, people and deals; managers and admins
change everything. These rules live in the services, so the pages, the API
and the CLI cannot disagree about them.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchbase.crm import services
from touchbase.crm.models import Company, Deal, Person, Task, Touch

# What each persona may do to sam's records.
EDITORS = ["sam", "maya", "alice"]


def _stored(record):
    return type(record).objects.filter(pk=record.pk).values().get()


@pytest.fixture
def persona(request):
    return lambda name: request.getfixturevalue(name)


# Companies


def test_a_new_company_belongs_to_the_seller_who_created_it(sam):
    company = services.company_create(actor=sam, name="  Globex  ")
    assert (company.name, company.owner) == ("Globex", sam)


@pytest.mark.parametrize("editor", EDITORS)
def test_the_owner_a_manager_and_an_admin_edit_a_company(persona, editor, acme):
    services.company_update(actor=persona(editor), company=acme, industry="Logistics")
    assert Company.objects.get(pk=acme.pk).industry == "Logistics"


def test_a_seller_cannot_edit_another_sellers_company(ravi, acme):
    before = _stored(acme)
    with pytest.raises(PermissionDenied, match="belongs to Sam Seller"):
        services.company_update(actor=ravi, company=acme, name="Taken over")
    assert _stored(acme) == before


def test_a_company_update_that_fails_validation_changes_nothing(sam, acme):
    before = _stored(acme)
    with pytest.raises(ValidationError) as exc:
        services.company_update(actor=sam, company=acme, country="Germany")
    assert "country" in exc.value.message_dict
    assert _stored(acme) == before


def test_a_company_nobody_owns_is_open_to_every_seller(sam, ravi):
    company = services.company_create(actor=sam, name="Orphan Co")
    Company.objects.filter(pk=company.pk).update(owner=None)
    company.refresh_from_db()
    services.company_update(actor=ravi, company=company, notes="Picked it up")
    assert Company.objects.get(pk=company.pk).notes == "Picked it up"


def test_a_deactivated_seller_cannot_edit_even_their_own_company(sam, acme):
    sam.is_active = False
    with pytest.raises(PermissionDenied):
        services.company_update(actor=sam, company=acme, name="Still mine?")
    assert Company.objects.get(pk=acme.pk).name == "Acme Robotics"


# People


def test_a_persons_email_is_kept_in_lower_case(sam):
    person = services.person_create(actor=sam, first_name="Lee", email=" Lee@Globex.Example ")
    assert person.email == "lee@globex.example"
    services.person_update(actor=sam, person=person, email="LEE.CHEN@globex.example")
    assert Person.objects.get(pk=person.pk).email == "lee.chen@globex.example"


@pytest.mark.parametrize("editor", EDITORS)
def test_the_owner_a_manager_and_an_admin_edit_a_person(persona, editor, dana):
    services.person_update(actor=persona(editor), person=dana, title="COO")
    assert Person.objects.get(pk=dana.pk).title == "COO"


def test_a_seller_cannot_edit_another_sellers_person(ravi, dana):
    before = _stored(dana)
    with pytest.raises(PermissionDenied):
        services.person_update(actor=ravi, person=dana, title="Intern")
    assert _stored(dana) == before


# Deals


@pytest.mark.parametrize("editor", EDITORS)
def test_the_owner_a_manager_and_an_admin_edit_a_deal(persona, editor, sams_deal):
    services.deal_update(actor=persona(editor), deal=sams_deal, next_step="Send the proposal")
    assert Deal.objects.get(pk=sams_deal.pk).next_step == "Send the proposal"


def test_a_seller_cannot_edit_another_sellers_deal(ravi, sams_deal):
    before = _stored(sams_deal)
    with pytest.raises(PermissionDenied):
        services.deal_update(actor=ravi, deal=sams_deal, amount_minor=1, owner=ravi)
    assert _stored(sams_deal) == before


@pytest.mark.parametrize("editor", EDITORS)
def test_the_owner_a_manager_and_an_admin_move_a_deal(persona, editor, sams_deal, stages):
    services.deal_move_stage(actor=persona(editor), deal=sams_deal, stage=stages["Demo"], override_reason="x")
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Demo"]


def test_a_seller_cannot_tick_another_sellers_exit_criteria(ravi, sams_deal, stages):
    criterion = stages["Qualify"].exit_criteria.first()
    with pytest.raises(PermissionDenied):
        services.deal_check_criterion(actor=ravi, deal=sams_deal, criterion=criterion)
    assert not sams_deal.checks.exists()


def test_a_deals_stage_changes_only_by_a_move(sam, sams_deal, stages):
    with pytest.raises(ValueError, match="deal_move_stage"):
        services.deal_update(actor=sam, deal=sams_deal, stage=stages["Won"])
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Qualify"]


def test_a_seller_cannot_give_a_record_away_or_to_nobody(sam, ravi):
    with pytest.raises(PermissionDenied, match="Only a manager"):
        services.ensure_can_assign(actor=sam, owner=ravi)
    with pytest.raises(PermissionDenied, match="Only a manager"):
        services.ensure_can_assign(actor=sam, owner=None)
    services.ensure_can_assign(actor=sam, owner=sam)


@pytest.mark.parametrize("manager", ["maya", "alice"])
def test_a_manager_or_an_admin_assigns_a_record_to_anyone(persona, manager, sam):
    services.ensure_can_assign(actor=persona(manager), owner=sam)
    services.ensure_can_assign(actor=persona(manager), owner=None)


# Tasks


def test_the_owner_ticks_off_their_task_and_can_undo_it(sam):
    task = services.task_create(actor=sam, title="Call Dana")
    services.task_set_done(actor=sam, task=task)
    stored = Task.objects.get(pk=task.pk)
    assert stored.done and stored.done_at is not None
    services.task_set_done(actor=sam, task=task, done=False)
    stored = Task.objects.get(pk=task.pk)
    assert not stored.done and stored.done_at is None


def test_a_seller_cannot_tick_off_another_sellers_task(sam, ravi):
    task = services.task_create(actor=sam, title="Call Dana")
    with pytest.raises(PermissionDenied, match="belongs to Sam Seller"):
        services.task_set_done(actor=ravi, task=task)
    assert Task.objects.get(pk=task.pk).done is False


@pytest.mark.parametrize("manager", ["maya", "alice"])
def test_a_manager_or_an_admin_ticks_off_anyones_task(persona, manager, sam):
    task = services.task_create(actor=sam, title="Call Dana")
    services.task_set_done(actor=persona(manager), task=task)
    assert Task.objects.get(pk=task.pk).done is True


def test_a_task_without_a_title_is_refused(sam):
    with pytest.raises(ValidationError) as exc:
        services.task_create(actor=sam, title="   ")
    assert "title" in exc.value.message_dict
    assert not Task.objects.exists()


# Touches and the seven-touch counters


def _counters(record):
    record.refresh_from_db()
    return record.touch_count, record.last_touch_at


def test_a_touch_on_a_person_counts_for_them_and_their_company(sam, dana, acme):
    when = timezone.now() - timedelta(hours=2)
    touch = services.touch_log(actor=sam, kind="call", summary=" Intro call ", person=dana, happened_at=when)

    assert (touch.company, touch.by, touch.summary) == (acme, sam, "Intro call")
    assert _counters(dana) == (1, when)
    assert _counters(acme) == (1, when)


def test_a_touch_on_a_deal_counts_for_its_company(sam, sams_deal, acme, dana):
    services.touch_log(actor=sam, kind="meeting", summary="Demo", deal=sams_deal)
    assert _counters(acme)[0] == 1
    assert _counters(dana)[0] == 0


def test_a_touch_logged_after_the_fact_does_not_move_the_last_touch_back(sam, dana, acme):
    recent = timezone.now() - timedelta(days=1)
    services.touch_log(actor=sam, kind="email", summary="Follow-up", person=dana, happened_at=recent)

    services.touch_log(actor=sam, kind="call", summary="Last month's call, logged late", person=dana,
                       happened_at=recent - timedelta(days=30))

    assert _counters(dana) == (2, recent)
    assert _counters(acme) == (2, recent)


def test_a_touch_of_an_unknown_kind_or_on_nothing_is_refused_and_counts_nothing(sam, dana):
    with pytest.raises(ValidationError, match="not a kind of touch"):
        services.touch_log(actor=sam, kind="fax", summary="x", person=dana)
    with pytest.raises(ValidationError, match="none was given"):
        services.touch_log(actor=sam, kind="call", summary="x")
    assert not Touch.objects.exists()
    assert _counters(dana) == (0, None)


def test_another_seller_may_log_a_touch_on_sams_person(ravi, dana):
    # Touches are history, not edits: whoever spoke to Dana records it, whoever owns her.
    services.touch_log(actor=ravi, kind="social", summary="Liked her post", person=dana)
    assert _counters(dana)[0] == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(offsets=st.lists(st.integers(min_value=0, max_value=60 * 24 * 180), min_size=1, max_size=8))
def test_the_counters_always_match_the_touches_in_any_order_of_logging(sam, offsets):
    company = services.company_create(actor=sam, name="Order Co")
    person = services.person_create(actor=sam, first_name="Ora", company=company)
    start = timezone.now() - timedelta(days=200)
    times = [start + timedelta(minutes=m) for m in offsets]

    for when in times:
        services.touch_log(actor=sam, kind="email", summary="hello", person=person, happened_at=when)

    expected = (len(times), max(times))
    assert _counters(person) == expected
    assert _counters(company) == expected
    services.touch_counts_rebuild()
    assert _counters(person) == expected
    assert _counters(company) == expected
