"""subject.missing, subject.length and subject.fake_thread."""

import pytest

from touchbase.coach import review

from .spec import FORWARDED, findings, fired

BODY = "Hi Sam, worth a call Thursday? Board meets Friday."


@pytest.mark.parametrize("subject", ["", "   ", "\t\n", "Fwd:"])
def test_it_flags_an_empty_subject(subject):
    assert "subject.missing" in fired(
        BODY, subject=subject, kind="follow_up" if subject == "Fwd:" else "first_touch"
    )


@pytest.mark.parametrize(
    "subject, kind",
    [("Reno", "first_touch"), ("Fwd: 5 mins this week?", "follow_up"), ("Re: pricing", "reply")],
)
def test_it_accepts_any_real_subject(subject, kind):
    assert "subject.missing" not in fired(BODY + FORWARDED, subject=subject, kind=kind)


def test_it_skips_subject_rules_for_a_social_post_or_no_subject_given():
    assert not {"subject.missing"} & fired(
        "Our take on ramp time: https://x.com/a", subject="", kind="social"
    )
    assert "subject.missing" not in fired(BODY, subject=None)


def test_it_suggests_the_forwarded_subject_for_a_follow_up():
    (finding,) = findings(
        "Hi John, following up on the below. Thx." + FORWARDED,
        "subject.missing",
        subject="",
        kind="follow_up",
    )
    assert finding.suggestion == "Keep the forward's subject: “Fwd: 5 mins this week?”"
    assert (finding.field, finding.start, finding.end) == ("subject", 0, 0)


@pytest.mark.parametrize(
    "subject",
    [
        "Quick question about your plans for the Reno site",
        "Following up on our conversation from last week",
        "Re: an idea to help your team ramp faster",
    ],
)
def test_it_flags_a_subject_over_5_words(subject):
    assert "subject.length" in fired(BODY, subject=subject, kind="reply")


@pytest.mark.parametrize("subject", ["Reno launch", "Ramp plan for Reno", "Fwd: Ramp plan for Reno hires"])
def test_it_accepts_short_subjects_and_ignores_the_fwd_prefix(subject):
    assert "subject.length" not in fired(BODY + FORWARDED, subject=subject, kind="follow_up")


@pytest.mark.parametrize(
    "subject", ["Re: Reno launch", "RE: RE: pricing", "Fwd: quick idea", "FW: deck", "fw:deck"]
)
def test_it_flags_a_fake_thread_on_a_first_email(subject):
    result = review(BODY, subject)
    (finding,) = [f for f in result.findings if f.rule == "subject.fake_thread"]
    assert finding.severity == "error"
    assert subject[finding.start : finding.end].strip().lower().startswith(("re", "fw"))


@pytest.mark.parametrize(
    "subject, kind",
    [
        ("Re: Reno launch", "reply"),
        ("Fwd: quick idea", "follow_up"),
        ("Reply rates in Reno", "first_touch"),
        ("Freight costs", "first_touch"),
    ],
)
def test_it_allows_re_and_fwd_on_real_threads_and_words_that_start_alike(subject, kind):
    assert "subject.fake_thread" not in fired(BODY + FORWARDED, subject=subject, kind=kind)
