"""The one settings module, configured from the environment.

Every variable is read through a small typed helper so that a bad value fails
at start-up with the variable's name, not later with a stack trace.
"""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: list[str]) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().upper()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={raw!r} is not one of {', '.join(choices)}")
    return value


def env_int(name: str, default: int) -> int:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from exc


def env_url(name: str, default: str) -> str:
    raw = (os.environ.get(name) or "").strip().rstrip("/")
    if not raw:
        return default
    if not raw.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{name}={raw!r} must start with https:// (or http:// on your own machine)")
    return raw


def touchbase_home() -> Path:
    # An empty value counts as unset: `TOUCHBASE_HOME= touchbase serve` must not scatter files in the cwd.
    home = Path(os.environ.get("TOUCHBASE_HOME") or "./.touchbase").expanduser().resolve()
    try:
        # Only the owner may read the database and the secret key inside.
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ImproperlyConfigured(f"TOUCHBASE_HOME={str(home)!r} cannot be created: {exc.strerror}") from exc
    return home


def secret_key(home: Path) -> str:
    """SECRET_KEY from the environment, else generated once into TOUCHBASE_HOME (never in the repo)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = home / "secret_key"
    if not path.exists():
        # Written aside then linked into place: the web process and a worker
        # starting together agree on one key, and neither reads a half-written file.
        fd, draft = tempfile.mkstemp(dir=home, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(50))
            os.link(draft, path)
        except FileExistsError:
            pass
        except OSError:
            # No hard links on this filesystem (some network and FUSE mounts): take the draft's
            # place unless a key appeared meanwhile, accepting a tiny window for a race.
            if not path.exists():
                os.replace(draft, path)
        finally:
            if os.path.exists(draft):
                os.unlink(draft)
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"SECRET_KEY file {path} is empty: delete it to have a new key generated.")
    return key


def database(home: Path) -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(home / "touchbase.sqlite3"),
        }
    else:
        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except Exception as exc:
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL we understand: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web process read while the worker writes; IMMEDIATE makes
        # writers queue on the busy timeout instead of failing with "database is locked".
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] not in {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be sqlite:// or postgres://, got engine {config['ENGINE']}")
    return config


TOUCHBASE_HOME = touchbase_home()
SECRET_KEY = secret_key(TOUCHBASE_HOME)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where people outside reach touchbase: every sequence email's unsubscribe link starts with it.
TOUCHBASE_URL = env_url("TOUCHBASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # only for its static Swagger UI: /api/v1/docs then loads no script from a CDN
    "touchbase.core",
    "touchbase.accounts",
    "touchbase.crm",
    "touchbase.prospecting",
    "touchbase.metrics",
    "touchbase.outreach",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "touchbase.core.middleware.LoginRequiredMiddleware",
    "touchbase.core.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "touchbase.urls"
WSGI_APPLICATION = "touchbase.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database(TOUCHBASE_HOME)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "crm:today"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = TOUCHBASE_HOME / "static"
# touchbase/static is no app's static folder (touchbase itself is no app), so name it for the finders.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the app folders too, so `touchbase serve` works before collectstatic.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# The server touchbase's own mail (the Monday report) leaves through; sequences use each seller's mailbox.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are both on; set one (STARTTLS on 587, or TLS on 465)")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "touchbase@localhost")
# The hour on Monday, in each person's time zone, from which the worker mails last week's report; "off": never.
REPORT_MAIL_HOUR = None if (os.environ.get("REPORT_MAIL_HOUR") or "").strip().lower() == "off" else env_int(
    "REPORT_MAIL_HOUR", 7)
if REPORT_MAIL_HOUR is not None and not 0 <= REPORT_MAIL_HOUR <= 23:
    raise ImproperlyConfigured(f"REPORT_MAIL_HOUR={REPORT_MAIL_HOUR} is not an hour from 0 to 23 (or off)")
REPORT_CURRENCY = env_choice("REPORT_CURRENCY", "USD", ["USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "INR", "SEK"])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_choice("LOG_LEVEL", "WARNING", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])},
}
