"""length.chars (the 400-character countdown) and length.words (past ~125 words)."""

import pytest

from touchbase.coach import review

from .spec import FORWARDED, findings, fired

SENTENCE = "Saw you're opening the Reno site next month and hiring twenty reps for it. "
LONG = "Hi Sam, " + SENTENCE * 6 + "Worth a call Thursday? Thx."


@pytest.mark.parametrize(
    "body",
    [
        LONG,
        "Hi Sam,\n\n"
        + "Your team closes the books in 9 days; ours do it in 3. " * 8
        + "\n\nOpen to a call? Thx.",
        "Hey Ana, " + "x" * 420,
    ],
)
def test_it_flags_own_text_over_400_characters(body):
    assert "length.chars" in fired(body)


def test_it_points_at_the_text_past_the_400th_character():
    (finding,) = findings(LONG, "length.chars")
    assert finding.severity == "error"
    assert (finding.start, finding.end) == (400, len(LONG))


@pytest.mark.parametrize(
    "body, kind",
    [
        ("Hi Sam, worth a call Thursday? Have a renewal coming up. Thx." + FORWARDED * 3, "follow_up"),
        (
            "Hi Sam, "
            + SENTENCE * 4
            + "Worth a call? Thx.\n\n-- \nDana Reyes\nVP Sales, Acme\n"
            + "Ask me about Acme. " * 20,
            "first_touch",
        ),
        ("Big news for anyone hiring reps this year. " * 12, "social"),
    ],
)
def test_it_does_not_count_quotes_signatures_or_social_posts(body, kind):
    assert "length.chars" not in fired(
        body, kind=kind, subject="Fwd: Reno" if kind == "follow_up" else "Reno"
    )


def test_it_counts_a_crlf_newline_as_one_character():
    body = "Hi Sam,\r\n\r\nWorth a call?"
    assert review(body).chars == len("Hi Sam,\n\nWorth a call?")


def test_it_shows_the_countdown_going_negative():
    assert review(LONG).countdown == 400 - len(LONG) < 0


WORDY = (
    "Hi Sam, " + "we help teams like yours close the books in three days, not nine. " * 11 + "Call Thursday?"
)


@pytest.mark.parametrize(
    "body",
    [
        WORDY,
        " ".join(["word"] * 126),
        "Hi Ana,\n\n" + "One two three four five six seven eight nine ten. " * 13,
    ],
)
def test_it_flags_more_than_125_words(body):
    assert "length.words" in fired(body)


@pytest.mark.parametrize(
    "body",
    [
        " ".join(["word"] * 125),
        "Hi Ana, worth a call? " + "— " * 200,
        "Hi Sam, worth a call Thursday?" + FORWARDED * 6,
    ],
)
def test_it_does_not_flag_125_words_or_fewer_of_own_text(body):
    assert "length.words" not in fired(body)
