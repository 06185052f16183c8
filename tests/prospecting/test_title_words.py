"""A title criterion tests each title with one regular expression for all its words; it must find
exactly what a separate test per word found, in Python and in the database's SQL alike."""

import re

import pytest
from django.db import connection

from touchbase.crm.models import Company, Person
from touchbase.prospecting import selectors
from touchbase.prospecting.framework import DEFAULT_CRITERIA, Scorer, title_word

TITLES = ["VP, Sales", "SVP/VP Ops", "MVP engineer", "Head of Growth", "Headhunter", "head  of sales", "PRÉSIDENT",
          "Vice-President", "VICE\tPRESIDENT", "Directrice", "CEO & Founder", "co-founder", "Founder/CEO", "cto.",
          "C.E.O.", "Chief (acting)", "vp_sales", "Sales 100%", "vp", "ceos", "x-vp-x", "Head of", "head ofsales",
          "Dírector", "İnstitute Director", "Senior Software Engineer", "Office Manager", "Analyst", "cfo\n",
          " coo ", "Vice President of Sales", "VP Sales EMEA", "2nd director", "director2"]
WORD_LISTS = [
    next(c["words"] for c in DEFAULT_CRITERIA if c["kind"] == "title_words"),
    [title_word(w) for w in ["vp", "Head  of", "100%", "C.E.O.", "président", "vp sales", "vp_sales", "director2"]],
    ["engineer"],
]


def one_per_word(words: list[str]) -> list[str]:
    """The regular expressions of the earlier rule: one for each word, a title meets any of them."""
    return ["(^|[^a-z0-9])" + "[^a-z0-9]".join(word.split()) + "([^a-z0-9]|$)" for word in words]


@pytest.mark.parametrize("words", WORD_LISTS)
def test_the_scorer_finds_what_a_test_per_word_found(words):
    scorer = Scorer([{"key": "senior", "kind": "title_words", "words": words, "points": 1}], 1, 1)
    separate = [re.compile(pattern) for pattern in one_per_word(words)]
    for title in TITLES:
        expected = any(pattern.search(title.lower()) for pattern in separate)
        assert bool(scorer.title_mask(title)) == expected, title


@pytest.mark.django_db
@pytest.mark.parametrize("words", WORD_LISTS)
def test_the_sql_condition_finds_what_a_test_per_word_found(words):
    companies = Company.objects.bulk_create([Company(name=title) for title in TITLES])
    Person.objects.bulk_create([Person(first_name="P", title=c.name, company=c) for c in companies])
    if connection.vendor == "postgresql":
        separate = " OR ".join(["LOWER(p.title) ~ %s"] * len(words))
        separate_params = one_per_word(words)
    else:
        # The GLOBs SQLite used before, over the title padded with spaces.
        separate = " OR ".join(["(' ' || LOWER(p.title) || ' ') GLOB %s"] * len(words))
        separate_params = ["*[^a-z0-9]" + "[^a-z0-9]".join(word.split()) + "[^a-z0-9]*" for word in words]
    params: list = []
    combined = selectors._condition({"kind": "title_words", "words": words}, params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c.name, {combined}, EXISTS (SELECT 1 FROM crm_person p WHERE p.company_id = c.id "
                       f"AND ({separate})) FROM crm_company c ORDER BY c.id", [*params, *separate_params])
        rows = cursor.fetchall()
    assert len(rows) == len(TITLES)
    for name, now, before in rows:
        assert bool(now) == bool(before), name
    assert any(now for _name, now, _before in rows)
