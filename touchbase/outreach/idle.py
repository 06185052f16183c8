"""IMAP IDLE: a thread per mailbox that waits on its INBOX and wakes `touchbase worker` when mail arrives.

Polling every minute finds a reply within a minute; IDLE (RFC 2177) has the
server tell us the moment a message lands, so the worker reads that mailbox
at once. A watcher never reads mail nor touches the database: it only says
"look at mailbox N now", and the worker's own poll (from the UID watermark)
does the reading, so a reply is handled the same way however it was noticed.
Polling stays on underneath at its own interval: it covers servers without
IDLE, watchers between reconnects, and anything IDLE missed.

An outage is retried with a growing pause; each failure also wakes the
worker, whose poll records the server's error on the mailbox page.
"""

from __future__ import annotations

import logging
import select
import socket
import threading
import time
from collections.abc import Callable

from . import transport
from .models import Mailbox

logger = logging.getLogger(__name__)

# Servers may end an IDLE after 30 minutes without a word (RFC 2177): start it anew well before.
RESTART_SECONDS = 25 * 60
# How often a watcher looks up from IDLE to see whether it should stop.
CHECK_SECONDS = 1.0
# Pauses after one, two, three... failures in a row to connect or stay connected.
BACKOFF_SECONDS = (1, 2, 5, 15, 30, 60, 120, 300)


def _settings(mailbox: Mailbox) -> tuple:
    # A watcher is restarted when any of these change (new password, other server).
    return (mailbox.imap_host, mailbox.imap_port, mailbox.imap_security, mailbox.username,
            mailbox.password_encrypted)


def _closed(sock: socket.socket) -> bool:
    """True when the server hung up. imapclient's idle_check takes the end of the stream for silence."""
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    # Peek below TLS, on a duplicate of the descriptor: an empty read is the server's FIN.
    with socket.fromfd(sock.fileno(), sock.family, sock.type) as raw:
        try:
            return raw.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True


class Watcher(threading.Thread):
    """IDLE on one mailbox's INBOX; calls `wake(mailbox pk)` when the server reports new mail."""

    def __init__(self, mailbox: Mailbox, wake: Callable[[int], None]):
        super().__init__(name=f"imap idle {mailbox.email}", daemon=True)
        self.mailbox, self.wake = mailbox, wake
        self.settings = _settings(mailbox)
        self.stopping = threading.Event()
        self.idling = threading.Event()  # set while an IDLE is running (tests wait on it)
        self.supported: bool | None = None  # None until the server said whether it offers IDLE
        self.idles = 0  # IDLE commands issued: the first, then one per restart or reconnect
        self.error = ""

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                client = transport.imap_open(self.mailbox)
            except (transport.Failed, OSError) as exc:
                failures = self._failed(exc, failures)
                continue
            try:
                if not client.has_capability("IDLE"):
                    self.supported = False
                    logger.info("%s offers no IMAP IDLE: its INBOX is polled", self.mailbox)
                    return
                self.supported = True
                client.select_folder("INBOX", readonly=True)
                if failures:  # mail may have come while we were away
                    self.wake(self.mailbox.pk)
                failures = 0
                self.error = ""
                self._idle(client)
            except Exception as exc:  # any break in the conversation: reconnect after a pause
                failures = self._failed(exc, failures)
            finally:
                self.idling.clear()
                try:
                    client.shutdown()
                except Exception:  # already gone
                    pass

    def _idle(self, client) -> None:
        while not self.stopping.is_set():
            started = time.monotonic()
            client.idle()
            self.idles += 1
            self.idling.set()
            try:
                while not self.stopping.is_set() and time.monotonic() - started < RESTART_SECONDS:
                    responses = client.idle_check(timeout=CHECK_SECONDS)
                    if any(len(r) > 1 and r[1] == b"EXISTS" for r in responses):
                        self.wake(self.mailbox.pk)
                    elif not responses and _closed(client.socket()):
                        raise ConnectionError("the IMAP server closed the connection")
            finally:
                self.idling.clear()
            client.idle_done()

    def _failed(self, exc: Exception, failures: int) -> int:
        self.error = f"{exc}"
        logger.warning("IMAP IDLE on %s: %s", self.mailbox, exc)
        # The worker's poll meets the same trouble and shows it on the mailbox page.
        self.wake(self.mailbox.pk)
        self.stopping.wait(BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)])
        return failures + 1


class Watchers:
    """The worker's watchers, kept in step with its mailboxes, and the mailboxes they asked it to read."""

    def __init__(self):
        self.by_mailbox: dict[int, Watcher] = {}
        self.woken: set[int] = set()
        self.lock = threading.Lock()
        self.event = threading.Event()  # set when a watcher wakes the worker

    def wake(self, mailbox_pk: int) -> None:
        with self.lock:
            self.woken.add(mailbox_pk)
        self.event.set()

    def take_woken(self) -> set[int]:
        with self.lock:
            woken, self.woken = self.woken, set()
            self.event.clear()
        return woken

    def sync(self) -> None:
        """A watcher for every mailbox with IMAP; one whose settings changed is started anew."""
        mailboxes = {m.pk: m for m in Mailbox.objects.exclude(imap_host="").select_related("owner")}
        for pk, watcher in list(self.by_mailbox.items()):
            if pk not in mailboxes or _settings(mailboxes[pk]) != watcher.settings:
                watcher.stop()
                del self.by_mailbox[pk]
        for pk, mailbox in mailboxes.items():
            if pk not in self.by_mailbox:
                self.by_mailbox[pk] = Watcher(mailbox, self.wake)
                self.by_mailbox[pk].start()

    def stop(self) -> None:
        for watcher in self.by_mailbox.values():
            watcher.stop()
        for watcher in self.by_mailbox.values():
            watcher.join(CHECK_SECONDS * 5)
        self.by_mailbox.clear()
