"""The phrase notation in phrases.py compiles to what a reader expects."""

import re

from touchbase.coach import phrases
from touchbase.coach.patterns import Phrases, Scan, phrase_regex


def test_it_reads_choices_options_gaps_and_apostrophes():
    found = Phrases(["I know (that) [you're/you are] (very) busy", "My name is … and"]).find(
        Scan("Hi, I know you’re very busy. My name is Dana Reyes and I sell.")
    )
    assert [phrase for _, _, phrase in found] == [
        "I know (that) [you're/you are] (very) busy",
        "My name is … and",
    ]


def test_it_matches_whole_words_only():
    assert Phrases(["just"]).find(Scan("We adjust the plan")) == []


def test_no_phrase_glues_a_bracket_to_a_word():
    # "you['re/ are]" would need a space before 're: write "[you're/you are]" instead.
    for name in dir(phrases):
        value = getattr(phrases, name)
        if isinstance(value, (list, dict)):
            for phrase in value:
                assert not re.search(r"\w[\[(]", phrase), (name, phrase)
                re.compile(phrase_regex(phrase))
