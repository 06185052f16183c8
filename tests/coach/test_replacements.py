"""A finding's `replacement` is the fix as a literal edit: applied to its field, the finding is gone.

`replacement` is `{start, end, text}` in code points into the field as given;
it may cover more than the finding's span (a stray comma, a full stop, the
next word's capital) and is None where the fix is not a rewrite.
"""

import json
from pathlib import Path

import pytest

from touchbase.coach import Replacement, review

from .spec import findings

SETS = sorted(Path(__file__).parent.glob("devset*.jsonl"))
EMAILS = [json.loads(line) for path in SETS for line in path.read_text(encoding="utf-8").splitlines()]


def fixed(body, rule, subject="Board meeting", kind="first_touch", **context):
    """The body with the first finding of `rule` fixed by its replacement."""
    finding = findings(body, rule, subject=subject, kind=kind, **context)[0]
    assert finding.field == "body"
    return finding.replacement.apply(body)


def _count(result, rule):
    return sum(1 for f in result.findings if f.rule == rule)


def test_applying_each_replacement_on_the_labelled_emails_removes_its_finding():
    applied = 0
    for email in EMAILS:
        fields = {"body": email["body"], "subject": email["subject"]}
        before = review(email["body"], email["subject"], email["kind"])
        for finding in before.findings:
            if finding.replacement is None:
                continue
            edited = dict(fields, **{finding.field: finding.replacement.apply(fields[finding.field])})
            after = review(edited["body"], edited["subject"], email["kind"])
            assert _count(after, finding.rule) < _count(before, finding.rule), (email["id"], finding)
            applied += 1
    assert applied >= 60  # the sets hold enough rewrites for this to mean something


def test_a_replacement_covers_its_finding_and_lies_inside_its_field():
    for email in EMAILS:
        fields = {"body": email["body"], "subject": email["subject"]}
        for finding in review(email["body"], email["subject"], email["kind"]).findings:
            r = finding.replacement
            if r is not None:
                assert 0 <= r.start <= finding.start <= finding.end <= r.end <= len(fields[finding.field])


def test_a_fix_that_is_not_a_rewrite_has_no_replacement():
    result = review("We cut onboarding time for ops teams. " * 15, "", "first_touch")
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["length.chars"].replacement is None
    assert by_rule["subject.missing"].replacement is None
    assert by_rule["ask.missing"].replacement is None


def test_it_is_in_the_json_as_an_object_or_null():
    data = review("Hi Sam, I'm writing to ask about Reno. Worth a call?", "").to_dict()
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert by_rule["pad.opener"]["replacement"] == {"start": 8, "end": 23, "text": ""}
    assert by_rule["subject.missing"]["replacement"] is None


def test_offsets_count_code_points_so_an_emoji_is_one():
    body = "🚀🎉 Hi Dana 👋, I hope this email finds you well. Worth a call Thursday since Reno opens soon?"
    (finding,) = findings(body, "pad.opener")
    assert finding.replacement == Replacement(14, 48, "")
    assert finding.replacement.apply(body) == "🚀🎉 Hi Dana 👋, Worth a call Thursday since Reno opens soon?"


# The rewrites the panel engineer found wrong.


def test_deleting_a_whole_sentence_opener_after_a_greeting_takes_its_full_stop():
    body = "Hi Dana 👋, I hope this email finds you well. Worth a call Thursday?"
    assert fixed(body, "pad.opener") == "Hi Dana 👋, Worth a call Thursday?"
    (finding,) = findings(body, "pad.opener")
    assert ", ." not in finding.suggestion
    assert finding.suggestion.endswith("“Hi Dana 👋, Worth a call Thursday?”")


def test_deleting_a_first_sentence_takes_the_blank_line_under_it():
    body = "I hope this email finds you well.\n\nYour team grew 40% this year. Call Thursday?"
    assert fixed(body, "pad.opener") == "Your team grew 40% this year. Call Thursday?"


def test_deleting_a_sentence_on_its_own_line_keeps_the_paragraphs():
    body = "Hi Ana,\n\nI hope this email finds you well. Your team grew 40% this year. Call Thursday?"
    assert fixed(body, "pad.opener") == "Hi Ana,\n\nYour team grew 40% this year. Call Thursday?"


@pytest.mark.parametrize(
    "body",
    [
        "Hi Bruno, I hope you are doing well. Your Lisbon opening is in July.",
        "Hi Bruno, I really hope you are doing well. Your Lisbon opening is in July.",
        "Hi Bruno, I do hope you're doing well. Your Lisbon opening is in July.",
    ],
)
def test_the_span_of_hope_you_are_doing_well_takes_its_i(body):
    (finding,) = findings(body, "pad.opener")
    assert body[finding.start : finding.end].startswith("I ")
    assert fixed(body, "pad.opener") == "Hi Bruno, Your Lisbon opening is in July."
    assert "“Hi Bruno, I" not in finding.suggestion


def test_a_rewrite_in_mid_sentence_starts_in_lower_case():
    body = "Hi John, I know you are busy, but it would be greatly appreciated if you could spare 5 minutes."
    finding = [f for f in findings(body, "pad.deference") if "appreciated" in body[f.start : f.end]][0]
    assert finding.replacement.apply(body) == "Hi John, I know you are busy, but could you spare 5 minutes."
    assert "but Could" not in finding.suggestion


def test_a_rewrite_at_a_sentence_start_keeps_its_capital():
    body = "It would be greatly appreciated if you could send the deck. Board meets Friday."
    assert fixed(body, "pad.deference") == "Could you send the deck. Board meets Friday."


def test_deleting_an_opener_after_a_greeting_takes_the_dangling_but():
    body = "Hi John, I know that you are extremely busy, but have 5 mins this week?"
    assert fixed(body, "pad.deference") == "Hi John, have 5 mins this week?"


def test_deleting_the_first_words_of_a_sentence_capitalises_the_next():
    body = "Maybe it is a bit early, but I think there is a fit. Worth a call?"
    assert fixed(body, "peer.hedges") == "It is a bit early, but I think there is a fit. Worth a call?"


def test_deleting_a_word_in_mid_sentence_leaves_one_space():
    body = "Maybe it is a bit early, but I think there is a fit. Worth a call?"
    hedges = findings(body, "peer.hedges")
    assert [h.replacement.apply(body) for h in hedges[1:]] == [
        "Maybe it is early, but I think there is a fit. Worth a call?",
        "Maybe it is a bit early, but there is a fit. Worth a call?",
    ]


def test_a_formal_closing_becomes_thx_without_its_comma():
    assert fixed("Worth a call?\n\nKind regards,\nDana", "pad.signoff") == "Worth a call?\n\nThx.\nDana"
    assert fixed("Please let me know the best way to setup a call. Kind Regards.", "pad.signoff") == (
        "Please let me know the best way to setup a call. Thx."
    )


def test_a_long_rewrite_is_shortened_in_the_message_but_whole_in_the_replacement():
    body = (
        "Hi Dana, I know that you are extremely busy, but it would be greatly appreciated if you could spare "
        "a few minutes so that we can discuss the details of our partnership before the board meets."
    )
    finding = [f for f in findings(body, "pad.deference") if "appreciated" in body[f.start : f.end]][0]
    assert "…”" in finding.suggestion
    assert finding.replacement.apply(body).endswith("could you spare a few minutes so that we can discuss "
                                                    "the details of our partnership before the board meets.")


def test_a_fake_thread_prefix_is_dropped_from_the_subject():
    subject = "Re: Re: Reno launch"
    (finding,) = [f for f in review("Worth a call?", subject).findings if f.rule == "subject.fake_thread"]
    assert finding.replacement.apply(subject) == "Reno launch"


def test_a_merge_field_is_filled_when_the_name_is_known_and_left_alone_when_not():
    body = "Hi {{first_name}}, worth a call about Reno? Board meets Friday."
    assert fixed(body, "merge.unfilled", first_name="Sam") == "Hi Sam, worth a call about Reno? Board meets Friday."
    (unknown,) = findings(body, "merge.unfilled")
    assert unknown.replacement is None


def test_an_edit_over_html_markup_is_not_offered():
    body = "<p>Hi Sam, I hope this <b>email</b> finds you well. Worth a call?</p>"
    (finding,) = findings(body, "pad.opener")
    assert finding.replacement is None


def test_deleting_a_nag_takes_its_subject_and_the_dangling_so():
    body = "Hi Sam, I haven't heard back, so following up on the below. Thx.\n\nOn Mon, Dana wrote:\n> Hi"
    assert fixed(body, "fup.guilt", kind="follow_up").startswith("Hi Sam, following up on the below. Thx.")


def test_deleting_an_adjective_from_a_list_takes_its_comma():
    body = "Hi Sam, our incredibly powerful, revolutionary platform is an amazing fit. Worth a call?"
    edits = [f.replacement.apply(body) for f in findings(body, "tone.extreme")]
    assert "Hi Sam, our incredibly powerful platform is an amazing fit. Worth a call?" in edits


def test_a_phrase_is_matched_at_its_longest_so_the_rewrite_reads():
    body = "Hi Mei, I was wondering if you could point me to whoever runs scheduling? Board meets Friday."
    assert fixed(body, "pad.deference") == "Hi Mei, could you point me to whoever runs scheduling? Board meets Friday."
    body = "Hi Mei, would you be so kind as to point me to whoever runs scheduling? Board meets Friday."
    assert fixed(body, "pad.deference") == "Hi Mei, could you point me to whoever runs scheduling? Board meets Friday."
