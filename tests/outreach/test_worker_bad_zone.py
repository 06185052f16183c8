"""A bad time zone written straight into the database never stops a worker round: it falls back and carries on."""

from datetime import UTC, datetime, timedelta

import pytest

from touchbase.accounts.models import User
from touchbase.crm.models import Person
from touchbase.metrics import exports
from touchbase.outreach import worker
from touchbase.outreach.models import Enrollment
from touchbase.outreach.services import sequence_enroll

# 07:30 UTC is 08:30 in Berlin: inside the 08:00-17:00 window there, not yet in UTC.
TUESDAY_0730 = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


@pytest.fixture
def zones_gone_bad(settings, sam, dana, monkeypatch):
    """Sam's and Dana's zones name nothing; the site runs on Berlin time; the Monday mail is on."""
    settings.TIME_ZONE = "Europe/Berlin"
    settings.REPORT_MAIL_HOUR = 7
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))  # the report's PDF has its own tests
    User.objects.filter(pk=sam.pk).update(time_zone="Mars/Olympus")
    Person.objects.filter(pk=dana.pk).update(time_zone="../x")


def test_a_round_with_a_seller_and_a_person_of_bad_zones_sends_the_due_step_in_the_sites_zone(
        zones_gone_bad, sam, dana, reno, sams_mailbox, smtp_server, mailoutbox):
    [enrollment] = sequence_enroll(actor=sam, sequence=reno, people=[Person.objects.get(pk=dana.pk)],
                                   now=TUESDAY_0730).enrolled
    assert enrollment.due_at == TUESDAY_0730

    counts = worker.run_once(now=TUESDAY_0730)

    assert counts["mail sent"] == 1
    [received] = smtp_server.messages
    assert received["Subject"] == "Reno picking" and received["To"] == "Dana Reyes <dana@acme.example>"
    # The follow-up keeps the local time of day, 08:30 in Berlin, two business days on.
    assert Enrollment.objects.get(pk=enrollment.pk).due_at == TUESDAY_0730 + timedelta(days=2)
    # The Monday mail rides in the same round: Sam's week is taken in Berlin, not refused.
    assert counts["weekly reports mailed"] == 1
    [report] = mailoutbox
    assert report.to == ["sam@example.com"] and "2026-W48" in report.body
