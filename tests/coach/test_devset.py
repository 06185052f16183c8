"""The labelled development sets stay well-formed, so bench/coach_eval.py measures what it says."""

import json
from pathlib import Path

import pytest

from touchbase.coach import KINDS, RULES

SETS = sorted(Path(__file__).parent.glob("devset*.jsonl"))


@pytest.mark.parametrize("path", SETS, ids=lambda p: p.name)
def test_every_labelled_email_names_known_rules_and_kinds(path):
    ids = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        email = json.loads(line)
        assert email["id"] not in ids
        ids.add(email["id"])
        assert email["kind"] in KINDS
        assert isinstance(email["body"], str) and email["body"]
        assert set(email["expect"]) <= set(RULES), email["id"]


def test_every_rule_has_labelled_examples_that_fire_it():
    labelled = set()
    for path in SETS:
        for line in path.read_text(encoding="utf-8").splitlines():
            labelled |= set(json.loads(line)["expect"])
    assert labelled == set(RULES)
