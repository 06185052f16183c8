"""touchbase enroll SEQUENCE (--person EMAIL [--person EMAIL ...] | --tier A) [--as EMAIL]: who got in, who did not, and why."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from touchbase.accounts.models import User
from touchbase.crm.models import Person
from touchbase.outreach.models import Sequence
from touchbase.outreach.services import sequence_enroll, sequence_enroll_tier


class Command(BaseCommand):
    help = "Enroll people (by email) in a sequence; prints who was enrolled and who was not, and why."

    def add_arguments(self, parser):
        parser.add_argument("sequence", help="The sequence's name.")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--person", action="append", metavar="EMAIL", help="A person's email; repeat for more.")
        who.add_argument("--tier", choices=["A", "B", "C"],
                         help="The key contacts at the enrolling user's companies of this tier.")
        parser.add_argument("--as", dest="actor", metavar="EMAIL",
                            help="Enroll as this user (default: the sequence's owner).")

    def handle(self, *args, **opts):
        sequence = Sequence.objects.filter(name=opts["sequence"]).first()
        if sequence is None:
            raise CommandError(f"No sequence named {opts['sequence']!r}.")
        actor = sequence.owner
        if opts["actor"]:
            actor = User.objects.filter(email=opts["actor"].lower()).first()
            if actor is None:
                raise CommandError(f"No user {opts['actor']}.")
        if opts["tier"]:
            return self._tier(actor, sequence, opts["tier"])
        people, unknown = [], []
        for email in opts["person"]:
            person = Person.objects.filter(email=email.strip().lower()).first()
            (people.append(person) if person else unknown.append(email))
        try:
            result = sequence_enroll(actor=actor, sequence=sequence, people=people)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self._write_result(result)
        for email in unknown:
            self.stdout.write(f"not enrolled\t{email}\tno person has this email")
        if not result.enrolled:
            raise CommandError("Nobody was enrolled.")

    def _tier(self, actor, sequence, tier: str) -> None:
        try:
            result = sequence_enroll_tier(actor=actor, sequence=sequence, tier=tier)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self._write_result(result)
        self.stdout.write(result.summary())

    def _write_result(self, result) -> None:
        """One tab-separated line per person enrolled or refused, for both ways of enrolling."""
        for enrollment in result.enrolled:
            self.stdout.write(f"enrolled\t{enrollment.person.email}\tfirst step due {enrollment.due_at:%Y-%m-%d %H:%M} UTC")
        for person, reason in result.refused:
            self.stdout.write(f"not enrolled\t{person.email or person.name}\t{reason}")
