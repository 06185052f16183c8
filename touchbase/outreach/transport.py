"""Talking to mail servers: SMTP out, IMAP in, and a step-by-step probe that says what failed.

The probe walks DNS, connect, TLS and login in that order and stops at the
first failure, so "test connection" can say "TLS: the server does not offer
STARTTLS" instead of a stack trace.
"""

from __future__ import annotations

import imaplib
import smtplib
import socket
import ssl
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from .models import Mailbox, Security

TIMEOUT = 20


@dataclass(frozen=True)
class Check:
    server: str  # "SMTP" or "IMAP"
    stage: str  # "DNS", "connect", "TLS", "login"
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{self.server} {self.stage}: {'ok' if self.ok else 'FAILED'} - {self.detail}"


class Failed(Exception):
    def __init__(self, stage: str, detail: str):
        super().__init__(f"{stage}: {detail}")
        self.stage, self.detail = stage, detail


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def _tls_detail(exc: Exception) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the server's certificate is not trusted ({exc.verify_message})"
    reason = getattr(exc, "reason", None) or str(exc)
    return f"the TLS handshake failed ({reason}); is the port/security pair right (465 = TLS, 587 = STARTTLS)?"


def _reach(host: str, port: int, timeout: float) -> list[str]:
    """DNS then a bare TCP connect; returns what was checked, raises Failed at the first problem."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Failed("DNS", f"{host} does not resolve ({getattr(exc, 'strerror', None) or exc})") from exc
    shown = sorted({a[4][0] for a in addresses})
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except TimeoutError as exc:
        raise Failed("connect", f"{host}:{port} did not answer within {timeout:g} s (firewall?)") from exc
    except OSError as exc:
        raise Failed("connect", f"{host}:{port} refused or dropped the connection ({exc.strerror or exc})") from exc
    return [f"{host} is {', '.join(shown)}", f"{host}:{port} accepts connections"]


def smtp_open(mailbox: Mailbox, *, timeout: float = TIMEOUT, password: str | None = None) -> smtplib.SMTP:
    """A logged-in SMTP connection; raises Failed naming the stage (TLS, login) on trouble."""
    host, port = mailbox.smtp_host, mailbox.smtp_port
    try:
        if mailbox.smtp_security == Security.TLS:
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
    except (ssl.SSLError, ssl.CertificateError) as exc:
        raise Failed("TLS", _tls_detail(exc)) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise Failed("connect", f"{host}:{port} did not speak SMTP ({exc})") from exc
    try:
        smtp.ehlo()
        if mailbox.smtp_security == Security.STARTTLS:
            if not smtp.has_extn("starttls"):
                raise Failed("TLS", f"{host}:{port} does not offer STARTTLS; try security 'tls' on port 465")
            try:
                smtp.starttls(context=tls_context())
            except (ssl.SSLError, ssl.CertificateError) as exc:
                raise Failed("TLS", _tls_detail(exc)) from exc
            smtp.ehlo()
        if mailbox.username:
            try:
                smtp.login(mailbox.username, mailbox.password() if password is None else password)
            except smtplib.SMTPAuthenticationError as exc:
                words = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
                raise Failed("login", f"the server refused {mailbox.username}'s password ({exc.smtp_code} {words})") from exc
            except smtplib.SMTPNotSupportedError as exc:
                raise Failed("login", "the server offers no login (AUTH) on this connection; "
                                      "it may want TLS first") from exc
    except Failed:
        smtp.close()
        raise
    except (OSError, smtplib.SMTPException) as exc:
        smtp.close()
        raise Failed("connect", f"the SMTP conversation broke off ({exc})") from exc
    return smtp


def imap_open(mailbox: Mailbox, *, timeout: float = TIMEOUT, password: str | None = None) -> IMAPClient:
    host, port = mailbox.imap_host, mailbox.imap_port
    try:
        client = IMAPClient(host, port, ssl=mailbox.imap_security == Security.TLS, ssl_context=tls_context(),
                            timeout=timeout)
    except (ssl.SSLError, ssl.CertificateError) as exc:
        raise Failed("TLS", _tls_detail(exc)) from exc
    except (OSError, imaplib.IMAP4.error) as exc:
        raise Failed("connect", f"{host}:{port} did not speak IMAP ({exc})") from exc
    try:
        if mailbox.imap_security == Security.STARTTLS:
            try:
                client.starttls(tls_context())
            except (ssl.SSLError, ssl.CertificateError) as exc:
                raise Failed("TLS", _tls_detail(exc)) from exc
            except imaplib.IMAP4.error as exc:
                raise Failed("TLS", f"{host}:{port} does not offer STARTTLS ({exc})") from exc
        try:
            client.login(mailbox.username, mailbox.password() if password is None else password)
        except LoginError as exc:
            raise Failed("login", f"the server refused {mailbox.username}'s password ({exc})") from exc
    except Failed:
        try:
            client.shutdown()
        except OSError:
            pass
        raise
    except (OSError, imaplib.IMAP4.error) as exc:
        raise Failed("connect", f"the IMAP conversation broke off ({exc})") from exc
    return client


def probe(mailbox: Mailbox, *, timeout: float = 10, password: str | None = None) -> list[Check]:
    """Every check for SMTP, then IMAP (when set): each says ok or exactly what failed."""
    checks: list[Check] = []
    servers = [("SMTP", mailbox.smtp_host, mailbox.smtp_port, smtp_open)]
    if mailbox.has_imap:
        servers.append(("IMAP", mailbox.imap_host, mailbox.imap_port, imap_open))
    for name, host, port, opener in servers:
        try:
            dns, connect = _reach(host, port, timeout)
            checks += [Check(name, "DNS", True, dns), Check(name, "connect", True, connect)]
            connection = opener(mailbox, timeout=timeout, password=password)
        except Failed as exc:
            checks.append(Check(name, exc.stage, False, exc.detail))
            continue
        security = mailbox.smtp_security if name == "SMTP" else mailbox.imap_security
        if security != Security.NONE:
            checks.append(Check(name, "TLS", True, f"{security} negotiated"))
        checks.append(Check(name, "login", True, f"logged in as {mailbox.username}"))
        try:
            connection.quit() if name == "SMTP" else connection.logout()
        except (OSError, smtplib.SMTPException, imaplib.IMAP4.error):
            pass
    return checks
