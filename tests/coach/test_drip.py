"""drip.has_ask: a drip gives short, interesting information and asks nothing."""

import pytest

from .spec import fired

DRIP = "drip"


@pytest.mark.parametrize(
    "body",
    [
        "Teams that run a mutual plan close 2x more deals. Worth a call to see how?",
        "New data: reps who reply within an hour book 3x more meetings. Let me know if you want the study.",
        "Q3 benchmark: median ramp is 4.5 months. Grab a time here: https://calendly.com/dana/30min",
        "Most forecast misses come from stale close dates. Are you seeing the same on your team?",
    ],
)
def test_it_flags_a_drip_that_asks(body):
    assert "drip.has_ask" in fired(body, subject="Ramp benchmark", kind=DRIP)


@pytest.mark.parametrize(
    "body",
    [
        "Why do forecasts miss? Most teams count stage, not evidence. The fix is a mutual plan.",
        "Teams that reply within an hour book 3x more meetings. The full study: https://example.com/study",
        "Ever wonder why Q4 deals slip? Procurement adds 11 days on average. Plan for it in September.",
    ],
)
def test_it_allows_a_drip_that_only_gives(body):
    assert "drip.has_ask" not in fired(body, subject="Ramp benchmark", kind=DRIP)


def test_it_does_not_apply_to_a_first_touch():
    assert "drip.has_ask" not in fired("Teams close 2x more with a plan. Worth a call? Board meets Friday.")
