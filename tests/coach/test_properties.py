"""On any text at all, `review` answers and every span lies inside its field."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchbase.coach import KINDS, review

EMAILISH = st.sampled_from(
    [
        "Hi {{first_name}}, ",
        "I'm writing to ",
        "Kind regards,\n",
        "> quoted\n",
        "-- \n",
        "<p>",
        "</p>",
        "&amp;",
        "\r\n",
        "!!",
        "URGENT ",
        "https://calendly.com/x ",
        "because ",
        "? ",
        ". ",
        "\n\n",
        "On Mon, Sam wrote:\n",
        "---------- Forwarded message ---------\n",
        "From: a\nSent: b\n",
        "😀",
        "שלום ",
        "مرحبا ",
        "\u200f",
        "\u0301",
        "[COMPANY NAME]",
        "%FIRSTNAME%",
        "<company>",
        "`code {x}`",
        "\t",
        "\x00",
    ]
)
TEXT = st.one_of(st.text(), st.lists(st.one_of(EMAILISH, st.text(max_size=12)), max_size=60).map("".join))


def _check(body, subject, kind):
    result = review(body, subject, kind)
    assert 0 <= result.score <= 100
    assert result.countdown == 400 - result.chars
    for finding in result.findings:
        text = body if finding.field == "body" else subject
        assert 0 <= finding.start <= finding.end <= len(text)
        assert finding.message and finding.suggestion
        if finding.replacement is not None:
            # The edit stays in the field and takes at least the finding's own span.
            assert 0 <= finding.replacement.start <= finding.start <= finding.end <= finding.replacement.end
            assert finding.replacement.end <= len(text)
    result.to_dict()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=TEXT, subject=st.one_of(st.none(), TEXT), kind=st.sampled_from(KINDS))
def test_it_never_raises_and_every_span_and_replacement_lies_inside_its_field(body, subject, kind):
    _check(body, subject, kind)


def test_it_handles_a_megabyte_of_text():
    line = "Hi Sam, I'm writing to ask 😀 about שלום [COMPANY NAME] because URGENT!! Call? Kind regards,\n"
    body = line * (1_000_000 // len(line))
    _check(body, "Re: " + "word " * 50, "first_touch")


def test_it_handles_a_megabyte_without_spaces_or_newlines():
    _check("!" * 1_000_000, "x", "drip")
    _check("a" * 1_000_000, "", "social")


def test_it_reads_a_one_line_paste_full_of_brackets_and_fields_in_linear_time():
    # Each field once looked at its whole line: a one-line megabyte of fields took minutes.
    _check("Hi [First Name], <company> %X% {{x}} [a] " * 25_000, "Hi", "first_touch")
