"""`touchbase export companies|people|deals FILE`: write records to CSV or XLSX, safe to open in a spreadsheet."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from touchbase.prospecting.exports import EXPORTS, TIERS, records_export


class Command(BaseCommand):
    help = ("Export companies, people or deals to a .csv or .xlsx file; cells that a spreadsheet would run "
            "as formulas are neutralised.")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(EXPORTS), help="what to export")
        parser.add_argument("file", help="the .csv or .xlsx file to write")
        parser.add_argument("--tier", choices=list(TIERS), help="only records of companies in this tier")
        parser.add_argument("--tag", help="only records of companies that carry this tag (people and deals: "
                                          "their company's)")

    def handle(self, *args, kind, file, tier, tag, **options):
        try:
            count = records_export(kind=kind, path=file, tier=tier, tag=tag)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        except OSError as exc:
            raise CommandError(f"{file}: cannot write the file ({exc.strerror})") from None
        self.stdout.write(f"{count:,} {kind} written to {file}")
