"""ask.missing, ask.multiple and ask.reason: make it easy to reply, one ask, with its real reason."""

import pytest

from touchbase.coach import review

from .spec import findings, fired, spans


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, saw you're opening the Reno site. We help new sites hire reps fast. Thx.",
        "Hi Ana, congrats on the raise. Our customers cut ramp time in half.",
        "A CFO asked me: 'Why does close take ten days?' We got it to three. Thx.",
    ],
)
def test_it_flags_a_first_touch_with_nothing_to_reply_to(body):
    assert "ask.missing" in fired(body)


@pytest.mark.parametrize(
    "body, kind",
    [
        ("Hi Sam, saw you're opening Reno. Worth a call Thursday?", "first_touch"),
        ("Hi Ana, you're hiring ten reps. Let me know if a ramp plan would help.", "first_touch"),
        ("Thanks Priya, that works. Talk Thursday.", "reply"),
    ],
)
def test_it_accepts_a_question_a_request_or_a_reply_that_closes_the_loop(body, kind):
    assert "ask.missing" not in fired(body, kind=kind)


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, are you free for a call Thursday? Also, could you send me the current vendor list?",
        "Hi Ana, who owns payroll at Acme? And would you be open to a pilot next month?",
        "Hi Tom, can you share last quarter's churn numbers? Separately, are you the right person for "
        "onboarding? Have a board review Friday.",
    ],
)
def test_it_flags_more_than_one_distinct_ask(body):
    assert "ask.multiple" in fired(body)


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, free for a call this week? Tuesday at 2 or Wednesday at 10? Board meets Friday.",
        "Hi Ana, worth a 15-minute call? Does Thursday work? Need to lock budget before the 15th.",
        "Hi Tom, are you the right person for payroll? If not, who should I talk to? Renewal is up in May.",
    ],
)
def test_it_counts_questions_that_only_offer_times_or_options_as_one_ask(body):
    assert "ask.multiple" not in fired(body)


def test_it_suggests_each_ask_as_its_own_short_email():
    (finding,) = findings(
        "Hi Sam, are you free for a call Thursday? Also, could you send me the current vendor list?",
        "ask.multiple",
    )
    assert "Email 1: “Hi Sam, are you free for a call Thursday? Thx.”" in finding.suggestion
    assert "Email 2: “Hi Sam, could you send me the current vendor list? Thx.”" in finding.suggestion


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, do you have 15 minutes to chat this week?",
        "Hi Ana, can we talk Thursday, because I'd like to talk with you?",
        "Hi Tom, I'd love to set up a call so we can discuss. Let me know.",
    ],
)
def test_it_flags_an_ask_without_a_real_reason(body):
    assert "ask.reason" in fired(body)


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, have 5 mins to chat this week? Have a board meeting coming up and need to lock numbers.",
        "Hi Ana, since you're opening the Reno site, worth a call Thursday?",
        "Hi Tom, can we talk Thursday? Need to lock budget before the 15th.",
        "Hi Lee, can we meet Monday so we can ship before your launch?",
        "Hi Kim, worth a call? We helped Acme cut close time by 60%.",
    ],
)
def test_it_accepts_a_real_reason_with_or_without_the_word_because(body):
    assert "ask.reason" not in fired(body)


def test_it_names_a_placebo_because():
    (finding,) = findings("Hi Ana, can we talk Thursday, because I'd like to talk with you?", "ask.reason")
    assert "placebo" in finding.message


def test_it_does_not_count_a_quoted_question_as_an_ask():
    result = review("A CFO asked me: 'Why does close take ten days?' We got it to three.")
    assert result.gauges["asks"] == 0
    assert result.gauges["questions"] == 0


def test_it_marks_the_second_ask():
    body = "Hi Sam, are you free for a call Thursday? Also, could you send me the current vendor list?"
    assert spans(body, "ask.multiple") == ["Also, could you send me the current vendor list?"]


def test_it_counts_two_requests_in_one_sentence_as_two_asks():
    body = "Two next steps: could you send the logs, and could you book time with your plant manager?"
    assert "ask.multiple" in fired(body, kind="reply", subject="Re: pilot")


def test_it_takes_a_number_as_evidence_for_the_ask():
    assert "ask.reason" not in fired("Hi Elena, Corvex saw a 41% drop in stoppages. Worth a call?")


def test_it_reads_an_indirect_request_as_an_ask():
    body = "Hi Marco, checking whether you might be interested in a quick chat about access reviews."
    assert "ask.missing" not in fired(body)


def test_it_counts_let_me_know_if_helpful_as_part_of_the_ask_before_it():
    body = "Hi Devon, I'd love to share how Fifth Street closed their findings in one quarter. Let me know if that's helpful."
    assert "ask.multiple" not in fired(body)


def test_it_does_not_take_the_subject_of_a_question_as_its_reason():
    assert "ask.reason" in fired("Hi Devon, do you know when the contract with Saviynt renews?")


def test_it_does_not_take_the_sellers_trophies_as_a_reason():
    assert "ask.reason" in fired("Hi Wei, we won two awards this year. Would you like a demo?")
