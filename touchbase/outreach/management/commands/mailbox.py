"""touchbase mailbox add|test|list: connect a seller's mailbox and check it, from the shell."""

import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from touchbase.accounts.models import User
from touchbase.outreach.models import Mailbox, Security
from touchbase.outreach.services import mailbox_resume, mailbox_save, mailbox_test


def host_port(value: str, default: int) -> tuple[str, int]:
    host, _, port = value.rpartition(":") if ":" in value else (value, "", "")
    try:
        return host, int(port) if port else default
    except ValueError as exc:
        raise CommandError(f"{value!r} is not HOST:PORT") from exc


class Command(BaseCommand):
    help = "Connect a mailbox (touchbase mailbox add), check it (test EMAIL), list them, or resume a paused one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Connect or update the mailbox EMAIL for its owner.")
        add.add_argument("email")
        add.add_argument("--owner", help="The user who sends from it (default: the user with the same email).")
        add.add_argument("--smtp", required=True, metavar="HOST:PORT")
        add.add_argument("--imap", metavar="HOST:PORT", help="Without it, replies will not be seen.")
        add.add_argument("--user", required=True)
        add.add_argument("--password-env", required=True, metavar="VAR",
                         help="The environment variable holding the password (never on the command line).")
        add.add_argument("--security", choices=Security.values, default=Security.STARTTLS,
                         help="SMTP security; IMAP uses tls unless --security none.")
        add.add_argument("--daily-cap", type=int, default=200)
        add.add_argument("--hourly-cap", type=int, default=30)
        add.add_argument("--min-gap-seconds", type=int, default=60)
        add.add_argument("--domain-daily-cap", type=int, default=10, metavar="N",
                         help="Emails per 24 hours to one company's domain (0 = no cap; free-mail is never capped).")
        add.add_argument("--server-saves-sent", action="store_true",
                         help="The server files SMTP sends in Sent (Gmail, Microsoft 365).")
        test = sub.add_parser("test", help="Check DNS, connect, TLS and login for SMTP and IMAP.")
        test.add_argument("email")
        sub.add_parser("list", help="Every mailbox, its owner and its IMAP state.")
        resume = sub.add_parser("resume", help="Send again from a mailbox paused for too many bounces.")
        resume.add_argument("email")

    def handle(self, *args, **opts):
        getattr(self, f"do_{opts['action']}")(opts)

    def do_add(self, opts):
        password = os.environ.get(opts["password_env"])
        if not password:
            raise CommandError(f"${opts['password_env']} is empty or not set; put the password in it.")
        owner_email = (opts["owner"] or opts["email"]).lower()
        owner = User.objects.filter(email=owner_email).first()
        if owner is None:
            raise CommandError(f"No user {owner_email}; create one with touchbase createuser or pass --owner.")
        smtp_host, smtp_port = host_port(opts["smtp"], 587)
        imap_host, imap_port = host_port(opts["imap"], 993) if opts["imap"] else ("", 993)
        try:
            mailbox = mailbox_save(
                actor=owner, email=opts["email"], smtp_host=smtp_host, smtp_port=smtp_port,
                smtp_security=opts["security"], imap_host=imap_host, imap_port=imap_port,
                imap_security=Security.NONE if opts["security"] == Security.NONE else Security.TLS,
                username=opts["user"], password=password, daily_cap=opts["daily_cap"],
                hourly_cap=opts["hourly_cap"], min_gap_seconds=opts["min_gap_seconds"],
                domain_daily_cap=opts["domain_daily_cap"],
                server_saves_sent=opts["server_saves_sent"])
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(self.style.SUCCESS(f"Saved {mailbox.email} for {owner.email} (password encrypted)."))
        if not mailbox.has_imap:
            self.stdout.write("No IMAP given: it can send, but replies will not be seen and cannot stop sequences.")

    def do_test(self, opts):
        mailbox = Mailbox.objects.filter(email=opts["email"].lower()).first()
        if mailbox is None:
            raise CommandError(f"No mailbox {opts['email']}; add it with touchbase mailbox add.")
        checks = mailbox_test(mailbox=mailbox)
        for check in checks:
            self.stdout.write(str(check))
        if not mailbox.has_imap:
            self.stdout.write("IMAP: not set, so replies will not be seen.")
        bad = [c for c in checks if not c.ok]
        if bad:
            raise CommandError("; ".join(f"{c.server} {c.stage} failed: {c.detail}" for c in bad))

    def do_list(self, opts):
        for mailbox in Mailbox.objects.select_related("owner"):
            imap = f"IMAP {mailbox.imap_host}" if mailbox.has_imap else "no IMAP"
            state = mailbox.paused_reason or mailbox.imap_error or "ok"
            self.stdout.write(f"{mailbox.email}\t{mailbox.owner.email}\t{imap}\t{state}")

    def do_resume(self, opts):
        mailbox = Mailbox.objects.filter(email=opts["email"].lower()).select_related("owner").first()
        if mailbox is None:
            raise CommandError(f"No mailbox {opts['email']}.")
        reason = mailbox.paused_reason
        try:
            # The shell is the operator's: it resumes as the mailbox's owner.
            mailbox_resume(actor=mailbox.owner, mailbox=mailbox)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{mailbox.email} sends again (it was paused: {reason})"))
