"""touchbase sequence load FILE.toml | export NAME | list: sequences as text files that can live in git."""

from django.core.management.base import BaseCommand, CommandError

from touchbase.outreach.models import Sequence
from touchbase.outreach.sequence_files import SequenceFileError, export, load_file


class Command(BaseCommand):
    help = "Load a sequence from a TOML file (touchbase sequence load FILE.toml) or print one as TOML (export NAME)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Create the sequence the file describes, or update the one of that name.")
        load.add_argument("file", nargs="+", metavar="FILE.toml")
        export_ = sub.add_parser("export", help="Print the sequence NAME as TOML that loads back to it.")
        export_.add_argument("name")
        sub.add_parser("list", help="Every sequence (drips excepted), its owner and its steps.")

    def handle(self, *args, **opts):
        getattr(self, f"do_{opts['action']}")(opts)

    def do_load(self, opts):
        for path in opts["file"]:
            try:
                result = load_file(path)
            except SequenceFileError as exc:
                raise CommandError(str(exc)) from exc
            sequence = result.sequence
            done = "created" if result.created else ("updated" if result.steps_changed else "updated (same steps)")
            self.stdout.write(self.style.SUCCESS(
                f"{path}: “{sequence}” {done}, {sequence.steps.count()} steps, owned by {sequence.owner.email}."))

    def do_export(self, opts):
        sequence = Sequence.objects.filter(name=opts["name"]).first()
        if sequence is None:
            raise CommandError(f"No sequence named {opts['name']!r}; touchbase sequence list shows them.")
        try:
            self.stdout.write(export(sequence), ending="")
        except SequenceFileError as exc:
            raise CommandError(str(exc)) from exc

    def do_list(self, opts):
        rows = Sequence.objects.filter(drip__isnull=True).select_related("owner").order_by("name")
        for sequence in rows:
            auto = "\tauto-enrolls new A-tier key contacts" if sequence.auto_enroll_key_contacts else ""
            archived = "\tarchived" if sequence.archived else ""
            self.stdout.write(f"{sequence.name}\t{sequence.owner.email}\t{sequence.steps.count()} steps{auto}{archived}")
