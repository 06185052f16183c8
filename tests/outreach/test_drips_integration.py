"""A drip on real servers: aiosmtpd takes the mail, Dovecot holds Dana's and Sam's mailboxes.

Piece 1 reaches the A-tier person and not the B-tier one, carries the one-click unsubscribe headers
and the visible link, and Dana's reply, read over IMAP, stops the drip before piece 2.
"""

import re
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from touchbase.crm import services as crm
from touchbase.crm.models import Task
from touchbase.outreach import drips, worker
from touchbase.outreach.models import Enrollment, OutboxMessage
from touchbase.outreach.services import person_for_token, unsubscribe_url
from touchbase.prospecting.models import CompanyFit
from touchbase.prospecting.services import framework_current

from .test_integration import reply, send

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def run(now):
    return worker.run_once(now=now, poll_every=timedelta(0))


def test_a_drip_reaches_the_a_tier_with_unsubscribe_headers_and_a_reply_stops_the_next_piece(
        sam, acme, dana, sams_full_mailbox, dovecot, smtp_server):
    bolt = crm.company_create(actor=sam, name="Bolt Logistics", domain="bolt.example")
    kim = crm.person_create(actor=sam, first_name="Kim", last_name="Park", email="kim@bolt.example", title="COO",
                            company=bolt)
    for company, tier in ((acme, "A"), (bolt, "B")):
        CompanyFit.objects.create(company=company, framework=framework_current(), score=50, tier=tier,
                                  scored_at=timezone.now())
    drip = drips.drip_create(actor=sam, name="Warehouse insights", every_days=15, tier="A")
    for title, subject in (("Bolt story", "How Bolt cut mispicks"), ("Velocity", "Slot by velocity")):
        piece = drips.piece_save(actor=sam, title=title, kind="customer_story", subject=subject,
                                 body="Hi {first_name}, Bolt cut mispicks 30% in six weeks by slotting fast "
                                      "movers by velocity. The write-up is short.")
        drips.drip_add_piece(actor=sam, drip=drip, piece=piece)

    result = drips.drip_enroll(actor=sam, drip=drip, now=TUESDAY_10)
    assert [e.person for e in result.enrolled] == [dana]
    run(TUESDAY_10)

    [received] = dovecot.messages("dana@acme.example")
    assert received["Subject"] == "How Bolt cut mispicks"
    # The signed token carries the second it was made, so compare whose link it is, not the text.
    link = re.fullmatch(r"<(.+/unsubscribe/([^/]+)/)>", received["List-Unsubscribe"])
    assert link and link.group(1).startswith(unsubscribe_url(dana).split("/unsubscribe/")[0])
    assert person_for_token(link.group(2)) == dana
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Unsubscribe: {link.group(1)}" in received.get_content()
    assert kim.email not in {str(m["To"]) for m in smtp_server.messages}

    send(smtp_server, reply(received, body="Interesting. How long did the re-slotting take?"))
    run(TUESDAY_10 + timedelta(minutes=5))
    [enrollment] = Enrollment.objects.filter(drip=drip)
    assert enrollment.status == "replied"
    assert Task.objects.get(owner=sam, person=dana).title == "Dana replied: write back"

    run(TUESDAY_10 + timedelta(days=30))
    sams = [str(m["Subject"]) for m in smtp_server.messages if "sam@example.com" in str(m["From"])]
    assert sams == ["How Bolt cut mispicks"]
    assert OutboxMessage.objects.filter(enrollment=enrollment).count() == 1
