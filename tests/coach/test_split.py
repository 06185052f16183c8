"""Own text first: quotes, forwards and signatures are not counted; offsets point into the field as given."""

import pytest

from touchbase.coach import review

from .spec import FORWARDED, spans

NOTE = "Hi Sam, worth a call Thursday? Board meets Friday."


@pytest.mark.parametrize(
    "tail",
    [
        FORWARDED,
        "\n\nOn Tue, Jun 3, 2025 at 10:02 AM Sam Lee <sam@northwind.com> wrote:\n> Send me something.\n",
        "\n\nOn Tue, Jun 3, 2025 at 10:02 AM Sam Lee <\nsam@northwind.com> wrote:\n\n> Send me something.\n",
        "\n\n-----Original Message-----\nFrom: Sam Lee\nSent: Tuesday\nTo: Dana\nSubject: hi\n\nSend me something.",
        "\n\nFrom: Sam Lee <sam@northwind.com>\nSent: Tuesday, June 3, 2025 10:02 AM\nTo: Dana\nSubject: hi\n\nHello.",
        "\n\nBegin forwarded message:\n\nFrom: Sam Lee\nSubject: hi\n\nSend me something.",
        "\n\n-- \nDana Reyes\nVP Sales, Acme\n+1 415 555 0100",
        "\n\nDana Reyes\nVP Sales | Acme\n+1 (415) 555-0100\ndana@acme.com",
        "\n\nSent from my iPhone",
    ],
)
def test_it_counts_only_the_own_text(tail):
    assert review(NOTE + tail).chars == len(NOTE)


def test_it_keeps_a_closing_and_the_name_as_own_text():
    body = NOTE + "\n\nThanks,\nDana"
    assert review(body).chars == len(body)


def test_it_keeps_the_closing_name_but_drops_the_title_and_phone_under_it():
    own = NOTE + "\n\nBest,\nDana Reyes"
    assert review(own + "\nHead of Sales | Acme\n(415) 555-0100").chars == len(own)


def test_it_skips_quoted_lines_between_answers():
    body = (
        "> Can you send pricing?\nYes, attached.\n> And a reference?\nAna at Globex, she expects your call."
    )
    assert review(body, "Re: pricing", "reply").chars == len(
        "Yes, attached.\nAna at Globex, she expects your call."
    )


def test_it_reduces_html_to_text_and_points_into_the_html_as_given():
    body = (
        "<p>Hi Sam,</p><p>I&#39;m writing to ask about <b>Reno</b>. Worth a call?</p><p>Thanks,<br>Dana</p>"
    )
    assert spans(body, "pad.opener") == ["I&#39;m writing to"]


def test_it_does_not_judge_an_html_blockquote():
    body = "<div>Hi Sam, following up on the below. Thx.</div><blockquote>I'm writing to ask. Kind regards</blockquote>"
    result = review(body, "Fwd: Reno", "follow_up")
    assert result.findings == []


def test_it_points_past_crlf_newlines_into_the_field_as_given():
    body = "Hi Sam,\r\n\r\nI'm writing to ask about Reno. Call?"
    assert spans(body, "pad.opener") == ["I'm writing to"]


def test_it_gives_a_sensible_review_of_an_empty_body_only_a_signature_or_only_quotes():
    for body in ["", "   \n", "-- \nDana Reyes\n+1 415 555 0100", "> On Mon, Sam wrote:\n> hi\n"]:
        result = review(body, "Reno")
        assert result.chars == 0
        assert result.countdown == 400
        assert [f.rule for f in result.findings] == ["ask.missing"]


def test_it_gives_the_own_text_of_a_reply_without_quotes_or_signature():
    from touchbase.coach import own_text

    body = "Yes, Thursday works.\r\n\r\nDana\r\n\r\nOn Mon, Sam wrote:\r\n> Thursday?\r\n"
    assert own_text(body) == "Yes, Thursday works.\n\nDana"
    assert own_text("<p>Sounds good.</p><blockquote>Call?</blockquote>") == "Sounds good."
