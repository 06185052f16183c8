"""The Monday mail: last week's report to every active seller (their own), manager and admin (the company's).

Run by `touchbase report weekly --email` from cron on Monday morning. Each
recipient's "last week" is the last full week in their own time zone. A row in
ReportSent per recipient and period makes a second run that Monday a no-op,
and the row is written only after the mail went out, so a failed send is
retried by the next run.
"""

import logging
import zoneinfo

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError
from django.template.loader import render_to_string
from django.utils import timezone

from touchbase.accounts.models import Role, User

from . import exports, selectors
from .measures import Scope
from .models import ReportSent
from .periods import PeriodKind, current_period, parse_period

log = logging.getLogger(__name__)


def report_mail(*, recipient: User, kind: PeriodKind = PeriodKind.WEEK, period_name: str | None = None,
                now=None) -> bool:
    """Mail one person their report; False when they already had it."""
    zone = zoneinfo.ZoneInfo(recipient.time_zone or "UTC")
    period = (parse_period(kind, period_name, zone) if period_name
              else current_period(kind, now or timezone.now(), zone).previous())
    if ReportSent.objects.filter(recipient=recipient, kind=kind.value, period=period.name).exists():
        return False
    scope = Scope.of(recipient) if recipient.role == Role.SELLER else Scope.company()
    report = selectors.report_build(period, scope, now=now)
    message = EmailMultiAlternatives(
        subject=f"Your {kind.adjective} report: {period.label}" if scope.seller else f"The {report.title}",
        body=render_to_string("metrics/email.txt", {"report": report, "recipient": recipient}),
        to=[recipient.email],
    )
    message.attach_alternative(exports.to_html(report), "text/html")
    message.attach(f"touchbase-{period.name}.csv", exports.to_csv(report), "text/csv")
    if exports.find_chromium():
        try:
            message.attach(f"touchbase-{period.name}.pdf", exports.to_pdf(report), "application/pdf")
        except exports.PdfUnavailable as exc:
            log.warning("report mail to %s goes without its PDF: %s", recipient.email, exc)
    message.send()
    try:
        ReportSent.objects.create(recipient=recipient, kind=kind.value, period=period.name)
    except IntegrityError:
        pass  # another run sent it at the same moment; the person gets two, nothing is lost
    return True


def report_mail_everyone(*, kind: PeriodKind = PeriodKind.WEEK, period_name: str | None = None, now=None) -> int:
    sent = 0
    for user in User.objects.filter(is_active=True, role__in=[Role.SELLER, Role.MANAGER, Role.ADMIN]).order_by("pk"):
        sent += report_mail(recipient=user, kind=kind, period_name=period_name, now=now)
    return sent
