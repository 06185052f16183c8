"""Use cases for users: creating one from the CLI or the admin."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .models import Role, User


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
    user = User(email=email, role=role, first_name=first_name, last_name=last_name, time_zone=time_zone,
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
