"""Connecting a mailbox: the password is kept encrypted, and "test connection" says exactly what failed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from touchbase.outreach.models import Mailbox
from touchbase.outreach.services import mailbox_save, mailbox_test

from .conftest import MAIL_PASSWORD, free_port


def failed(checks):
    return [c for c in checks if not c.ok]


def test_the_password_is_stored_encrypted_and_never_in_clear(sams_mailbox):
    stored = Mailbox.objects.values_list("password_encrypted", flat=True).get(pk=sams_mailbox.pk)
    assert MAIL_PASSWORD not in stored
    assert Mailbox.objects.get(pk=sams_mailbox.pk).password() == MAIL_PASSWORD


def test_saving_again_without_a_password_keeps_the_old_one(sam, sams_mailbox, smtp_server):
    mailbox_save(actor=sam, email="sam@example.com", smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                 smtp_security="none", username="sam@example.com", daily_cap=50)
    mailbox = Mailbox.objects.get(pk=sams_mailbox.pk)
    assert mailbox.daily_cap == 50 and mailbox.password() == MAIL_PASSWORD


def test_a_new_mailbox_needs_a_password(sam):
    with pytest.raises(ValidationError) as error:
        mailbox_save(actor=sam, email="sam@example.com", smtp_host="smtp.example.com", username="sam")
    assert "password" in error.value.message_dict
    assert not Mailbox.objects.exists()


def test_a_seller_cannot_change_someone_elses_mailbox(ravi, sams_mailbox):
    with pytest.raises(PermissionDenied):
        mailbox_save(actor=ravi, email="sam@example.com", smtp_host="evil.example", username="x", password="y")
    assert Mailbox.objects.get(pk=sams_mailbox.pk).smtp_host == "127.0.0.1"


def test_a_good_mailbox_passes_every_check(sams_mailbox):
    checks = mailbox_test(mailbox=sams_mailbox)
    assert not failed(checks)
    assert [c.stage for c in checks] == ["DNS", "connect", "login"]


def test_a_wrong_password_is_a_login_failure(sams_mailbox):
    checks = mailbox_test(mailbox=sams_mailbox, password="not the password")
    assert [(c.server, c.stage) for c in failed(checks)] == [("SMTP", "login")]
    assert "refused sam@example.com's password" in failed(checks)[0].detail


def test_an_unknown_host_is_a_dns_failure(sams_mailbox):
    sams_mailbox.smtp_host = "smtp.no-such-host.invalid"
    [check] = failed(mailbox_test(mailbox=sams_mailbox))
    assert check.stage == "DNS" and "does not resolve" in check.detail


def test_a_closed_port_is_a_connect_failure(sams_mailbox):
    sams_mailbox.smtp_port = free_port()
    [check] = failed(mailbox_test(mailbox=sams_mailbox))
    assert check.stage == "connect" and "refused" in check.detail


def test_tls_against_a_plain_server_is_a_tls_failure(sams_mailbox):
    sams_mailbox.smtp_security = "tls"
    [check] = failed(mailbox_test(mailbox=sams_mailbox))
    assert check.stage == "TLS" and "handshake failed" in check.detail


def test_starttls_on_a_server_without_it_is_a_tls_failure(sams_mailbox):
    sams_mailbox.smtp_security = "starttls"
    [check] = failed(mailbox_test(mailbox=sams_mailbox))
    assert check.stage == "TLS" and "does not offer STARTTLS" in check.detail


def test_imap_is_checked_too(sams_full_mailbox, dovecot):
    checks = mailbox_test(mailbox=sams_full_mailbox)
    assert not failed(checks)
    assert ("IMAP", "login") in [(c.server, c.stage) for c in checks]
    [check] = failed(mailbox_test(mailbox=sams_full_mailbox, password="wrong"))[1:]
    assert (check.server, check.stage) == ("IMAP", "login")


def test_the_mailbox_test_command_prints_each_check_and_fails_on_trouble(sams_mailbox, capsys):
    call_command("mailbox", "test", "sam@example.com")
    assert "SMTP login: ok" in capsys.readouterr().out
    Mailbox.objects.filter(pk=sams_mailbox.pk).update(smtp_port=free_port())
    with pytest.raises(CommandError, match="connect"):
        call_command("mailbox", "test", "sam@example.com")


def test_the_mailbox_add_command_reads_the_password_from_the_environment(sam, smtp_server, monkeypatch, capsys):
    monkeypatch.setenv("SAM_MAIL_PASSWORD", MAIL_PASSWORD)
    call_command("mailbox", "add", "sam@example.com", "--smtp", f"127.0.0.1:{smtp_server.port}",
                 "--user", "sam@example.com", "--password-env", "SAM_MAIL_PASSWORD", "--security", "none")
    out = capsys.readouterr().out
    assert "replies will not be seen" in out and MAIL_PASSWORD not in out
    assert Mailbox.objects.get(email="sam@example.com").password() == MAIL_PASSWORD
