"""fup.*: "take the initial email and forward it… Hi John, hope all is well. Following up on the below. Thx."."""

import pytest

from .spec import FORWARDED, findings, fired

FUP = "follow_up"
SUBJECT = "Fwd: 5 mins this week?"

OUTLOOK = (
    "\n\n________________________________\nFrom: Dana Reyes <dana@acme.com>\nSent: Monday, June 2, 2025 9:14 AM\n"
    "To: John Park <john@northwind.com>\nSubject: 5 mins this week?\n\nHi John, have 5 mins to chat this week?"
)
APPLE = (
    "\n\nBegin forwarded message:\n\nFrom: Dana Reyes <dana@acme.com>\nSubject: 5 mins\n\nHi John, 5 mins?"
)
QUOTED = "\n\nOn Mon, Jun 2, 2025 at 9:14 AM Dana Reyes <dana@acme.com> wrote:\n> Hi John, 5 mins?\n"


@pytest.mark.parametrize(
    "body",
    [
        "Hi John, hope all is well. Following up on the below. Thx.",
        "Hi John, following up on my email from last week about the Reno launch. Thx.",
        "Hi John, circling back. Worth a call?\n\nThanks,\nDana\n\nDana Reyes\nVP Sales, Acme\n+1 415 555 0100",
    ],
)
def test_it_flags_a_follow_up_without_the_original_below(body):
    assert "fup.forward_missing" in fired(body, SUBJECT, FUP)


@pytest.mark.parametrize("original", [FORWARDED, OUTLOOK, APPLE, QUOTED])
def test_it_finds_the_original_in_gmail_outlook_apple_mail_and_quotes(original):
    assert "fup.forward_missing" not in fired(
        "Hi John, hope all is well. Following up on the below. Thx." + original, SUBJECT, FUP
    )


def test_it_accepts_the_original_given_as_context():
    assert "fup.forward_missing" not in fired(
        "Hi John, following up. Thx.", SUBJECT, FUP, original="Hi John, 5 mins?"
    )


def test_it_suggests_the_seed_template_with_the_first_name():
    (finding,) = findings("Hey Priya, any update?", "fup.forward_missing", SUBJECT, FUP)
    assert "“Hi Priya, hope all is well. Following up on the below. Thx.”" in finding.suggestion
    (finding,) = findings("Any update?", "fup.forward_missing", SUBJECT, FUP, first_name="Lee")
    assert "Hi Lee, hope all is well." in finding.suggestion


@pytest.mark.parametrize(
    "note",
    [
        "Hi John, I wanted to follow up on the email below because we are still very interested in working "
        "together and I think there is a lot we could do for your team this quarter. Thx.",
        "Hi John, following up on the below. Since we last spoke we shipped the Reno integration, added SSO, "
        "and signed two of your competitors, so the timing feels right to revisit. Thx.",
        "Hi John, " + "quick note " * 13,
    ],
)
def test_it_flags_a_follow_up_note_over_25_words(note):
    assert "fup.too_long" in fired(note + FORWARDED, SUBJECT, FUP)


@pytest.mark.parametrize(
    "note",
    [
        "Hi John, hope all is well. Following up on the below. Thx.",
        "Hi John, following up on the below. Still worth a call before your Reno launch? Thx.",
        "John, bringing this back up since the budget review is Friday. Thx.",
    ],
)
def test_it_allows_a_short_follow_up_note_over_a_long_original(note):
    assert "fup.too_long" not in fired(note + FORWARDED * 3, SUBJECT, FUP)


@pytest.mark.parametrize(
    "note",
    [
        "Hi John, did you get my last email? Following up on the below.",
        "Hi John, haven't heard back so following up on the below. Thx.",
        "As per my last email, following up on the below.",
        "Just bumping this. Thx.",
    ],
)
def test_it_flags_nagging(note):
    assert "fup.guilt" in fired(note + FORWARDED, SUBJECT, FUP)


@pytest.mark.parametrize(
    "note",
    [
        "Hi John, hope all is well. Following up on the below. Thx.",
        "Hi John, I heard back from our CFO: pricing holds through June. Following up on the below. Thx.",
        "Hi John, bumped into Ana at the summit. Following up on the below. Thx.",
    ],
)
def test_it_does_not_flag_a_peer_follow_up(note):
    assert "fup.guilt" not in fired(note + FORWARDED, SUBJECT, FUP)
