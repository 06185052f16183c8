"""touchbase report --rebuild-rollup recounts the touch rollups from the touches."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from touchbase.crm.models import FirstReply, TouchDay
from touchbase.crm.services import touch_log

from .conftest import utc


def test_rebuild_rollup_recounts_a_rollup_gone_wrong(sam, dana):
    touch_log(actor=sam, kind="email", summary="Hello", person=dana, happened_at=utc(11, 2))
    touch_log(actor=sam, kind="email", summary="Hi", person=dana, direction="in", happened_at=utc(11, 3))
    TouchDay.objects.update(touches=7)
    FirstReply.objects.all().delete()
    out = StringIO()
    call_command("report", rebuild_rollup=True, stdout=out)
    assert "Recounted the touch rollups: 2 rows" in out.getvalue()
    assert sorted(TouchDay.objects.values_list("direction", "touches")) == [("in", 1), ("out", 1)]
    assert FirstReply.objects.get().person_id == dana.pk


def test_a_report_needs_its_kind(db):
    with pytest.raises(CommandError, match="weekly, monthly or quarterly"):
        call_command("report")
