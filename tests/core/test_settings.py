"""Settings from the environment, read the way a fresh process reads them.

Each test starts a Python process with a chosen environment, because settings
are read once per process at import.
"""

import os
import subprocess
import sys

import pytest

ENVIRONMENT_SETTINGS = {"TOUCHBASE_HOME", "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
                        "CSRF_TRUSTED_ORIGINS", "LOG_LEVEL"}


def settings_in(home, *names: str, cwd=None, **environment: str) -> subprocess.CompletedProcess:
    """Print each named setting (a Python expression over `settings` and `connection`), one per line."""
    env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_SETTINGS}
    env["DJANGO_SETTINGS_MODULE"] = "touchbase.settings"
    if home is not None:
        env["TOUCHBASE_HOME"] = str(home)
    env.update(environment)
    program = ("import django; django.setup(); from django.conf import settings; "
               "from django.db import connection; "
               + "; ".join(f"print({name})" for name in names))
    return subprocess.run([sys.executable, "-c", program], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)


def values(done: subprocess.CompletedProcess) -> list[str]:
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_secret_key_is_generated_once_into_touchbase_home(tmp_path):
    first = values(settings_in(tmp_path, "settings.SECRET_KEY"))
    again = values(settings_in(tmp_path, "settings.SECRET_KEY"))
    assert first == again
    assert len(first[0]) >= 50
    assert (tmp_path / "secret_key").read_text().strip() == first[0]


def test_the_secret_key_file_is_readable_by_its_owner_only(tmp_path):
    values(settings_in(tmp_path, "settings.SECRET_KEY"))
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_homes_get_their_own_secret_key(tmp_path):
    one = values(settings_in(tmp_path / "one", "settings.SECRET_KEY"))
    two = values(settings_in(tmp_path / "two", "settings.SECRET_KEY"))
    assert one != two


def test_a_secret_key_from_the_environment_wins_and_nothing_is_written(tmp_path):
    assert values(settings_in(tmp_path, "settings.SECRET_KEY", SECRET_KEY="from-the-environment")) == [
        "from-the-environment"]
    assert not (tmp_path / "secret_key").exists()


def test_an_empty_secret_key_file_is_refused_by_name(tmp_path):
    (tmp_path / "secret_key").write_text("")
    done = settings_in(tmp_path, "settings.SECRET_KEY")
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert f"SECRET_KEY file {tmp_path / 'secret_key'} is empty" in done.stderr


def test_touchbase_home_defaults_to_dot_touchbase_in_the_working_folder(tmp_path):
    assert values(settings_in(None, "settings.TOUCHBASE_HOME", cwd=tmp_path)) == [str(tmp_path / ".touchbase")]
    assert (tmp_path / ".touchbase" / "secret_key").exists()


def test_an_empty_touchbase_home_counts_as_unset(tmp_path):
    assert values(settings_in(None, "settings.TOUCHBASE_HOME", cwd=tmp_path, TOUCHBASE_HOME="")) == [
        str(tmp_path / ".touchbase")]
    assert not (tmp_path / "secret_key").exists()


def test_touchbase_home_is_private_to_its_owner(tmp_path):
    values(settings_in(tmp_path / "home", "settings.TOUCHBASE_HOME"))
    assert (tmp_path / "home").stat().st_mode & 0o777 == 0o700


def test_debug_is_off_unless_set(tmp_path):
    assert values(settings_in(tmp_path, "settings.DEBUG")) == ["False"]
    assert values(settings_in(tmp_path, "settings.DEBUG", DEBUG="yes")) == ["True"]
    assert values(settings_in(tmp_path, "settings.DEBUG", DEBUG="0")) == ["False"]


def test_a_bad_debug_value_is_refused_by_name(tmp_path):
    done = settings_in(tmp_path, "settings.DEBUG", DEBUG="maybe")
    assert done.returncode != 0
    assert "ImproperlyConfigured: DEBUG='maybe' is not a boolean" in done.stderr


def test_allowed_hosts_is_a_comma_separated_list(tmp_path):
    assert values(settings_in(tmp_path, "settings.ALLOWED_HOSTS")) == ["['127.0.0.1', 'localhost', '[::1]']"]
    assert values(settings_in(tmp_path, "settings.ALLOWED_HOSTS", ALLOWED_HOSTS="sales.example.com, .example.org")) == [
        "['sales.example.com', '.example.org']"]


def test_without_a_database_url_the_database_is_sqlite_in_touchbase_home(tmp_path):
    assert values(settings_in(tmp_path, "connection.vendor", "settings.DATABASES['default']['NAME']")) == [
        "sqlite", str(tmp_path / "touchbase.sqlite3")]


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    done = settings_in(tmp_path, "connection.cursor().execute('PRAGMA journal_mode').fetchone()[0]",
                       "connection.cursor().execute('PRAGMA busy_timeout').fetchone()[0]",
                       "connection.cursor().execute('PRAGMA foreign_keys').fetchone()[0]")
    journal_mode, busy_timeout_ms, foreign_keys = values(done)
    assert journal_mode == "wal"
    assert int(busy_timeout_ms) >= 5000
    assert foreign_keys == "1"


def test_a_postgres_database_url_is_parsed(tmp_path):
    done = settings_in(tmp_path, *(f"settings.DATABASES['default']['{key}']"
                                   for key in ("ENGINE", "NAME", "USER", "PASSWORD", "HOST", "PORT")),
                       DATABASE_URL="postgres://sales:s3cret@db.internal:6543/touchbase")
    assert values(done) == ["django.db.backends.postgresql", "touchbase", "sales", "s3cret", "db.internal", "6543"]


@pytest.mark.parametrize("url", ["mysql://root@localhost/touchbase", "not a url at all"])
def test_a_database_url_we_cannot_use_is_refused_by_name(tmp_path, url):
    done = settings_in(tmp_path, "settings.DATABASES", DATABASE_URL=url)
    assert done.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL" in done.stderr


def test_log_level_names_a_level(tmp_path):
    assert values(settings_in(tmp_path, "settings.LOGGING['root']['level']")) == ["WARNING"]
    assert values(settings_in(tmp_path, "settings.LOGGING['root']['level']", LOG_LEVEL="info")) == ["INFO"]
    done = settings_in(tmp_path, "settings.LOGGING", LOG_LEVEL="loud")
    assert done.returncode != 0
    assert "ImproperlyConfigured: LOG_LEVEL='loud' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in done.stderr
