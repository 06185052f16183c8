"""The targets editor: managers set and end targets; everyone sees them; bad input is named, nothing saved."""

from datetime import date

from touchbase.metrics.models import Target

URL = "/reports/targets/"


def post(client, **fields):
    data = {"measure": "touches", "seller": "", "period": "week", "amount": "60", "currency": "",
            "ramp": "on", "starts_on": "2026-10-01", **fields}
    return client.post(URL, data)


def test_a_manager_sets_a_sellers_weekly_touch_target(client_for, maya, sam):
    response = post(client_for(maya), seller=sam.pk)
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.seller, target.amount, target.period, target.ramp, target.set_by) == (sam, 60, "week", True, maya)


def test_a_money_target_is_typed_as_people_write_it(client_for, maya):
    post(client_for(maya), measure="won_value", period="quarter", amount="120,000", currency="usd")
    assert Target.objects.values_list("amount", "currency").get() == (12_000_000, "USD")


def test_a_target_below_zero_is_refused_by_name(client_for, maya):
    response = post(client_for(maya), amount="-5")
    assert response.status_code == 400
    assert "cannot be below zero" in response.content.decode()
    assert not Target.objects.exists()


def test_a_money_target_without_currency_is_refused(client_for, maya):
    response = post(client_for(maya), measure="won_value", amount="1000")
    assert response.status_code == 400
    assert "needs its currency" in response.content.decode()
    assert not Target.objects.exists()


def test_a_seller_sees_the_targets_but_cannot_set_one(client_for, maya, sam):
    post(client_for(maya), seller=sam.pk)
    page = client_for(sam).get(URL)
    assert page.status_code == 200 and b"Touches" in page.content
    assert b"Set a target" not in page.content
    assert post(client_for(sam), amount="1").status_code == 403
    assert Target.objects.get().amount == 60


def test_a_manager_ends_a_target_when_a_seller_leaves(client_for, maya, sam):
    post(client_for(maya), seller=sam.pk, starts_on="2020-01-01")
    target = Target.objects.get()
    client_for(maya).post(f"{URL}{target.pk}/end/")
    target.refresh_from_db()
    assert target.ends_on is not None and target.ends_on >= date(2026, 1, 1)
    client_for(sam).post(f"{URL}{target.pk}/end/")  # a seller's end is refused (403 page)
