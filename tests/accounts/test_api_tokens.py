"""API tokens: shown once, stored as a hash, revocable, managed from the CLI."""

import hashlib
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection

from touchbase.accounts.models import ApiToken
from touchbase.accounts.services import api_token_authenticate, api_token_create, api_token_revoke


def test_a_new_token_is_returned_once_and_stored_only_as_a_hash(sam):
    token, plaintext = api_token_create(user=sam, name="laptop script")

    assert plaintext.startswith(token.prefix)
    assert token.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table} WHERE id = %s", [token.pk])
        row = cursor.fetchone()
    assert all(plaintext not in str(cell) for cell in row)


def test_two_tokens_never_share_a_prefix_or_a_value(sam):
    made = [api_token_create(user=sam, name=f"t{i}") for i in range(20)]
    assert len({t.prefix for t, _ in made}) == 20
    assert len({p for _, p in made}) == 20


def test_a_token_needs_a_name(sam):
    with pytest.raises(ValidationError, match="name"):
        api_token_create(user=sam, name="  ")
    assert not ApiToken.objects.exists()


def test_the_right_token_authenticates_and_is_marked_used(sam):
    token, plaintext = api_token_create(user=sam, name="zapier")
    assert token.last_used_at is None

    found = api_token_authenticate(plaintext)

    assert found.pk == token.pk and found.user == sam
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_wrong_token_with_a_right_prefix_does_not_authenticate(sam):
    _, plaintext = api_token_create(user=sam, name="zapier")
    forged = plaintext[:-4] + ("AAAA" if not plaintext.endswith("AAAA") else "BBBB")
    assert api_token_authenticate(forged) is None
    assert api_token_authenticate("") is None
    assert api_token_authenticate("not-a-token") is None


def test_a_revoked_token_stops_working(sam):
    token, plaintext = api_token_create(user=sam, name="zapier")
    api_token_revoke(prefix=token.prefix)
    assert api_token_authenticate(plaintext) is None


def test_a_deactivated_users_token_stops_working(sam):
    _, plaintext = api_token_create(user=sam, name="zapier")
    sam.is_active = False
    sam.save()
    assert api_token_authenticate(plaintext) is None


def test_revoking_an_unknown_prefix_says_so(db):
    with pytest.raises(ValidationError, match="No API token starts with"):
        api_token_revoke(prefix="tb_nothing")


def _run(*args) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_the_cli_creates_lists_and_revokes_a_token(sam):
    output = _run("create", "SAM@example.com", "--name", "nightly export")
    plaintext = output.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.user == sam and token.name == "nightly export"
    assert api_token_authenticate(plaintext) is not None

    listing = _run("list")
    assert token.prefix in listing and "nightly export" in listing and "active" in listing
    assert plaintext not in listing

    _run("revoke", token.prefix)
    assert "revoked" in _run("list", "sam@example.com")
    assert api_token_authenticate(plaintext) is None


def test_the_cli_refuses_an_unknown_user_and_creates_nothing(db):
    with pytest.raises(CommandError, match="No user has the email nobody@example.com"):
        _run("create", "nobody@example.com", "--name", "x")
    assert not ApiToken.objects.exists()


def test_an_admin_adds_a_token_in_the_admin_and_sees_it_once(alice, sam, client_for):
    client = client_for(alice)
    response = client.post("/admin/accounts/apitoken/add/", {"user": sam.pk, "name": "from admin"}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    plaintext = next(m.split(": ", 1)[1] for m in shown if "shown only once" in m)
    assert api_token_authenticate(plaintext).pk == token.pk
    assert token.token_hash != plaintext
