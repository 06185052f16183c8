"""Test set-up shared by every test: a throwaway TOUCHBASE_HOME, fast passwords, and the personas.

Personas carry permissions, so a test reads like a story: `alice` is the admin,
`maya` the manager, `sam` a seller who owns things, `ravi` another seller.
"""

import os
import tempfile

os.environ.setdefault("TOUCHBASE_HOME", tempfile.mkdtemp(prefix="touchbase-test-"))

import pytest  # noqa: E402

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _fast_passwords(request):
    # Plain-library tests (the coach's) run with `-p no:django`: no Django, no passwords to speed up.
    if not request.config.pluginmanager.has_plugin("django"):
        return
    request.getfixturevalue("settings").PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_monday_mail(request):
    # The worker mails last week's reports on Monday mornings; tests whose clock lands there would
    # send them. Tests of the Monday mail set REPORT_MAIL_HOUR themselves.
    if request.config.pluginmanager.has_plugin("django"):
        request.getfixturevalue("settings").REPORT_MAIL_HOUR = None


def _user(email, role, first, last):
    from touchbase.accounts.models import User

    user = User(email=email, role=role, first_name=first, last_name=last,
                is_staff=role == "admin", is_superuser=role == "admin")
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def alice(db):
    return _user("alice@example.com", "admin", "Alice", "Admin")


@pytest.fixture
def maya(db):
    return _user("maya@example.com", "manager", "Maya", "Manager")


@pytest.fixture
def sam(db):
    return _user("sam@example.com", "seller", "Sam", "Seller")


@pytest.fixture
def ravi(db):
    return _user("ravi@example.com", "seller", "Ravi", "Other")


@pytest.fixture
def pipeline(db):
    from touchbase.crm.models import Pipeline

    return Pipeline.objects.get(is_default=True)


@pytest.fixture
def stages(pipeline):
    """The default stages by name: stages['Qualify'], stages['Won'], ..."""
    return {s.name: s for s in pipeline.stages.all()}


@pytest.fixture
def acme(sam):
    from touchbase.crm import services

    return services.company_create(actor=sam, name="Acme Robotics", domain="acme.example", industry="Robotics",
                                   employee_count=120, country="US")


@pytest.fixture
def dana(sam, acme):
    from touchbase.crm import services

    return services.person_create(actor=sam, first_name="Dana", last_name="Reyes", email="dana@acme.example",
                                  title="VP Operations", company=acme)


@pytest.fixture
def sams_deal(sam, acme, dana, stages):
    from touchbase.crm import services

    return services.deal_create(actor=sam, company=acme, contact=dana, title="Acme pilot",
                                amount_minor=2_400_000, currency="USD", stage=stages["Qualify"])


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
