"""zone_of: a stored zone name becomes a time zone, and a bad one falls back instead of failing."""

import logging
from zoneinfo import ZoneInfo

import pytest

from touchbase.accounts import models
from touchbase.accounts.models import User, zone_of

BAD_NAMES = [
    pytest.param("", id="empty"),
    pytest.param(None, id="none"),
    pytest.param("Mars/Olympus", id="no-such-zone"),
    pytest.param("Europe/Berlln", id="misspelt"),
    pytest.param("../x", id="outside-the-zone-folder"),
    pytest.param("America/", id="not-normalised"),
    pytest.param("/etc/passwd", id="absolute-path"),
    pytest.param("zone.tab", id="a-file-that-is-no-zone"),
    pytest.param(5, id="not-a-string"),
]


@pytest.fixture
def berlin_site(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def test_a_valid_name_is_that_zone_whatever_the_users():
    user = User(time_zone="Asia/Tokyo")
    assert zone_of("America/New_York", user=user) == ZoneInfo("America/New_York")
    assert zone_of(user=user) == ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_bad_name_falls_back_to_the_users_zone(name):
    assert zone_of(name, user=User(time_zone="Asia/Tokyo")) == ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_bad_name_and_a_bad_user_zone_fall_back_to_the_sites_time_zone(berlin_site, name):
    assert zone_of(name, user=User(time_zone=name)) == ZoneInfo("Europe/Berlin")
    assert zone_of(name) == ZoneInfo("Europe/Berlin")
    assert zone_of(user=None) == ZoneInfo("Europe/Berlin")


def test_a_user_whose_stored_zone_was_removed_gets_the_sites(berlin_site, sam):
    User.objects.filter(pk=sam.pk).update(time_zone="Asia/Atlantis")  # straight into the database
    sam.refresh_from_db()
    assert zone_of(user=sam) == ZoneInfo("Europe/Berlin")


def test_a_bad_name_is_logged_once_not_every_round(caplog, monkeypatch):
    monkeypatch.setattr(models, "_told", set())
    with caplog.at_level(logging.WARNING, logger="touchbase.accounts.models"):
        for _ in range(3):
            zone_of("Mars/Olympus")
    assert len(caplog.records) == 1
    assert "'Mars/Olympus' is not a time zone" in caplog.records[0].getMessage()
