"""read.grade (Flesch–Kincaid over 8 on 20+ words) and read.long_sentence (over 25 words)."""

import pytest

from touchbase.coach.readability import sentences, syllables

from .spec import findings, fired

COMPLEX = [
    "Hi Sam, our comprehensive organizational transformation methodology facilitates significantly "
    "accelerated implementation of strategic revenue operations initiatives across geographically "
    "distributed commercial organizations. Interested?",
    "Dear Priya, considering the operational complexities associated with international expansion, "
    "our infrastructure optimization capabilities could substantially reduce administrative "
    "overhead. Would a conversation be valuable?",
    "Hi Tom, enterprise procurement organizations increasingly prioritize interoperability, "
    "configurability, and demonstrable return on investment when evaluating communication "
    "platforms. Is that consistent with your experience?",
]
SIMPLE = [
    "Hi Sam, have 5 mins to chat this week? Have a board meeting coming up and need to get on the same "
    "page on two quick things. Thx.",
    "Hi Ana, saw you're hiring ten reps in Reno. We help new reps book their first meeting in week one. "
    "Worth a call Thursday? Thx.",
    "Hi Tom, utilization analytics.",  # long words, but under 20 words
]


@pytest.mark.parametrize("body", COMPLEX)
def test_it_flags_writing_above_grade_8(body):
    assert "read.grade" in fired(body)


@pytest.mark.parametrize("body", SIMPLE)
def test_it_does_not_flag_plain_writing_or_short_notes(body):
    assert "read.grade" not in fired(body)


def test_it_offers_plain_words_for_long_ones():
    (finding,) = findings(COMPLEX[0], "read.grade")
    assert "facilitate" not in finding.suggestion or "→" in finding.suggestion


LONG_SENTENCES = [
    "Hi Sam, we have been working with a number of companies in your space over the last year and we "
    "have found that most of them struggle with the same three problems when they grow past fifty reps. "
    "Call?",
    "I noticed that your team posted four new sales roles this month and I wanted to share how other "
    "teams your size have ramped new reps in half the time without adding managers or tools.",
    "Our platform connects to Salesforce, HubSpot and Pipedrive, syncs every call and email "
    "automatically, and gives each manager a weekly view of which deals moved and which stalled and why.",
]
SHORT_SENTENCES = [
    "Hi Sam, we work with fifty teams in your space. Most struggle with the same three problems. "
    "Worth a call?",
    "Saw four new sales roles on your site. Teams your size ramp new reps in half the time with us.",
    "We sync calls and emails from Salesforce, HubSpot and Pipedrive. Managers see which deals moved.",
]


@pytest.mark.parametrize("body", LONG_SENTENCES)
def test_it_flags_a_sentence_over_25_words(body):
    assert "read.long_sentence" in fired(body)


@pytest.mark.parametrize("body", SHORT_SENTENCES)
def test_it_does_not_flag_sentences_of_25_words_or_fewer(body):
    assert "read.long_sentence" not in fired(body)


def test_it_suggests_the_long_sentence_split_in_two():
    (finding,) = findings(LONG_SENTENCES[1], "read.long_sentence")
    assert finding.suggestion.startswith("Split it in two: “I noticed")
    assert ". " in finding.suggestion


def test_it_does_not_end_a_sentence_at_an_abbreviation_or_a_hard_wrap():
    text = "We met Dr. Patel at the summit, e.g. the panel on churn.\nThanks"
    assert [s.text for s in sentences(text)] == [
        "We met Dr. Patel at the summit, e.g. the panel on churn.",
        "Thanks",
    ]
    wrapped = (
        "We help revenue teams close their books in three days rather than nine and\nkeep every deal honest."
    )
    assert len(sentences(wrapped)) == 1


def test_a_six_letter_abbreviation_does_not_end_a_sentence_at_the_start_or_inside():
    text = "Approx. 20% of teams churn. We cut it to approx. 5% in Sept. of last year. Revolutionary. Done."
    assert [s.text for s in sentences(text)] == [
        "Approx. 20% of teams churn.",
        "We cut it to approx. 5% in Sept. of last year.",
        "Revolutionary.",
        "Done.",
    ]


@pytest.mark.parametrize(
    "word, count", [("cat", 1), ("table", 2), ("meeting", 2), ("organization", 5), ("15", 1)]
)
def test_it_counts_syllables_offline(word, count):
    assert syllables(word) == count


def test_it_ends_a_sentence_after_series_c_but_not_after_an_initial():
    text = "Congrats on the Series C. Finance teams grow fast. We met John F. Kennedy."
    assert [s.text for s in sentences(text)] == [
        "Congrats on the Series C.",
        "Finance teams grow fast.",
        "We met John F. Kennedy.",
    ]
