"""tone.extreme: gushing or hostile; mild tone reads as a peer."""

import pytest

from .spec import fired


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam! Loved your talk! Would be great to connect!",
        "Our amazing, revolutionary platform is a game-changer for teams like yours. Call?",
        "This is unacceptable. Your team promised the contract by Friday. Call me.",
        "Hi Ana, wow!!! Congrats on the raise. Call?",
    ],
)
def test_it_flags_gushing_or_hostile_tone(body):
    assert "tone.extreme" in fired(body)


@pytest.mark.parametrize(
    "body",
    [
        "Hi Sam, congrats on the raise! Worth a call Thursday?",
        "Our platform cut ramp time 40% for Acme. Worth a call?",
        "The contract slipped past Friday. Can we fix the date today?",
    ],
)
def test_it_allows_a_mild_tone(body):
    assert "tone.extreme" not in fired(body)
