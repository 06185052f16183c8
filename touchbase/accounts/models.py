"""The user: an email to log in with, a role that says what they may change, a time zone."""

import functools
import logging
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models

logger = logging.getLogger(__name__)

# Bad zone names already logged, so a worker looping over a person every round says it once.
_told: set[str] = set()


@functools.cache
def _zone_names() -> frozenset[str]:
    # available_timezones() walks the zone folder: about 10 ms a call, on every person saved.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _zone_names():
        raise ValidationError(f"{value!r} is not a time zone name such as Europe/Berlin or America/New_York.")


def _zone_named(name) -> zoneinfo.ZoneInfo | None:
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    # Not found, a malformed key ("../x", "America/"), a file in the zone folder that is no zone
    # (zone.tab), something not a string, an unreadable file: all mean "no such zone" here.
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        if repr(name) not in _told:
            _told.add(repr(name))
            logger.warning("%r is not a time zone; using the next one (the seller's, else TIME_ZONE). "
                           "A user's zone is corrected in the admin, a person's on their page.", name)
        return None


def zone_of(name: str | None = None, *, user=None) -> zoneinfo.ZoneInfo:
    """The time zone to work in: `name` if it is one, else `user`'s zone, else settings.TIME_ZONE, else UTC.

    The one way to turn a stored zone into a ZoneInfo. A user's: `zone_of(user=user)`; a person's
    (theirs, else their seller's): `zone_of(person.time_zone, user=owner)`. It never raises: an empty,
    misspelt, removed or malformed name (or None) is passed over, because a bad value written straight
    into the database must not stop a worker round, a send, a report or a page. Forms refuse such
    names (validate_time_zone) so that people fix them.
    """
    for candidate in (name, getattr(user, "time_zone", None), settings.TIME_ZONE):
        zone = _zone_named(candidate)
        if zone is not None:
            return zone
    return zoneinfo.ZoneInfo("UTC")


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    SELLER = "seller", "Seller"


class EmailUserManager(UserManager):
    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username).lower()
        user = self.model(username=email, email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create_user(email, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. `username` mirrors `email` so Django's auth keeps working."""

    email = models.EmailField(unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SELLER)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = EmailUserManager()

    class Meta:
        ordering = ["first_name", "last_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        self.username = self.email
        super().save(*args, **kwargs)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_manager(self) -> bool:
        """Managers and admins may edit every record."""
        return self.role in (Role.MANAGER, Role.ADMIN)

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        return "".join(p[0] for p in parts).upper() or self.email[:2].upper()


class ApiToken(models.Model):
    """A bearer token for the JSON API, acting as its user.

    Only a SHA-256 hash of the token is kept, so a copy of the database does not
    hand out API access; the short prefix is what the owner sees to tell tokens
    apart and to revoke one.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'Zapier' or 'laptop script'.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["user", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
