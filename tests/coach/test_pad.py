"""pad.opener, pad.deference and pad.signoff: "Don't worry about grammar and formalities… Be their equal"."""

import pytest

from .spec import findings, fired, spans


@pytest.mark.parametrize(
    "body, phrase",
    [
        ("Hi Sam, I'm writing to ask about your Reno launch. Worth a call?", "I'm writing to"),
        (
            "Hi Ana,\n\nI hope this email finds you well. Your team grew 40% this year. Call Thursday?",
            "I hope this email finds you well",
        ),
        ("My name is Dana and I run sales at Acme. Saw you're hiring. Worth a chat?", "My name is Dana and"),
        ("Hi Tom, I am reaching out because you're opening Reno. Call?", "I am reaching out"),
        ("Hey Lee, I just wanted to share a quick idea for your launch. Thoughts?", "I just wanted to"),
    ],
)
def test_it_flags_throat_clearing(body, phrase):
    assert phrase in spans(body, "pad.opener")


@pytest.mark.parametrize(
    "body",
    [
        "Hi John, hope all is well. Following up on the below. Thx.",
        "Hi Sam, you're writing the Reno playbook this month. Want our checklist? Thx.",
        "Hi Ana, the name of the game is ramp time. Worth a call?",
    ],
)
def test_it_does_not_flag_a_plain_opening(body):
    assert "pad.opener" not in fired(body)


def test_it_suggests_the_sentence_without_the_throat_clearing():
    (finding,) = findings("Hi Sam, I'm writing to ask about your Reno launch. Worth a call?", "pad.opener")
    assert finding.suggestion == "Delete “I'm writing to”: “Hi Sam, ask about your Reno launch.”"


@pytest.mark.parametrize(
    "body, phrase",
    [
        (
            "Hi John, I know that you are extremely busy, but have 5 mins?",
            "I know that you are extremely busy",
        ),
        ("It would be greatly appreciated if you could send the deck.", "It would be greatly appreciated if"),
        ("Please reply at your earliest convenience.", "at your earliest convenience"),
        ("Sorry to bother you again. Any update?", "Sorry to bother you"),
        ("Don't hesitate to call me.", "Don't hesitate to"),
        ("I was wondering if you had 5 mins.", "I was wondering if"),
        ("Thank you for your time and consideration.", "Thank you for your time and consideration"),
        ("Free Thursday, if you could spare 10 minutes?", "if you could spare"),
    ],
)
def test_it_flags_deferential_padding(body, phrase):
    assert phrase in spans(body, "pad.deference")


@pytest.mark.parametrize(
    "body",
    [
        "Hi John, have 5 mins to chat this week? Have a board meeting coming up. Thx.",
        "Your reps are busy; ours book the meetings for them. Worth a call?",
        "Thanks for your time on Tuesday. Sending the deck now.",
    ],
)
def test_it_does_not_flag_a_peer_tone(body):
    assert "pad.deference" not in fired(body)


def test_it_rewrites_appreciated_if_as_a_plain_question():
    (finding,) = findings("It would be greatly appreciated if you could send the deck.", "pad.deference")
    assert finding.suggestion.endswith("“Could you send the deck.”")


@pytest.mark.parametrize(
    "body, closing",
    [
        ("Hi Sam, worth a call Thursday?\n\nKind regards,\nDana", "Kind regards"),
        ("Worth a call? Sincerely, Dana Reyes", "Sincerely"),
        ("Please let me know the best way to setup a call. Kind Regards.", "Kind Regards"),
        ("Worth a call?\n\nBest regards\nDana\n", "Best regards"),
        ("Worth a call?\n\nYours truly,\nDana", "Yours truly"),
        ("Worth a call?\n\nRespectfully,\nDana", "Respectfully"),
    ],
)
def test_it_flags_a_formal_closing(body, closing):
    assert spans(body, "pad.signoff") == [closing]


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, worth a call Thursday?\n\nThanks,\nDana",
        "Worth a call?\n\nBest,\nDana",
        "Worth a call?\n\nCheers,\nDana",
        "Following up in regards to the Reno launch. Worth a call?",
        "Give my regards to the team in Reno. Worth a call?",
    ],
)
def test_it_accepts_thanks_best_and_cheers(body):
    assert "pad.signoff" not in fired(body)
