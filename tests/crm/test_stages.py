"""Stage development with teeth: exit criteria guard the way forward."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from touchbase.crm import services
from touchbase.crm.models import Deal, StageChange


def test_it_refuses_a_move_without_exit_criteria(sam, sams_deal, stages):
    with pytest.raises(services.ExitCriteriaMissing) as exc:
        services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Discovery"])
    assert "Decision maker named" in str(exc.value)
    sams_deal.refresh_from_db()
    assert sams_deal.stage == stages["Qualify"]
    assert StageChange.objects.filter(deal=sams_deal).count() == 1  # only the creation row


def test_it_moves_once_every_criterion_is_checked(sam, sams_deal, stages):
    for criterion in stages["Qualify"].exit_criteria.all():
        services.deal_check_criterion(actor=sam, deal=sams_deal, criterion=criterion)
    services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Discovery"])
    sams_deal.refresh_from_db()
    assert sams_deal.stage == stages["Discovery"]
    change = StageChange.objects.filter(deal=sams_deal).last()
    assert (change.from_stage, change.to_stage, change.changed_by) == (stages["Qualify"], stages["Discovery"], sam)
    assert sams_deal.version == 2


def test_an_override_records_who_and_why(sam, sams_deal, stages):
    services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Demo"], override_reason="CEO asked for a demo")
    change = StageChange.objects.filter(deal=sams_deal).last()
    assert change.override_reason == "CEO asked for a demo"
    assert change.changed_by == sam


def test_moving_back_needs_no_criteria(sam, sams_deal, stages):
    services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Demo"], override_reason="skip")
    services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Qualify"])
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Qualify"]


def test_a_lost_deal_needs_a_reason(sam, sams_deal, stages):
    with pytest.raises(ValidationError, match="why the deal was lost"):
        services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Lost"], override_reason="x")
    services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Lost"], override_reason="x",
                             lost_reason="No budget this year")
    sams_deal.refresh_from_db()
    assert sams_deal.lost_reason == "No budget this year"
    assert sams_deal.closed_at is not None


def test_a_stale_board_is_reported_not_obeyed(sam, maya, sams_deal, stages):
    seen_version = sams_deal.version
    services.deal_move_stage(actor=maya, deal=Deal.objects.get(pk=sams_deal.pk), stage=stages["Demo"],
                             override_reason="manager moved it")
    with pytest.raises(services.StaleDeal, match="reload"):
        services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Proposal"], override_reason="x",
                                 expected_version=seen_version)
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Demo"]


def test_a_seller_cannot_move_another_sellers_deal(ravi, sams_deal, stages):
    with pytest.raises(PermissionDenied):
        services.deal_move_stage(actor=ravi, deal=sams_deal, stage=stages["Discovery"], override_reason="x")
    assert Deal.objects.get(pk=sams_deal.pk).stage == stages["Qualify"]


def test_money_never_becomes_a_float(sam, acme):
    with pytest.raises(TypeError):
        services.deal_create(actor=sam, company=acme, title="Float", amount_minor=12.5)
    deal = services.deal_create(actor=sam, company=acme, title="Exact", amount_minor=1_999_999_99)
    assert type(Deal.objects.get(pk=deal.pk).amount_minor) is int


def test_losing_a_deal_needs_a_reason_not_the_exit_criteria(sam, sams_deal, stages):
    services.deal_move_stage(actor=sam, deal=sams_deal, stage=stages["Lost"], lost_reason="Chose a competitor")
    sams_deal.refresh_from_db()
    assert sams_deal.stage == stages["Lost"]
    assert StageChange.objects.filter(deal=sams_deal).last().override_reason == ""


def test_a_seller_cannot_give_a_deal_away(sam, ravi, sams_deal):
    with pytest.raises(PermissionDenied):
        services.deal_update(actor=sam, deal=sams_deal, owner=ravi)
    assert Deal.objects.get(pk=sams_deal.pk).owner == sam


def test_a_manager_can_reassign_a_deal(maya, ravi, sams_deal):
    services.deal_update(actor=maya, deal=sams_deal, owner=ravi)
    assert Deal.objects.get(pk=sams_deal.pk).owner == ravi
