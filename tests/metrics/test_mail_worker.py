"""The worker's Monday mail: last week's report once it is REPORT_MAIL_HOUR on Monday in each person's zone."""

from datetime import UTC, datetime

import pytest

from touchbase.metrics import exports
from touchbase.metrics.mail import weekly_mail_due
from touchbase.metrics.models import ReportSent

from .test_mail_charts import smtp  # noqa: F401  (the real SMTP server fixture)


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_each_person_gets_last_week_once_their_own_monday_morning_has_come(quarter, alice, smtp, settings,  # noqa: F811
                                                                          monkeypatch):
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))
    settings.REPORT_MAIL_HOUR = 7
    # 06:00 on Monday in Chicago (sam, maya), 12:00 in UTC (alice): only alice's hour has come.
    assert weekly_mail_due(at(30, 12)) == 1
    assert [rcpt for rcpt, _m in smtp.messages] == [["alice@example.com"]]

    # 07:30 in Chicago: sam's own week and maya's company week; alice is not mailed twice.
    assert weekly_mail_due(at(30, 13, 30)) == 2
    received = {rcpt[0]: message for rcpt, message in smtp.messages}
    assert set(received) == {"alice@example.com", "sam@example.com", "maya@example.com"}
    assert set(ReportSent.objects.values_list("recipient__email", "period")) == {
        ("alice@example.com", "2026-W48"), ("sam@example.com", "2026-W48"), ("maya@example.com", "2026-W48")}

    # Any later round that week sends nothing more.
    assert weekly_mail_due(datetime(2026, 12, 2, 9, tzinfo=UTC)) == 0 and len(smtp.messages) == 3


def test_off_sends_nothing(quarter, alice, smtp, settings):  # noqa: F811
    settings.REPORT_MAIL_HOUR = None
    assert weekly_mail_due(at(30, 20)) == 0
    assert smtp.messages == [] and not ReportSent.objects.exists()


def test_a_failed_send_is_tried_again_by_a_later_round(quarter, alice, smtp, settings, monkeypatch):  # noqa: F811
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))
    settings.REPORT_MAIL_HOUR = 7
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens: the send fails, the round goes on
    assert weekly_mail_due(at(30, 12)) == 0
    assert not ReportSent.objects.exists()
    settings.EMAIL_PORT = port
    assert weekly_mail_due(at(30, 12, 5)) == 1


def test_a_mail_server_that_is_down_is_left_alone_for_a_while_and_no_report_is_built(quarter, alice, settings,
                                                                                     monkeypatch):
    from touchbase.metrics import mail, selectors

    built = []
    real_build = selectors.report_build
    monkeypatch.setattr(selectors, "report_build", lambda *a, **k: built.append(1) or real_build(*a, **k))
    settings.REPORT_MAIL_HOUR = 7
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens
    monkeypatch.setattr(mail, "_server_down_until", {})
    tried = []
    real_connection = mail.get_connection
    monkeypatch.setattr(mail, "get_connection", lambda: tried.append(1) or real_connection())
    assert weekly_mail_due(at(30, 12)) == 0 and tried == [1]
    assert mail._server_down_until == {("127.0.0.1", 1): at(30, 12, 15)}
    assert weekly_mail_due(at(30, 12, 5)) == 0 and tried == [1]  # within the pause: not even a connection
    assert built == [] and not ReportSent.objects.exists()
    assert weekly_mail_due(at(30, 12, 16)) == 0 and tried == [1, 1]  # after it: tried again



@pytest.mark.skipif(exports.find_chromium() is None, reason="needs Debian's chromium to print")
def test_managers_in_one_zone_share_one_rendering_of_the_company_report(quarter, alice, smtp, settings,  # noqa: F811
                                                                         monkeypatch):
    from touchbase.metrics import mail

    alice.time_zone = "America/Chicago"  # maya's zone: the same week, so the same company report
    alice.save()
    rendered, printed = [], []
    real_render, real_pdf = mail.report_rendered, exports.to_pdf
    monkeypatch.setattr(mail, "report_rendered", lambda report: rendered.append(report.title) or real_render(report))
    monkeypatch.setattr(exports, "to_pdf", lambda report: printed.append(report.title) or real_pdf(report))
    settings.REPORT_MAIL_HOUR = 7

    weekly_mail_due(at(30, 13, 30))
    received = {rcpt[0]: message for rcpt, message in smtp.messages}
    assert {"alice@example.com", "maya@example.com"} <= set(received)
    # Every report's charts and PDF made once: the company's is not made again for its second reader.
    assert len(rendered) == len(set(rendered)) == len(received) - 1
    assert printed == rendered
    pdfs = [next(part for part in received[email].walk() if part.get_content_type() == "application/pdf")
            for email in ("alice@example.com", "maya@example.com")]
    assert pdfs[0].get_content() == pdfs[1].get_content() and pdfs[0].get_content().startswith(b"%PDF")


def test_a_round_after_everyone_had_it_asks_once_whatever_the_number_of_people(
        quarter, alice, smtp, settings, monkeypatch, django_assert_max_num_queries):  # noqa: F811
    monkeypatch.setattr(exports, "CHROMIUM", ("no-such-chromium",))
    settings.REPORT_MAIL_HOUR = 7
    assert weekly_mail_due(at(30, 20)) >= 3
    # Users and who already has it: two queries, not one per person per round.
    with django_assert_max_num_queries(2):
        assert weekly_mail_due(at(30, 21)) == 0
