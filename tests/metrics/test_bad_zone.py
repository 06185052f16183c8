"""A seller whose stored time zone names nothing still gets their reports, drawn in the site's zone."""

import json
from datetime import date

import pytest
from django.core.management import call_command

from touchbase.accounts.models import User
from touchbase.metrics import exports
from touchbase.metrics.services import target_set

W48 = "/reports/weekly/2026-W48"


@pytest.fixture
def sams_zone_gone_bad(quarter, maya, settings):
    """Sam has a ramped weekly touch target, and a zone written straight into the database that names nothing."""
    settings.TIME_ZONE = "Europe/Berlin"
    target_set(actor=maya, measure="touches", period="week", amount=60, seller=quarter.sam, starts_on=date(2026, 10, 1))
    User.objects.filter(pk=quarter.sam.pk).update(time_zone="Mars/Olympus")
    quarter.sam.refresh_from_db()
    return quarter.sam


def touches(report_json: dict) -> dict:
    return next(row for row in report_json["tables"]["headline"] if row["measure"] == "Touches")


def test_the_report_page_falls_back_to_the_sites_zone_and_keeps_the_ramped_target(sams_zone_gone_bad, client_for,
                                                                                   maya):
    response = client_for(maya).get(W48, {"seller": "sam@example.com", "format": "json"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert (data["period"], data["time_zone"]) == ("2026-W48", "Europe/Berlin")
    assert touches(data)["target"] == "45"  # the ramp still counts from the day Sam joined


def test_the_report_command_for_that_seller_falls_back_too(sams_zone_gone_bad, tmp_path):
    out = tmp_path / "sam.json"
    call_command("report", "weekly", period="2026-W48", seller="sam@example.com", format="json", out=str(out))
    data = json.loads(out.read_text())
    assert (data["time_zone"], touches(data)["target"]) == ("Europe/Berlin", "45")


def test_the_monday_mail_still_reaches_that_seller(sams_zone_gone_bad, mailoutbox, monkeypatch):
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))  # the PDF has its own test
    call_command("report", "weekly", period="2026-W48", email=True)
    sams = next(mail for mail in mailoutbox if mail.to == ["sam@example.com"])
    assert "Your weekly report" in sams.subject and "2026-W48" in sams.body
