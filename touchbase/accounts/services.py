"""Use cases for users: creating one from the CLI or the admin, and their API tokens."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, Role, User


def user_create(*, email: str, role: str, password: str | None = None, first_name: str = "",
                last_name: str = "", time_zone: str = "UTC") -> User:
    """Create a user with a role; admins also get the Django admin (is_staff)."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": f"{email!r} is not an email address."}) from exc
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role; choose one of {', '.join(Role.values)}."})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": f"A user with the email {email} already exists."})
    user = User(email=email, username=email, role=role, first_name=first_name, last_name=last_name, time_zone=time_zone,
                is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    with transaction.atomic():
        user.save()
    return user


TOKEN_MARK = "tb_"
# Enough characters of the token to tell one from another in a list, far too few to guess the rest.
TOKEN_PREFIX_LENGTH = 8


def api_token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for `user`; the plaintext is returned this once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name that says what it is for, e.g. 'Zapier'."})
    if not user.is_active:
        raise ValidationError({"user": f"{user.email} is deactivated; an inactive user cannot hold a token."})
    while True:
        plaintext = TOKEN_MARK + secrets.token_urlsafe(32)
        prefix = plaintext[: len(TOKEN_MARK) + TOKEN_PREFIX_LENGTH]
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix,
                                        token_hash=api_token_hash(plaintext))
    return token, plaintext


def api_token_authenticate(plaintext: str) -> ApiToken | None:
    """The live token matching `plaintext`, or None. Marks it used (at most once a minute)."""
    if not plaintext or not plaintext.startswith(TOKEN_MARK):
        return None
    prefix = plaintext[: len(TOKEN_MARK) + TOKEN_PREFIX_LENGTH]
    token = ApiToken.objects.select_related("user").filter(prefix=prefix, revoked=False).first()
    if token is None or not hmac.compare_digest(token.token_hash, api_token_hash(plaintext)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # One write a minute is enough to answer "is this token still in use?" without a write per request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_revoke(*, prefix: str) -> ApiToken:
    """Revoke the token whose prefix is `prefix`; it stops working on the next request."""
    prefix = prefix.strip().rstrip("…")
    if not prefix.startswith(TOKEN_MARK):
        prefix = TOKEN_MARK + prefix
    token = ApiToken.objects.filter(prefix=prefix).first()
    if token is None:
        raise ValidationError({"prefix": f"No API token starts with {prefix!r}; `touchbase token list` shows them."})
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    token.revoked = True
    return token
