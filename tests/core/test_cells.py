"""One rule for every export: text that a spreadsheet would run becomes plain text."""

import pytest

from touchbase.core.cells import neutralise


@pytest.mark.parametrize("cell", ["=SUM(A1)", "+14155550100", "-2+3", "@cmd", "\tx", "\rx"])
def test_text_that_would_run_gets_an_apostrophe(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("value", [-5, 12.5, None, "Acme", ""])
def test_numbers_and_plain_text_pass_unchanged(value):
    assert neutralise(value) == value
