"""The seed's own examples ("5 Tips For Emailing CEOs") are the first spec."""

from touchbase.coach import review

from .spec import FORWARDED, fired

BAD_EMAIL = (
    "Hi John, I’m writing to setup some time with you on Wednesday or Thursday of this week. I am "
    "participating in our company's board presentation this week and we are trying to lock down a couple "
    "of pieces of information about our potential partnership. I know that you are extremely busy, but It "
    "would be greatly appreciated if you could spare a few minutes so that we can discuss the details of "
    "our partnership. Please let me know the best way to setup a call. Kind Regards."
)
BETTER_EMAIL = (
    "Hi John, have 5 mins to chat this week? Have a board meeting coming up and need to get on the same "
    "page on two quick things. Thx."
)
FOLLOW_UP = "Hi John, hope all is well. Following up on the below. Thx." + FORWARDED


def test_it_flags_the_bad_email_for_length_throat_clearing_deference_and_the_formal_signoff():
    assert {"length.chars", "pad.opener", "pad.deference", "pad.signoff"} <= fired(BAD_EMAIL)


def test_it_passes_the_better_email_without_a_warning_or_an_error():
    result = review(BETTER_EMAIL, "Board meeting")
    assert [f.rule for f in result.findings if f.severity in ("error", "warning")] == []


def test_it_takes_a_board_meeting_coming_up_as_a_reason_without_the_word_because():
    assert "ask.reason" not in fired(BETTER_EMAIL)


def test_it_raises_nothing_on_the_seed_follow_up_with_the_original_below():
    result = review(FOLLOW_UP, "Fwd: 5 mins this week?", "follow_up")
    assert result.findings == []


def test_it_counts_only_the_follow_up_note_toward_the_countdown():
    result = review(FOLLOW_UP, "Fwd: 5 mins this week?", "follow_up")
    note = "Hi John, hope all is well. Following up on the below. Thx."
    assert result.chars == len(note)
    assert result.countdown == 400 - len(note)


def test_it_shows_the_countdown_and_the_gauges():
    result = review(BETTER_EMAIL, "Board meeting")
    assert result.countdown == 400 - len(BETTER_EMAIL)
    assert result.gauges["chars"] == len(BETTER_EMAIL)
    assert result.gauges["words"] == 28
    assert result.gauges["questions"] == 1
    assert result.gauges["asks"] == 1
    assert result.gauges["grade"] < 5


def test_it_returns_the_json_shape_of_the_catalogue():
    data = review(BAD_EMAIL, "Partnership").to_dict()
    assert set(data) == {"score", "chars", "countdown", "gauges", "findings"}
    assert set(data["gauges"]) == {"chars", "words", "grade", "questions", "asks"}
    assert set(data["findings"][0]) == {"rule", "severity", "field", "start", "end", "message", "suggestion", "replacement"}
    assert 0 <= data["score"] < 100


def test_it_sorts_findings_by_position():
    findings = review(BAD_EMAIL, "Re: partnership").findings
    keys = [(f.field != "subject", f.start) for f in findings]
    assert keys == sorted(keys)
