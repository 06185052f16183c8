"""Real mail servers on loopback for the outreach tests: aiosmtpd for SMTP, Dovecot for IMAP.

`smtp_server` accepts mail for anyone (with a login check), keeps every
message it took, and hands mail for a Dovecot user to that user's INBOX, so
a prospect's mailbox really receives the sequence and the seller's really
receives the reply. Dovecot runs once per test session with a throwaway
configuration (passwd-file logins, maildirs) under a temporary folder; each
test starts with empty maildirs.
"""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from email import message_from_bytes, policy
from email.utils import parseaddr
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from imapclient import IMAPClient

DOVECOT = "/usr/sbin/dovecot"
MAIL_PASSWORD = "app-password-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class Dovecot:
    """A Dovecot IMAP server of our own: add users, put mail in folders, read folders."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.passwd = root / "passwd"
        self.mail = root / "mail"
        self.users: set[str] = set()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        me = pwd.getpwuid(os.getuid())
        if os.getuid() == 0:  # Dovecot refuses to run its login processes as root
            internal, login, mail_user = "dovecot", "dovenull", pwd.getpwnam("nobody")
        else:
            internal = login = me.pw_name
            mail_user = me
        self.mail.mkdir(mode=0o777)
        os.chmod(self.root, 0o755)
        shutil.chown(self.mail, mail_user.pw_uid, mail_user.pw_gid)
        self.passwd.write_text("")
        os.chmod(self.passwd, 0o644)
        (self.root / "dovecot.conf").write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
first_valid_uid = 0
mail_location = maildir:{self.mail}/%u
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = create
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.passwd}
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={self.mail}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(self.port)
        except RuntimeError as exc:
            log = self.root / "dovecot.log"
            raise RuntimeError(f"Dovecot did not start: {log.read_text() if log.exists() else ''}") from exc

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)

    def add_user(self, email: str, password: str = MAIL_PASSWORD) -> None:
        if email not in self.users:
            self.users.add(email)
            with self.passwd.open("a") as f:
                f.write(f"{email}:{{PLAIN}}{password}\n")

    def wipe(self) -> None:
        for child in self.mail.iterdir():
            shutil.rmtree(child)

    def client(self, email: str) -> IMAPClient:
        client = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=10)
        client.login(email, MAIL_PASSWORD)
        return client

    def append(self, email: str, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client(email)
        try:
            client.append(folder, raw)
        finally:
            client.logout()

    def messages(self, email: str, folder: str = "INBOX") -> list:
        client = self.client(email)
        try:
            client.select_folder(folder, readonly=True)
            uids = client.search(["ALL"])
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [message_from_bytes(fetched[u][b"BODY[]"], policy=policy.default) for u in uids]
        finally:
            client.logout()


@pytest.fixture(scope="session")
def dovecot_server():
    if not Path(DOVECOT).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot is not installed: apt-get install dovecot-imapd (CI allows no skips)")
        pytest.skip("Dovecot is not installed here: apt-get install dovecot-imapd")
    root = Path(tempfile.mkdtemp(prefix="touchbase-dovecot-"))
    server = Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_server):
    dovecot_server.wipe()
    yield dovecot_server
    dovecot_server.wipe()


class Recorder:
    """The SMTP server's handler: keeps what it took, refuses what a test asks it to, delivers to Dovecot."""

    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()
        self.refuse: dict[str, str] = {}  # recipient -> "550 5.1.1 No such user"
        self.dovecot: Dovecot | None = None
        self.save_sent = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)
        if self.dovecot:
            for rcpt in envelope.rcpt_tos:
                if rcpt.lower() in self.dovecot.users:
                    self.dovecot.append(rcpt.lower(), envelope.content)
            sender = parseaddr(str(msg["From"]))[1].lower()
            if self.save_sent and sender in self.dovecot.users:
                self.dovecot.append(sender, envelope.content, "Sent")
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


class SmtpServer:
    def __init__(self, recorder: Recorder, port: int, controller: Controller):
        self.recorder, self.port, self.controller = recorder, port, controller

    def __getattr__(self, name):
        return getattr(self.recorder, name)


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == MAIL_PASSWORD
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, authenticator=_authenticate,
                            auth_require_tls=False)
    controller.start()
    yield SmtpServer(recorder, port, controller)
    controller.stop()


@pytest.fixture
def sams_mailbox(sam, smtp_server):
    """Sam's mailbox on the loopback SMTP server, without IMAP."""
    from touchbase.outreach.services import mailbox_save

    return mailbox_save(actor=sam, email="sam@example.com", smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                        smtp_security="none", username="sam@example.com", password=MAIL_PASSWORD,
                        daily_cap=0, hourly_cap=0, min_gap_seconds=0)


@pytest.fixture
def sams_full_mailbox(sam, smtp_server, dovecot):
    """Sam's mailbox with SMTP on aiosmtpd and IMAP on Dovecot; Dana has a Dovecot mailbox too."""
    from touchbase.outreach.services import mailbox_save

    smtp_server.recorder.dovecot = dovecot
    for user in ("sam@example.com", "dana@acme.example", "lee@acme.example"):
        dovecot.add_user(user)
    return mailbox_save(actor=sam, email="sam@example.com", smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                        smtp_security="none", imap_host="127.0.0.1", imap_port=dovecot.port, imap_security="none",
                        username="sam@example.com", password=MAIL_PASSWORD, daily_cap=0, hourly_cap=0,
                        min_gap_seconds=0)


FIRST_EMAIL = ("Hi {first_name}, your Reno site opens soon. Worth 15 minutes Tuesday to compare notes on "
               "picking, since we cut mispicks 30% at Bolt?\n\n{seller_first_name}")


@pytest.fixture
def reno(sam):
    """Sam's three-step sequence: an email, its forward two business days later, then a call task."""
    from touchbase.outreach.services import sequence_create, step_save

    sequence = sequence_create(actor=sam, name="Reno picking")
    step_save(actor=sam, sequence=sequence, kind="email", subject="Reno picking", body=FIRST_EMAIL)
    step_save(actor=sam, sequence=sequence, kind="follow_up", delay_days=2)
    step_save(actor=sam, sequence=sequence, kind="call", delay_days=2, subject="Ask about the Reno go-live")
    return sequence
