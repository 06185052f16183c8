"""The Monday mail: last week's report to every active seller (their own), manager and admin (the company's).

Sent by the worker (`weekly_mail_due`, each round) once it is Monday
REPORT_MAIL_HOUR o'clock or later in the recipient's own time zone, or by
`touchbase report weekly --email` from cron. Each recipient's "last week" is
the last full week in their own time zone. A row in
ReportSent per recipient and period makes a second run that Monday a no-op,
and the row is written only after the mail went out, so a failed send is
retried by the next run.

The mail is multipart/alternative: a plain-text part with the headline
numbers, and an HTML part that is multipart/related with the report's charts
as PNG images it shows by `cid:` (Gmail and Outlook show no inline SVG), each
with its numbers as alt text. The CSV, and the PDF when Chromium is there,
are attached.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEMultipart
from django.db import IntegrityError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from touchbase.accounts.models import Role, User, zone_of

from . import charts, exports, selectors
from .measures import Scope
from .models import ReportSent
from .periods import PeriodKind, current_period, parse_period

log = logging.getLogger(__name__)


class ReportEmail(EmailMultiAlternatives):
    """An email whose HTML alternative travels with its images (multipart/related, RFC 2387)."""

    def __init__(self, *args, images: dict[str, bytes], **kwargs):
        super().__init__(*args, **kwargs)
        self.images = images  # Content-ID -> PNG

    def _create_mime_attachment(self, content, mimetype):
        part = super()._create_mime_attachment(content, mimetype)
        if mimetype != "text/html" or not self.images:
            return part
        related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET)
        related.attach(part)
        for cid, data in self.images.items():
            image = MIMEImage(data, "png")
            image["Content-ID"] = f"<{cid}>"
            image.add_header("Content-Disposition", "inline", filename=f"{cid.split('@')[0]}.png")
            related.attach(image)
        return related


def _cid(name: str, period_name: str) -> str:
    return f"{name}-{period_name}@touchbase"


def _page_url(report, period_name: str) -> str:
    path = reverse("metrics:report", kwargs={"kind": report.period.kind.adjective, "name": period_name})
    query = f"?{urlencode({'seller': report.scope.seller.email})}" if report.scope.seller else ""
    return f"{settings.TOUCHBASE_URL.rstrip('/')}{path}{query}"


@dataclass
class Rendered:
    """What a report's mail carries besides its text: the same for everyone who gets that report."""

    images: dict[str, bytes]  # PNG charts by content id
    pictures: list[dict]  # each chart's cid (empty when it goes in words only), alt text and width
    pdf: bytes | None
    csv: str


def report_rendered(report) -> Rendered:
    """The report's charts as PNG images, its PDF (when Chromium is there) and its CSV."""
    period = report.period
    images, pictures = {}, []
    for name, chart in report.charts.items():
        cid = _cid(name, period.name)
        try:
            images[cid] = charts.png(chart)
        except ValueError as exc:  # resvg refused the drawing: the mail still goes, the chart in words only
            log.warning("the %s mails go without the %s chart: %s", report.title, name, exc)
            cid = ""
        pictures.append({"cid": cid, "alt": chart.alt, "width": chart.width})
    pdf = None
    if exports.find_chromium():
        try:
            pdf = exports.to_pdf(report)
        except exports.PdfUnavailable as exc:
            log.warning("the %s mails go without their PDF: %s", report.title, exc)
    return Rendered(images=images, pictures=pictures, pdf=pdf, csv=exports.to_csv(report))


def report_message(*, recipient: User, report, rendered: Rendered | None = None) -> ReportEmail:
    """The report as a mail to `recipient`, charts as PNG images, text for clients that block them.

    `rendered` (from `report_rendered`) lets everyone who gets the same report share one rendering.
    """
    period = report.period
    rendered = rendered or report_rendered(report)
    images, pictures, pdf = rendered.images, rendered.pictures, rendered.pdf
    context = {"report": report, "recipient": recipient, "pictures": pictures, "pdf": pdf is not None,
               "url": _page_url(report, period.name)}
    message = ReportEmail(
        subject=f"Your {period.kind.adjective} report: {period.label}" if report.scope.seller
        else f"The {report.title}",
        body=render_to_string("metrics/email.txt", context),
        to=[recipient.email],
        images=images,
    )
    message.attach_alternative(render_to_string("metrics/email.html", context), "text/html")
    message.attach(f"touchbase-{period.name}.csv", rendered.csv, "text/csv")
    if pdf is not None:
        message.attach(f"touchbase-{period.name}.pdf", pdf, "application/pdf")
    return message


def _report_for(recipient: User, period, now, company_reports: dict) -> tuple:
    """(report, rendered or None): a seller's own report; managers and admins share the company's, built
    and rendered once per period (and zone) a run. Its charts and PDF were made again for each of them:
    one Chromium start per manager for the same pages."""
    if recipient.role == Role.SELLER:
        return selectors.report_build(period, Scope.of(recipient), now=now), None
    if period not in company_reports:
        report = selectors.report_build(period, Scope.company(), now=now)
        company_reports[period] = report, report_rendered(report)
    return company_reports[period]


def report_mail(*, recipient: User, kind: PeriodKind = PeriodKind.WEEK, period_name: str | None = None,
                now=None, company_reports: dict | None = None, connection=None) -> bool:
    """Mail one person their report; False when they already had it.

    `company_reports` (Period -> (Report, Rendered)) lets a run over many people build and render the
    company's report once.
    """
    zone = zone_of(user=recipient)
    period = (parse_period(kind, period_name, zone) if period_name
              else current_period(kind, now or timezone.now(), zone).previous())
    if ReportSent.objects.filter(recipient=recipient, kind=kind.value, period=period.name).exists():
        return False
    report, rendered = _report_for(recipient, period, now, company_reports if company_reports is not None else {})
    message = report_message(recipient=recipient, report=report, rendered=rendered)
    message.connection = connection  # None: a connection of its own
    message.send()
    try:
        ReportSent.objects.create(recipient=recipient, kind=kind.value, period=period.name)
    except IntegrityError:
        pass  # another run sent it at the same moment; the person gets two, nothing is lost
    return True


def _recipients():
    """Everyone who gets the report by mail: active sellers (their own), managers and admins (the company's)."""
    return User.objects.filter(is_active=True, role__in=[Role.SELLER, Role.MANAGER, Role.ADMIN]).order_by("pk")


def report_mail_everyone(*, kind: PeriodKind = PeriodKind.WEEK, period_name: str | None = None, now=None) -> int:
    sent, company_reports = 0, {}
    for user in _recipients():
        sent += report_mail(recipient=user, kind=kind, period_name=period_name, now=now,
                            company_reports=company_reports)
    return sent


# Mail servers found down, by (host, port), until when the worker leaves them alone. A round that
# cannot connect must not build every report (charts, PDF) only to fail: that held up the sends.
MAIL_SERVER_RETRY = timedelta(minutes=15)
_server_down_until: dict[tuple[str, int], datetime] = {}


def weekly_mail_due(now=None) -> int:
    """The worker's Monday mail: last week's report to each person whose Monday REPORT_MAIL_HOUR has come.

    A person whose week has started but whose hour has not waits for a later round; one who already
    has it (ReportSent) is skipped, so every round may call this. The mail server is tried once before
    any report is built; when it is down, the rounds of the next MAIL_SERVER_RETRY leave it alone and
    a later round sends (the row is written only after the send).
    """
    hour = settings.REPORT_MAIL_HOUR
    if hour is None:
        return 0
    now = now or timezone.now()
    hour_come = []
    for user in _recipients():
        week = current_period(PeriodKind.WEEK, now, zone_of(user=user))
        if now >= week.start_at + timedelta(hours=hour):
            hour_come.append((user, week.previous().name))
    # Who already has last week's, read once: every worker round of the week asks.
    had_it = set(ReportSent.objects.filter(
        kind=PeriodKind.WEEK.value, recipient__in=[user for user, _week in hour_come],
        period__in={week for _user, week in hour_come}).values_list("recipient_id", "period")) if hour_come else set()
    due = [user for user, week in hour_come if (user.pk, week) not in had_it]
    server = (settings.EMAIL_HOST, settings.EMAIL_PORT)
    if not due or now < _server_down_until.get(server, now):
        return 0
    connection = get_connection()
    sent, company_reports = 0, {}
    try:
        connection.open()
        for user in due:
            sent += report_mail(recipient=user, kind=PeriodKind.WEEK, now=now, company_reports=company_reports,
                                connection=connection)
    except (OSError, smtplib.SMTPException) as exc:
        _server_down_until[server] = now + MAIL_SERVER_RETRY
        log.warning("weekly reports: %d sent, the rest wait %d minutes: the mail server %s:%s failed: %s",
                    sent, MAIL_SERVER_RETRY.seconds // 60, *server, exc)
    else:
        _server_down_until.pop(server, None)
    finally:
        connection.close()
    return sent
