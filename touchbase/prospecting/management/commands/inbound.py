"""`touchbase inbound check`: settle the inbound response clocks that came due and escalate the breaches.

Run it from cron every few minutes (or a worker loop); it is safe to run again or twice at once.
"""

from django.core.management.base import BaseCommand

from touchbase.prospecting.inbound import inbound_check_breaches


class Command(BaseCommand):
    help = "Inbound leads: `check` escalates unanswered leads past their response target to the managers."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("check", help="escalate breaches (a task per manager, once per lead)")

    def handle(self, *args, action, **options):
        checked = inbound_check_breaches()
        self.stdout.write(f"{checked.escalated} lead{'s' if checked.escalated != 1 else ''} escalated, "
                          f"{checked.answered} answered in time or late")
