"""touchbase createuser EMAIL --role admin|manager|seller"""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from touchbase.accounts.models import Role
from touchbase.accounts.services import user_create


class Command(BaseCommand):
    help = "Create a user who logs in with EMAIL. Asks for the password unless --password or --no-password."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", choices=Role.values, default=Role.SELLER)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--password", help="The password (otherwise asked for, hidden).")
        parser.add_argument("--no-password", action="store_true", help="Create the user without a password.")

    def handle(self, *args, **opts):
        password = opts["password"]
        if password is None and not opts["no_password"]:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ; nothing was created.")
        try:
            user = user_create(email=opts["email"], role=opts["role"], password=password,
                               first_name=opts["first_name"], last_name=opts["last_name"],
                               time_zone=opts["time_zone"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.role} {user.email}."))
