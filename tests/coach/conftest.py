"""The coach is plain Python: its tests need neither Django nor a database."""

import types

import pytest


@pytest.fixture
def settings():
    # The top-level conftest asks every test for pytest-django's `settings`; the coach
    # tests run with `-p no:django` too, so a stand-in keeps them independent of Django.
    return types.SimpleNamespace()
