"""Targets typed badly get a sentence that says what is wrong, never a database error."""

import pytest

from touchbase.metrics.models import Target


@pytest.mark.parametrize("measure, amount, currency, says", [
    ("touches", "-5", "", "A target cannot be below zero."),
    ("won_value", "-120,000", "USD", "cannot be negative"),
    ("touches", "99999999999999999999999", "", "99999999999999999999999 is more than a target can hold."),
    ("won_value", "999999999999999999", "USD", "999999999999999999 is more than a target can hold."),
    ("touches", "lots", "", "'lots' is not a whole number."),
])
def test_a_target_out_of_range_is_refused_with_a_sentence(client_for, maya, measure, amount, currency, says):
    response = client_for(maya).post("/reports/targets/", {
        "measure": measure, "period": "week", "amount": amount, "currency": currency, "starts_on": "2026-11-02"})
    assert response.status_code == 400
    assert says in response.content.decode().replace("&#x27;", "'")
    assert not Target.objects.exists()
