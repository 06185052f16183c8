"""IMAP IDLE: with polling set to once an hour, a reply is still read as soon as Dovecot reports it.

Each test runs the worker's loop (`run_forever`, what `touchbase worker` runs)
in the test's thread, as the command would, with the poll interval at one
hour; a helper thread delivers Dana's reply once the mailbox's IDLE is
running. Only IDLE can make the loop read the INBOX again within the hour,
so the run stopping is the proof; the helper's deadline only keeps a broken
IDLE from hanging the suite.
"""

import threading
from datetime import timedelta

from django.utils import timezone

from touchbase.outreach import idle, worker
from touchbase.outreach.models import InboundMessage, Mailbox

from .conftest import free_port
from .test_integration import reply, send, start, status

HOUR = timedelta(hours=1)
GIVE_UP_SECONDS = 60


def loop_until(stop, watchers, give_up):
    worker.run_forever(poll_every=HOUR, stop=lambda: give_up.is_set() or stop(), report=lambda counts: None,
                       watchers=watchers)


def deliver_when_idling(watchers, mailbox_pk, message, smtp_server, give_up, *, idles=1):
    """In a thread: once the mailbox's watcher has issued `idles` IDLE commands, Dana's reply goes out."""

    def go():
        while not give_up.is_set():
            watcher = watchers.by_mailbox.get(mailbox_pk)
            if watcher is not None and watcher.idling.wait(0.2) and watcher.idles >= idles:
                send(smtp_server, message)
                return
            give_up.wait(0.05)

    threading.Thread(target=go, daemon=True).start()
    timer = threading.Timer(GIVE_UP_SECONDS, give_up.set)
    timer.daemon = True
    timer.start()


def started(sam, reno, dana):
    """Step 1 went out and the INBOX was read (empty): the next hourly poll is an hour away."""
    [enrollment] = start(sam, reno, dana)
    Mailbox.objects.update(imap_polled_at=timezone.now())
    return enrollment


def test_a_reply_is_read_at_once_through_idle_not_at_the_next_hourly_poll(sam, dana, reno, sams_full_mailbox,
                                                                          dovecot, smtp_server):
    enrollment = started(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    watchers, give_up = idle.Watchers(), threading.Event()
    deliver_when_idling(watchers, sams_full_mailbox.pk, reply(first), smtp_server, give_up)
    loop_until(lambda: status(enrollment) != "active", watchers, give_up)
    assert status(enrollment) == "replied"
    assert InboundMessage.objects.get().matched_by == "headers"
    assert not watchers.by_mailbox  # stopped with the loop


def test_idle_is_started_anew_and_still_hears_new_mail(sam, dana, reno, sams_full_mailbox, dovecot, smtp_server,
                                                       monkeypatch):
    monkeypatch.setattr(idle, "RESTART_SECONDS", 0.3)  # servers drop an IDLE after 30 minutes; we restart before
    enrollment = started(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    watchers, give_up = idle.Watchers(), threading.Event()
    deliver_when_idling(watchers, sams_full_mailbox.pk, reply(first), smtp_server, give_up, idles=3)
    loop_until(lambda: status(enrollment) != "active", watchers, give_up)
    assert status(enrollment) == "replied"


def test_an_imap_outage_shows_on_the_mailbox_and_idle_comes_back_when_it_is_fixed(
        sam, dana, reno, sams_full_mailbox, dovecot, smtp_server):
    enrollment = started(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    Mailbox.objects.update(imap_port=free_port())  # nothing listens there
    watchers, give_up = idle.Watchers(), threading.Event()
    seen = {}

    def stop():
        mailbox = Mailbox.objects.get()
        if "error" not in seen and mailbox.imap_error:
            # The watcher's failure made the loop read the mailbox at once (polls are an hour apart),
            # and that read put the server's trouble on the mailbox page. Now the server is back.
            seen["error"] = mailbox.imap_error
            Mailbox.objects.update(imap_port=dovecot.port)
            deliver_when_idling(watchers, mailbox.pk, reply(first), smtp_server, give_up)
        return status(enrollment) != "active"

    loop_until(stop, watchers, give_up)
    assert seen["error"].startswith("connect:")
    assert status(enrollment) == "replied"
    assert Mailbox.objects.get().imap_error == ""


def test_without_idle_the_loop_reads_the_inbox_at_its_poll_interval(sam, dana, reno, sams_full_mailbox, dovecot,
                                                                   smtp_server):
    enrollment = started(sam, reno, dana)
    [first] = dovecot.messages("dana@acme.example")
    send(smtp_server, reply(first))
    give_up = threading.Event()
    timer = threading.Timer(GIVE_UP_SECONDS, give_up.set)
    timer.daemon = True
    timer.start()
    worker.run_forever(poll_every=timedelta(seconds=0.2), watchers=None, report=lambda counts: None,
                       stop=lambda: give_up.is_set() or status(enrollment) != "active")
    assert status(enrollment) == "replied"
