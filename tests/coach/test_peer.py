"""peer.hedges and peer.self_focus: write like you're writing to a peer, about their world."""

import pytest

from .spec import fired, spans


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, maybe we could perhaps find time next week? Thx.",
        "I think this is a bit of a fit for your team. Worth a call?",
        "Just a thought: possibly worth a call? Sort of a long shot.",
    ],
)
def test_it_flags_two_or_more_hedges(body):
    assert "peer.hedges" in fired(body)


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, maybe worth a call Thursday? Your Reno launch is close.",
        "We just launched the Reno integration; your team asked for it. Call Thursday?",
        "Just like your Denver team, Reno is hiring. Just in time for Q3. Worth a call?",
    ],
)
def test_it_allows_one_hedge_and_just_as_in_recently_or_exactly(body):
    assert "peer.hedges" not in fired(body)


def test_it_points_at_each_hedge():
    assert spans("I think this is a bit of a fit. Maybe a call?", "peer.hedges") == [
        "I think",
        "a bit",
        "Maybe",
    ]


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam,\n\nI run sales at Acme. Your team is hiring in Reno. Worth a call?",
        "My team built a new payroll tool. Worth a look?",
        "We help SaaS companies close books faster. Call?",
        "Hi Ana, quick one. Our product is great, our team is great, we love our customers and our "
        "customers love us. Call?",
    ],
)
def test_it_flags_an_email_about_the_seller(body):
    assert "peer.self_focus" in fired(body)


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, your team is hiring in Reno. I can help you ramp them. Worth a call?",
        "Hi Ana, saw your post on churn. We cut it 20% for Acme. Your numbers look similar. Call?",
        "Hi John, hope all is well. Following up on the below. Thx.",
    ],
)
def test_it_does_not_flag_an_email_about_the_reader(body):
    assert "peer.self_focus" not in fired(body)


def test_it_reads_the_first_sentence_after_the_greeting():
    assert spans("Hi Sam, I run sales at Acme. Worth a call?", "peer.self_focus") == ["I"]


def test_it_reads_past_a_greeting_to_an_unfilled_field():
    assert "peer.self_focus" in fired("Hi {{first_name}},\n\nI run sales at Acme. Worth a call?")
