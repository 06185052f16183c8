"""The reports' rollups (TouchDay, FirstReply) always equal counting the touches, whatever wrote them."""

from datetime import UTC, datetime

from django.db.models import Count, F, Min
from django.db.models.functions import Coalesce, TruncDate

from touchbase.accounts.models import User
from touchbase.crm import services
from touchbase.crm.models import Direction, FirstReply, Person, Touch, TouchDay, TouchKind


def at(day, hour=12, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def counted_from_touches() -> dict:
    rows = (Touch.objects.order_by().annotate(day=TruncDate("happened_at", tzinfo=UTC), seller=Coalesce("by", 0))
            .values("day", "seller", "kind", "direction").annotate(n=Count("id")))
    return {(r["day"], r["seller"], r["kind"], r["direction"]): r["n"] for r in rows}


def rolled_up() -> dict:
    return {(r.day, r.by, r.kind, r.direction): r.touches for r in TouchDay.objects.all() if r.touches}


def first_replies_from_touches() -> dict:
    firsts = {}
    for t in Touch.objects.filter(direction=Direction.IN, person__isnull=False).order_by("happened_at", "id"):
        firsts.setdefault(t.person_id, (t.id, t.happened_at, t.by_id or 0))
    return firsts


def first_replies_kept() -> dict:
    return {r.person_id: (r.touch_id, r.happened_at, r.by) for r in FirstReply.objects.all()}


def assert_rollups_match():
    assert rolled_up() == counted_from_touches()
    assert first_replies_kept() == first_replies_from_touches()


def log(actor, person, day, kind=TouchKind.EMAIL, direction=Direction.OUT, hour=12):
    return services.touch_log(actor=actor, kind=kind, summary="t", person=person, direction=direction,
                              happened_at=at(day, hour))


def test_the_rollups_follow_every_create_edit_and_delete(sam, alice, acme, dana):
    lee = services.person_create(actor=sam, first_name="Lee", company=acme)
    t1 = log(sam, dana, 2)
    log(sam, dana, 2, kind=TouchKind.CALL)
    r1 = log(sam, dana, 3, direction=Direction.IN)
    r2 = log(None, dana, 5, direction=Direction.IN)  # an inbound form: nobody logged it
    log(alice, lee, 3, direction=Direction.IN, hour=23)
    # A touch at 23:30 UTC and one at 00:30 the next day fall on two UTC days.
    log(sam, lee, 6, hour=0)
    assert_rollups_match()
    assert FirstReply.objects.get(person_id=dana.pk).touch_id == r1.pk

    # Edits through the ORM: moved to another day, another kind, another seller.
    Touch.objects.filter(pk=t1.pk).update(happened_at=at(9), kind=TouchKind.MEETING)
    t1.refresh_from_db()
    t1.by = alice
    t1.save()
    assert_rollups_match()

    # Dana's first reply moves after her second: the second becomes first.
    Touch.objects.filter(pk=r1.pk).update(happened_at=at(20))
    assert FirstReply.objects.get(person_id=dana.pk).touch_id == r2.pk
    # Turned outbound, it is no reply at all; deleted, the other is first again.
    Touch.objects.filter(pk=r2.pk).update(direction=Direction.OUT)
    assert FirstReply.objects.get(person_id=dana.pk).touch_id == r1.pk
    Touch.objects.filter(pk=r1.pk).delete()
    assert not FirstReply.objects.filter(person_id=dana.pk).exists()
    assert_rollups_match()

    # Two replies in the same instant: the lower id is first, and stays first when the other is deleted.
    same = [log(sam, dana, 7, direction=Direction.IN) for _ in range(2)]
    assert FirstReply.objects.get(person_id=dana.pk).touch_id == min(t.pk for t in same)
    Touch.objects.filter(pk=max(t.pk for t in same)).delete()
    assert_rollups_match()


def test_bulk_writes_cascades_and_a_deleted_user_keep_the_rollups_right(sam, alice, acme, dana):
    lee = services.person_create(actor=sam, first_name="Lee", company=acme)
    Touch.objects.bulk_create([
        Touch(kind=kind, direction=direction, happened_at=at(day, hour), person=person, company=acme, by=by,
              summary="bulk")
        for day in (1, 2, 3) for hour in (1, 23) for kind in (TouchKind.EMAIL, TouchKind.NOTE)
        for direction in Direction.values for person, by in ((dana, sam), (lee, alice))])
    assert_rollups_match()
    # Moving many at once, then deleting a person: their touches go by Django's cascade.
    Touch.objects.filter(happened_at__lt=at(2)).update(happened_at=F("happened_at") + (at(4) - at(1)))
    lee.delete()
    assert_rollups_match()
    assert set(FirstReply.objects.values_list("person_id", flat=True)) == {dana.pk}
    # A deleted user's touches are set to nobody (by Django, in SQL): the count moves to nobody.
    helper = User.objects.create_user("h@x.io", role="seller")
    log(helper, dana, 10)
    helper.delete()
    assert_rollups_match()


def test_the_rebuild_recounts_from_scratch(sam, dana):
    log(sam, dana, 2)
    log(sam, dana, 3, direction=Direction.IN)
    TouchDay.objects.update(touches=99)
    FirstReply.objects.all().delete()
    services.touch_rollups_rebuild()
    assert_rollups_match()
    assert sum(TouchDay.objects.values_list("touches", flat=True)) == Touch.objects.count()
    assert FirstReply.objects.aggregate(first=Min("happened_at"))["first"] == at(3)


def test_a_rolled_back_touch_is_not_counted(sam, dana):
    from django.db import transaction

    try:
        with transaction.atomic():
            log(sam, dana, 2, direction=Direction.IN)
            raise RuntimeError("the caller fails after logging")
    except RuntimeError:
        pass
    assert not TouchDay.objects.filter(touches__gt=0).exists()
    assert not FirstReply.objects.exists()
    assert Person.objects.get(pk=dana.pk).touch_count == 0
