"""touchbase drip list | drip run NAME [--dry-run]: the drips, and starting one for everyone on its list.

The worker sends the pieces; `run` only starts the drip for people on the list who have not had it
(new A-tier contacts, people picked since), so it is safe to run from cron.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from touchbase.outreach import drips
from touchbase.outreach.models import Drip


class Command(BaseCommand):
    help = "List the drips, or start one for everyone on its list who has not had it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Each drip: owner, list, cadence, pieces, who is getting it.")
        run = sub.add_parser("run", help="Start the drip for everyone on its list who has not had it.")
        run.add_argument("name", help="The drip's name.")
        run.add_argument("--dry-run", action="store_true", help="Say who would start and who would not; start nobody.")

    def handle(self, *args, **opts):
        if opts["action"] == "list":
            for drip in Drip.objects.filter(archived=False).select_related("owner"):
                counts = drips.drip_status_counts(drip)
                pieces = drip.sequence.steps.count()
                self.stdout.write(f"{drip.name}\t{drip.owner.email}\t{drip.describe_list()}"
                                  f"\tevery {drip.every_days} business days\t{pieces} pieces"
                                  f"\t{counts['active'] + counts['paused']} getting it\t{counts['replied']} replied")
            return
        drip = Drip.objects.filter(name=opts["name"]).select_related("owner", "sequence").first()
        if drip is None:
            raise CommandError(f"No drip named {opts['name']!r}.")
        if opts["dry_run"]:
            for person in drips.drip_audience(drip):
                reason = drips.why_not_drip(person, drip)
                self.stdout.write(f"would not start\t{person.email or person.name}\t{reason}" if reason
                                  else f"would start\t{person.email}")
            return
        try:
            result = drips.drip_enroll(actor=drip.owner, drip=drip)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for enrollment in result.enrolled:
            self.stdout.write(f"started\t{enrollment.person.email}\tfirst piece due {enrollment.due_at:%Y-%m-%d %H:%M} UTC")
        for person, reason in result.refused:
            self.stdout.write(f"not started\t{person.email or person.name}\t{reason}")
        self.stdout.write(f"{len(result.enrolled)} started, {len(result.refused)} not.")
