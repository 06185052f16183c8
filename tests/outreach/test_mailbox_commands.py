"""touchbase mailbox add --domain-daily-cap, and touchbase mailbox resume."""

from django.core.management import call_command

from touchbase.outreach.models import Mailbox

from .conftest import MAIL_PASSWORD


def _add(port, *extra):
    call_command("mailbox", "add", "sam@example.com", "--smtp", f"127.0.0.1:{port}", "--user", "sam@example.com",
                 "--password-env", "SAM_MAIL_PASSWORD", "--security", "none", *extra)


def test_the_per_domain_daily_cap_is_set_from_the_command_line(sam, smtp_server, monkeypatch):
    monkeypatch.setenv("SAM_MAIL_PASSWORD", MAIL_PASSWORD)
    _add(smtp_server.port, "--domain-daily-cap", "3")
    assert Mailbox.objects.get(email="sam@example.com").domain_daily_cap == 3
    _add(smtp_server.port, "--domain-daily-cap", "0")
    assert Mailbox.objects.get(email="sam@example.com").domain_daily_cap == 0


def test_without_the_option_a_mailbox_gets_the_default_domain_cap(sam, smtp_server, monkeypatch):
    monkeypatch.setenv("SAM_MAIL_PASSWORD", MAIL_PASSWORD)
    _add(smtp_server.port)
    assert Mailbox.objects.get(email="sam@example.com").domain_daily_cap == 10
