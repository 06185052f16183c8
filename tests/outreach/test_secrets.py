"""Mailbox passwords are stored encrypted and survive a SECRET_KEY rotation."""

import pytest

from touchbase.outreach import secrets


def test_a_password_is_not_stored_in_clear(settings):
    token = secrets.encrypt("app-password-123")
    assert "app-password-123" not in token
    assert secrets.decrypt(token) == "app-password-123"


def test_an_old_key_still_decrypts_after_rotation(settings):
    token = secrets.encrypt("app-password-123")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a brand new secret key that is long enough"
    assert secrets.decrypt(token) == "app-password-123"


def test_a_lost_key_says_what_to_do(settings):
    token = secrets.encrypt("app-password-123")
    settings.SECRET_KEY = "another key entirely"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(secrets.SecretUnreadable, match="enter the password again"):
        secrets.decrypt(token)
