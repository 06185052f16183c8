"""The demo company: believable, consistent, the same on every load, and removable on its own."""

import html
import os
import subprocess
import sys
import zoneinfo
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from touchbase.accounts.models import Role, User
from touchbase.core import demo
from touchbase.crm import services
from touchbase.crm.models import (
    Company,
    CriterionCheck,
    Deal,
    Person,
    Source,
    StageChange,
    StageKind,
    Task,
    Touch,
)


@pytest.fixture
def loaded(db):
    return demo.demo_load()


def test_it_loads_a_startup_sized_crm(loaded):
    assert 180 <= Company.objects.filter(source=Source.DEMO).count() <= 220
    assert 550 <= Person.objects.filter(source=Source.DEMO).count() <= 650
    assert 55 <= Deal.objects.filter(source=Source.DEMO).count() <= 65
    assert 2800 <= Touch.objects.filter(source=Source.DEMO).count() <= 3200
    roles = sorted(demo.demo_users().values_list("role", flat=True))
    assert roles == sorted([Role.ADMIN, Role.MANAGER, Role.SELLER, Role.SELLER, Role.SELLER])


def test_every_stage_of_the_pipeline_has_deals(loaded, pipeline):
    for stage in pipeline.stages.all():
        assert Deal.objects.filter(stage=stage, source=Source.DEMO).exists(), f"no demo deal in {stage}"


def test_won_and_lost_deals_are_closed_and_lost_ones_say_why(loaded):
    won = Deal.objects.filter(stage__kind=StageKind.WON)
    lost = Deal.objects.filter(stage__kind=StageKind.LOST)
    assert won.count() >= 5 and lost.count() >= 5
    assert not won.filter(closed_at__isnull=True).exists()
    assert not lost.filter(closed_at__isnull=True).exists()
    assert not lost.filter(lost_reason="").exists()
    assert not Deal.objects.filter(stage__kind=StageKind.OPEN, closed_at__isnull=False).exists()


def test_amounts_are_whole_dollars_between_8k_and_120k(loaded):
    for deal in Deal.objects.filter(source=Source.DEMO):
        assert deal.currency == "USD"
        assert 8_000_00 <= deal.amount_minor <= 120_000_00
        assert deal.amount_minor % 100 == 0


def test_each_deal_has_a_history_that_ends_where_the_deal_is(loaded):
    for deal in Deal.objects.filter(source=Source.DEMO).select_related("stage"):
        changes = list(StageChange.objects.filter(deal=deal).order_by("changed_at", "id"))
        assert changes[0].from_stage is None
        assert changes[-1].to_stage == deal.stage
        assert changes[-1].changed_at == deal.stage_entered_at
        assert len(changes) == deal.version
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.from_stage == before.to_stage
            assert after.changed_at > before.changed_at
            assert after.seconds_in_from == int((after.changed_at - before.changed_at).total_seconds())
        assert changes[-1].changed_at <= timezone.now()


def test_a_deal_left_a_stage_with_its_criteria_checked_or_a_recorded_override(loaded):
    moves = StageChange.objects.filter(deal__source=Source.DEMO, from_stage__kind=StageKind.OPEN,
                                       to_stage__kind__in=[StageKind.OPEN, StageKind.WON])
    assert moves.count() > 100
    for move in moves.select_related("from_stage"):
        checked = set(CriterionCheck.objects.filter(deal=move.deal_id, criterion__stage=move.from_stage)
                      .values_list("criterion_id", flat=True))
        needed = set(move.from_stage.exit_criteria.values_list("id", flat=True))
        assert checked == needed or move.override_reason, f"deal {move.deal_id} left {move.from_stage} unchecked"


def test_touch_counters_equal_the_real_counts(loaded):
    for model, field in ((Person, "person"), (Company, "company")):
        real = {row[field]: (row["n"], row["last"])
                for row in Touch.objects.filter(**{f"{field}__isnull": False}).values(field)
                .annotate(n=Count("id"), last=Max("happened_at"))}
        for pk, count, last in model.objects.values_list("pk", "touch_count", "last_touch_at"):
            assert (count, last) == real.get(pk, (0, None)), f"{model.__name__} {pk}"


def test_the_counters_survive_a_rebuild_unchanged(loaded):
    before = list(Person.objects.order_by("pk").values_list("touch_count", "last_touch_at"))
    services.touch_counts_rebuild()
    assert list(Person.objects.order_by("pk").values_list("touch_count", "last_touch_at")) == before


def test_touches_cover_the_last_two_quarters_and_none_is_in_the_future(loaded):
    now = timezone.now()
    touches = Touch.objects.filter(source=Source.DEMO)
    first = touches.order_by("happened_at").first().happened_at
    assert now - timedelta(days=200) <= first <= now - timedelta(days=150)
    assert not touches.filter(happened_at__gt=now).exists()
    assert touches.filter(happened_at__gte=now - timedelta(days=14)).count() > 100
    assert set(touches.values_list("kind", flat=True)) == {"email", "call", "meeting", "note", "social"}
    assert set(touches.values_list("direction", flat=True)) == {"in", "out"}


def test_people_look_real(loaded):
    for person in Person.objects.filter(source=Source.DEMO).select_related("company"):
        assert person.email.endswith("@" + person.company.domain)
        assert person.phone.startswith("+") and person.phone[1:].isdigit() and 9 <= len(person.phone) <= 16
        assert person.time_zone and person.title
    us_zones = set(Person.objects.filter(company__country="US").values_list("time_zone", flat=True))
    assert us_zones and all(zone.startswith("America/") for zone in us_zones)
    assert set(Person.objects.filter(company__country="DE").values_list("time_zone", flat=True)) <= {"Europe/Berlin"}


def test_every_seller_has_tasks_due_today_and_overdue(loaded):
    for seller in demo.demo_users().filter(role=Role.SELLER):
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(seller.time_zone))
        open_tasks = Task.objects.filter(owner=seller, done=False)
        assert open_tasks.filter(due=today).exists(), f"{seller} has nothing due today"
        assert open_tasks.filter(due__lt=today).exists(), f"{seller} has nothing overdue"


def test_the_demo_team_logs_in_with_the_printed_password_which_is_stored_hashed(loaded):
    for user in demo.demo_users():
        assert user.check_password(demo.DEMO_PASSWORD)
        assert demo.DEMO_PASSWORD not in user.password
    admin = User.objects.get(email=f"admin@{demo.DEMO_EMAIL_DOMAIN}")
    assert admin.is_staff and admin.is_superuser


def test_two_loads_give_the_same_companies_people_and_deals(db):
    def snapshot():
        return (list(Company.objects.order_by("name").values_list("name", "domain", "employee_count")),
                list(Person.objects.order_by("email").values_list("email", "title", "phone")),
                sorted(Deal.objects.values_list("title", "amount_minor", "stage__name")),
                Touch.objects.count())

    demo.demo_load()
    first = snapshot()
    demo.demo_delete()
    assert not demo.demo_exists()
    demo.demo_load()
    assert snapshot() == first


def test_reset_replaces_the_demo_and_leaves_other_records_alone(sam, acme, dana, capsys):
    services.touch_log(actor=sam, kind="call", summary="Real call", person=dana)
    call_command("demo")
    demo_company_ids = set(Company.objects.filter(source=Source.DEMO).values_list("pk", flat=True))

    call_command("demo", "--reset")

    assert Company.objects.filter(source=Source.DEMO).count() == len(demo_company_ids)
    assert not Company.objects.filter(pk__in=demo_company_ids).exists()  # replaced, not kept
    assert demo.demo_users().count() == 5
    acme.refresh_from_db()
    dana.refresh_from_db()
    assert (acme.touch_count, dana.touch_count) == (1, 1)
    assert User.objects.filter(pk=sam.pk).exists()
    assert Touch.objects.filter(summary="Real call").exists()


def test_without_reset_a_second_run_changes_nothing(db, capsys):
    call_command("demo")
    counts = (Company.objects.count(), Touch.objects.count(), User.objects.count())
    capsys.readouterr()
    call_command("demo")
    assert "already loaded" in capsys.readouterr().out
    assert (Company.objects.count(), Touch.objects.count(), User.objects.count()) == counts


def test_it_prints_the_address_and_every_login(db, capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000" in out
    assert demo.DEMO_PASSWORD in out
    for user in demo.demo_users():
        assert user.email in out and user.role in out


def test_without_tables_it_says_to_migrate_first(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TOUCHBASE_HOME"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-m", "touchbase.cli", "demo"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "touchbase migrate" in result.stderr
    assert "Traceback" not in result.stderr


def test_reset_refuses_and_keeps_everything_when_a_real_deal_sits_on_a_demo_company(sam, capsys):
    call_command("demo")
    demo_company = Company.objects.filter(source=Source.DEMO).order_by("name").first()
    services.deal_create(actor=sam, company=demo_company, title="Real expansion deal", amount_minor=5_000_00)
    before = (Company.objects.count(), Touch.objects.count(), User.objects.count())

    with pytest.raises(CommandError, match="Real expansion deal"):
        call_command("demo", "--reset")

    assert (Company.objects.count(), Touch.objects.count(), User.objects.count()) == before


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.SELLER])
def test_every_page_renders_the_demo_for_each_role(loaded, client, role):
    user = demo.demo_users().filter(role=role).first()
    client.force_login(user)
    company = Company.objects.filter(source=Source.DEMO).order_by("-touch_count").first()
    person = Person.objects.filter(source=Source.DEMO).order_by("-touch_count").first()
    deal = Deal.objects.filter(source=Source.DEMO, stage__kind=StageKind.OPEN).first()
    for name, args in (("crm:today", []), ("crm:board", []), ("crm:company_list", []), ("crm:person_list", []),
                       ("crm:deal_list", []), ("crm:company_detail", [company.pk]),
                       ("crm:person_detail", [person.pk]), ("crm:deal_detail", [deal.pk])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, f"{name} answered {response.status_code} for the demo {role}"
    assert html.escape(company.name).encode() in client.get(reverse("crm:company_detail", args=[company.pk])).content


def test_every_demo_company_is_tiered_by_its_own_framework_even_after_a_reset(db):
    from touchbase.prospecting.models import CompanyFit

    for args in ((), ("--reset",)):
        call_command("demo", *args)
        tiers = dict(CompanyFit.objects.filter(company__source=Source.DEMO).values_list("tier")
                     .annotate(n=Count("company")))
        assert sum(tiers.values()) == Company.objects.filter(source=Source.DEMO).count()
        assert set(tiers) == {"A", "B", "C"}, tiers
