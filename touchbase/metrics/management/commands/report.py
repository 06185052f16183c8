"""touchbase report weekly|monthly|quarterly: a period's report as HTML, PDF, CSV or JSON.

Without --period it reports the current period; without --seller, the company.
--email mails the last full period's report to every active seller (their
own), manager and admin (the company's), once each: the Monday cron job.
--rebuild-rollup recounts the touch rollups the reports read (the database
keeps them on every write; this is for a rollup suspected wrong).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from touchbase.accounts.models import zone_of
from touchbase.metrics import exports, selectors, services
from touchbase.metrics.measures import Scope
from touchbase.metrics.periods import PeriodError, PeriodKind, current_period, parse_period

FORMATS = ("html", "pdf", "csv", "json")


class Command(BaseCommand):
    help = "Write the weekly, monthly or quarterly report as HTML, PDF, CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", choices=["weekly", "monthly", "quarterly"])
        parser.add_argument("--period", default="", help="e.g. 2026-W48, 2026-11 or 2026-Q4; default: the current one.")
        parser.add_argument("--seller", default="", help="A seller's email for their own report; default: the company.")
        parser.add_argument("--format", default="html", choices=FORMATS)
        parser.add_argument("--out", default="", help="File to write; default: standard output (not for pdf).")
        parser.add_argument("--time-zone", default="", help="Zone for the company report's period edges "
                                                            "(default: the seller's zone, else UTC).")
        parser.add_argument("--email", action="store_true",
                            help="Mail the last full period's report to every active seller (their own), "
                                 "manager and admin (the company's), once each.")
        parser.add_argument("--rebuild-rollup", action="store_true",
                            help="Recount the touch rollups the reports read from the touches, then stop.")

    def handle(self, *args, kind, period, seller, format, out, time_zone, email, rebuild_rollup, **options):
        if rebuild_rollup:
            from touchbase.crm.models import TouchDay
            from touchbase.crm.services import touch_rollups_rebuild

            touch_rollups_rebuild()
            self.stdout.write(f"Recounted the touch rollups: {TouchDay.objects.count():,} rows of touches by day.")
            return
        if not kind:
            raise CommandError("Say which report: weekly, monthly or quarterly (or --rebuild-rollup).")
        try:
            seller_user = services.seller_from(seller)
            zone = time_zone or zone_of(user=seller_user)
            period_kind = PeriodKind.from_adjective(kind)
            chosen = (parse_period(period_kind, period, zone) if period
                      else current_period(period_kind, timezone.now(), zone))
        except (PeriodError, services.NotASeller) as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:  # zoneinfo raises several kinds for a bad zone name
            if time_zone:
                raise CommandError(f"--time-zone {time_zone!r} is not a time zone such as Europe/Berlin.") from exc
            raise
        if email:
            from touchbase.metrics.mail import report_mail_everyone

            sent = report_mail_everyone(kind=period_kind, period_name=period or None)
            self.stdout.write(f"Sent the {kind} report to {sent} people.")
            return
        report = selectors.report_build(chosen, Scope.of(seller_user) if seller_user else Scope.company())
        if format == "pdf":
            if not out:
                raise CommandError("A PDF needs --out FILE.")
            try:
                body: bytes | str = exports.to_pdf(report)
            except exports.PdfUnavailable as exc:
                raise CommandError(str(exc)) from exc
        else:
            body = {"html": exports.to_html, "csv": exports.to_csv, "json": exports.to_json}[format](report)
        if report.empty:
            self.stderr.write(f"{report.title}: the report is empty (nothing logged in the period).")
        if out:
            path = Path(out)
            if isinstance(body, bytes):
                path.write_bytes(body)
            else:
                path.write_text(body)
            self.stderr.write(f"Wrote {report.title} to {path} ({format}).")
        else:
            sys.stdout.write(body)
