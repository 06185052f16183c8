"""touchbase token create EMAIL --name N | token revoke PREFIX | token list [EMAIL]

API tokens for scripts and integrations. The token is printed once, at
creation; touchbase keeps only its hash, so a lost token is revoked and
replaced, never recovered.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from touchbase.accounts.models import ApiToken, User
from touchbase.accounts.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, revoke and list API tokens (sent as 'Authorization: Bearer <token>' to /api/v1/)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,revoke,list}")
        create = sub.add_parser("create", help="Make a token for the user with EMAIL and print it once.")
        create.add_argument("email")
        create.add_argument("--name", required=True, help="What the token is for, e.g. 'Zapier'.")
        revoke = sub.add_parser("revoke", help="Stop the token starting with PREFIX from working.")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="Show every token (prefix, user, name, last use), never the token.")
        listing.add_argument("email", nargs="?", help="Only this user's tokens.")

    def handle(self, *args, **opts):
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _create(self, opts):
        email = opts["email"].strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"No user has the email {email}; create one with `touchbase createuser {email}`.")
        token, plaintext = api_token_create(user=user, name=opts["name"])
        self.stdout.write(self.style.SUCCESS(f"Created token {token.prefix}… '{token.name}' for {user.email}."))
        self.stdout.write("Copy it now; it is not shown again:")
        self.stdout.write(plaintext)

    def _revoke(self, opts):
        token = api_token_revoke(prefix=opts["prefix"])
        self.stdout.write(self.style.SUCCESS(f"Revoked {token.prefix}… '{token.name}' of {token.user.email}."))

    def _list(self, opts):
        tokens = ApiToken.objects.select_related("user").order_by("user__email", "-created_at")
        if opts["email"]:
            tokens = tokens.filter(user__email=opts["email"].strip().lower())
        rows = [(t.prefix, t.user.email, t.name, _when(t.created_at), _when(t.last_used_at),
                 "revoked" if t.revoked else "active") for t in tokens]
        if not rows:
            self.stdout.write("No API tokens yet; make one with `touchbase token create EMAIL --name NAME`.")
            return
        header = ("PREFIX", "USER", "NAME", "CREATED", "LAST USED", "STATE")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            self.stdout.write("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "never"
