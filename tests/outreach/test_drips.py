"""Drips: a library of pieces coached in `drip` kind, drips sent on a cadence to a tier or to people picked by hand.

The worker runs them like sequences (same outbox, caps, headers and stop rules); these tests pin what is
the drips' own: the coach on save and before send, who is on the list, who is refused and why, the
cadence, a drip waiting while its person is in a sequence, and what a person's page says they got.
"""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from touchbase.crm import services as crm
from touchbase.outreach import drips, worker
from touchbase.outreach.models import Enrollment, OutboxMessage, OutboxState
from touchbase.outreach.services import person_unsubscribe, sequence_enroll
from touchbase.prospecting.models import CompanyFit
from touchbase.prospecting.services import framework_current

TUESDAY_10 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
GIVE = "Hi {first_name}, Bolt cut mispicks 30% in six weeks by slotting fast movers by velocity. The write-up is short."
ASK = "Hi {first_name}, Bolt cut mispicks 30% by slotting fast movers by velocity. Worth a call Tuesday to compare?"
TOO_LONG = "We looked at how forty warehouses slot their fast movers. " * 12


def tier(company, letter):
    CompanyFit.objects.update_or_create(company=company, defaults={
        "framework": framework_current(), "score": {"A": 90, "B": 60, "C": 20}[letter], "tier": letter,
        "scored_at": timezone.now()})


@pytest.fixture
def bolt(sam):
    return crm.company_create(actor=sam, name="Bolt Logistics", domain="bolt.example")


@pytest.fixture
def kim(sam, bolt):
    return crm.person_create(actor=sam, first_name="Kim", last_name="Park", email="kim@bolt.example",
                             title="COO", company=bolt)


@pytest.fixture
def story(sam):
    return drips.piece_save(actor=sam, title="Bolt slotting", kind="customer_story",
                            subject="How Bolt cut mispicks", body=GIVE, link="https://example.com/bolt")


@pytest.fixture
def a_drip(sam, story, acme, bolt, sams_mailbox):
    """Sam's drip to his A-tier companies: Acme is A, Bolt is B."""
    tier(acme, "A")
    tier(bolt, "B")
    drip = drips.drip_create(actor=sam, name="Warehouse insights", every_days=15, tier="A")
    drips.drip_add_piece(actor=sam, drip=drip, piece=story)
    return drip


def run(now):
    return worker.run_once(now=now)


# The library and the coach


def test_a_piece_is_reviewed_in_drip_kind_when_saved(story):
    assert story.coach_review["countdown"] > 0
    assert not story.coach_blocked and not story.has_ask


def test_a_piece_with_an_ask_is_flagged_but_not_held(sam):
    piece = drips.piece_save(actor=sam, title="Bolt, asking", subject="How Bolt cut mispicks", body=ASK)
    assert piece.has_ask and "drip.has_ask" in piece.coach_rules
    assert not piece.coach_blocked


def test_a_coach_error_holds_the_piece_and_fixing_it_lifts_the_hold(sam, story):
    piece = drips.piece_save(actor=sam, piece=story, title=story.title, subject=story.subject, body=TOO_LONG)
    assert piece.coach_blocked and "length.chars" in piece.coach_rules
    piece = drips.piece_save(actor=sam, piece=story, title=story.title, subject=story.subject, body=GIVE)
    assert not piece.coach_blocked


def test_an_unknown_merge_field_is_refused_naming_it_and_nothing_is_saved(sam):
    with pytest.raises(ValidationError) as error:
        drips.piece_save(actor=sam, title="Typo", subject="Slotting", body="Hi {frist_name}, a short read.")
    assert "{frist_name}" in error.value.message_dict["body"][0]
    assert not drips.Piece.objects.filter(title="Typo").exists()


def test_only_the_author_or_a_manager_changes_a_piece(ravi, maya, story):
    with pytest.raises(PermissionDenied):
        drips.piece_save(actor=ravi, piece=story, title="Mine now", subject="x", body=GIVE)
    assert drips.piece_save(actor=maya, piece=story, title="Edited", subject=story.subject, body=GIVE).title == "Edited"


# The list and who is refused


def test_the_list_is_the_owners_companies_of_the_tier_and_people_picked_by_hand(sam, a_drip, dana, kim):
    assert list(drips.drip_audience(a_drip)) == [dana]
    drips.drip_pick(actor=sam, drip=a_drip, people=[kim])
    assert set(drips.drip_audience(a_drip)) == {dana, kim}


def test_enrolling_the_list_starts_the_a_tier_and_says_why_others_are_not(sam, a_drip, dana, acme):
    lee = crm.person_create(actor=sam, first_name="Lee", last_name="Wong", email="lee@acme.example", company=acme)
    person_unsubscribe(person=lee)
    nobody = crm.person_create(actor=sam, first_name="Noor", last_name="Ali", company=acme)
    result = drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10)
    assert [e.person for e in result.enrolled] == [dana]
    assert dict(result.refused) == {lee: "Lee Wong opted out of email.", nobody: "Noor Ali has no email address."}


def test_a_drip_reaches_a_person_once(sam, a_drip, dana):
    drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10)
    again = drips.drip_enroll(actor=sam, drip=a_drip, people=[dana], now=TUESDAY_10)
    assert again.enrolled == [] and again.refused == [(dana, "Dana Reyes is already getting “Warehouse insights”.")]


def test_starting_the_list_again_only_starts_newcomers_and_is_quiet_about_the_rest(sam, a_drip, dana, acme):
    drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10)
    lee = crm.person_create(actor=sam, first_name="Lee", last_name="Wong", email="lee@acme.example", company=acme)
    again = drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10)
    assert [e.person for e in again.enrolled] == [lee] and again.refused == []


def test_the_drip_command_lists_drips_and_starts_one_for_its_list(sam, a_drip, dana):
    out = StringIO()
    call_command("drip", "run", "Warehouse insights", "--dry-run", stdout=out)
    assert out.getvalue() == "would start\tdana@acme.example\n" and not Enrollment.objects.exists()
    out = StringIO()
    call_command("drip", "run", "Warehouse insights", stdout=out)
    assert out.getvalue().startswith("started\tdana@acme.example\tfirst piece due ")
    assert out.getvalue().endswith("1 started, 0 not.\n")
    out = StringIO()
    call_command("drip", "list", stdout=out)
    assert out.getvalue() == ("Warehouse insights\tsam@example.com\ttier A\tevery 15 business days\t1 pieces"
                              "\t1 getting it\t0 replied\n")


def test_the_drip_command_names_an_unknown_drip(db):
    with pytest.raises(CommandError, match="No drip named 'Nope'"):
        call_command("drip", "run", "Nope")


def test_a_drip_without_pieces_cannot_start(sam, sams_mailbox):
    drip = drips.drip_create(actor=sam, name="Empty", tier="A")
    with pytest.raises(ValidationError, match="no pieces yet"):
        drips.drip_enroll(actor=sam, drip=drip)


def test_a_drips_sequence_cannot_be_used_as_a_sequence(sam, a_drip, dana):
    with pytest.raises(ValidationError, match="runs a drip"):
        sequence_enroll(actor=sam, sequence=a_drip.sequence, people=[dana])


def test_only_the_owner_or_a_manager_runs_a_drip(ravi, a_drip):
    with pytest.raises(PermissionDenied):
        drips.drip_enroll(actor=ravi, drip=a_drip)


# Sending on the cadence


def test_pieces_go_one_by_one_every_n_business_days(sam, a_drip, dana, smtp_server):
    second = drips.piece_save(actor=sam, title="Slotting PoV", kind="point_of_view", subject="Slot by velocity",
                              body="Hi {first_name}, most warehouses slot by SKU number. Velocity wins.")
    drips.drip_add_piece(actor=sam, drip=a_drip, piece=second)
    [enrollment] = drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10).enrolled
    run(TUESDAY_10)
    assert [m["Subject"] for m in smtp_server.messages] == ["How Bolt cut mispicks"]
    enrollment.refresh_from_db()
    # 15 business days after Tuesday 1 December: Tuesday 22 December, same time of day.
    assert enrollment.due_at == datetime(2026, 12, 22, 10, 0, tzinfo=UTC)
    run(enrollment.due_at - timedelta(hours=1))
    assert len(smtp_server.messages) == 1
    run(enrollment.due_at)
    assert [m["Subject"] for m in smtp_server.messages] == ["How Bolt cut mispicks", "Slot by velocity"]
    assert Enrollment.objects.get(pk=enrollment.pk).status == "finished"


def test_the_link_goes_below_the_text_with_the_unsubscribe_link(sam, a_drip, dana, smtp_server):
    drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10)
    run(TUESDAY_10)
    [sent] = smtp_server.messages
    body = sent.get_content()
    assert body.startswith("Hi Dana, Bolt cut mispicks")
    assert "https://example.com/bolt" in body and "Unsubscribe: http" in body
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_piece_broken_after_the_drip_started_is_held_by_the_coach_before_send(sam, a_drip, story, dana,
                                                                                smtp_server):
    [enrollment] = drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10).enrolled
    drips.piece_save(actor=sam, piece=story, title=story.title, subject=story.subject, body=TOO_LONG)
    run(TUESDAY_10)
    assert smtp_server.messages == []
    enrollment.refresh_from_db()
    assert enrollment.held_reason.startswith("Held by the coach") and "length.chars" in enrollment.held_reason
    drips.piece_save(actor=sam, piece=story, title=story.title, subject=story.subject, body=GIVE)
    run(TUESDAY_10 + timedelta(minutes=1))
    assert len(smtp_server.messages) == 1


def test_a_drip_waits_while_its_person_is_in_a_sequence(sam, a_drip, reno, dana, smtp_server):
    [in_sequence] = sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10).enrolled
    [in_drip] = drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10).enrolled
    run(TUESDAY_10)
    assert [m["Subject"] for m in smtp_server.messages] == ["Reno picking"]
    assert Enrollment.objects.get(pk=in_drip.pk).held_reason == "Waits while Dana Reyes is in “Reno picking”."


def test_unsubscribing_stops_the_drip_too(sam, a_drip, dana, smtp_server):
    [enrollment] = drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10).enrolled
    person_unsubscribe(person=dana)
    run(TUESDAY_10)
    assert smtp_server.messages == []
    assert Enrollment.objects.get(pk=enrollment.pk).status == "unsubscribed"


# What a person got


def test_a_person_shows_the_drips_they_got_and_whether_gives_outnumber_asks(sam, a_drip, dana, smtp_server):
    drips.drip_enroll(actor=sam, drip=a_drip, now=TUESDAY_10)
    run(TUESDAY_10)
    [got] = drips.drips_received(dana)
    assert (got.drip, got.subject, got.sent_at) == ("Warehouse insights", "How Bolt cut mispicks", TUESDAY_10)
    tally = drips.asks_and_gives(dana)
    assert (tally.asks, tally.gives, tally.gives_outnumber_asks) == (0, 1, True)


def test_sequence_emails_with_an_ask_count_as_asks(sam, reno, dana, smtp_server, sams_mailbox):
    sequence_enroll(actor=sam, sequence=reno, people=[dana], now=TUESDAY_10)
    run(TUESDAY_10)
    assert OutboxMessage.objects.get().state == OutboxState.SENT
    tally = drips.asks_and_gives(dana)
    assert (tally.asks, tally.gives, tally.gives_outnumber_asks) == (1, 0, False)
