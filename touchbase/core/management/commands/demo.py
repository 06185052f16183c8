"""touchbase demo [--reset]: load the demo company and print how to log in."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from touchbase.core import demo


class Command(BaseCommand):
    help = (f"Load the demo company ({demo.STARTUP}): a sales team, about {demo.COMPANIES} companies, "
            f"{demo.PEOPLE} people, {demo.DEALS} deals and {demo.TOUCHES:,} touches. Does nothing if the demo "
            "is already loaded, unless --reset.")

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true",
                            help="Delete the demo data (records with source demo and the demo users) and load it "
                                 "again. Other records are left alone.")

    def handle(self, *args, **opts):
        try:
            demo.ensure_tables()
            if demo.demo_exists():
                if not opts["reset"]:
                    self.stdout.write("The demo company is already loaded; nothing changed. "
                                      "Run `touchbase demo --reset` to load it again.\n")
                    self.print_logins(demo.demo_users())
                    return
                deleted = demo.demo_delete()
                self.stdout.write("Deleted the old demo data: "
                                  + ", ".join(f"{n:,} {name}" for name, n in deleted.items() if n) + ".")
            summary = demo.demo_load()
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(f"The demo could not be written to the database: {exc}. "
                               "Nothing was loaded (it runs in one transaction).") from exc

        counts = summary.counts
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {summary.startup} ({summary.product}, {demo.PRODUCT_PITCH}) in {summary.seconds:.1f} s:"))
        self.stdout.write(f"  {counts['companies']:,} companies, {counts['people']:,} people, "
                          f"{counts['touches']:,} touches over the last two quarters, {counts['tasks']:,} tasks")
        self.stdout.write(f"  {counts['deals']} deals: "
                          + ", ".join(f"{name} {n}" for name, n in summary.deals_by_stage))
        self.print_logins(summary.users)

    def print_logins(self, users):
        self.stdout.write(f"\nOpen {settings.TOUCHBASE_URL} and log in as (password {demo.DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(f"  {user.email:<32} {user.role:<8} {user.get_full_name()}")
