"""Fixtures of the schemathesis runs, which call the portal as a WSGI application."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from knox.models import AuthToken

from tests.factories import ClerkFactory, MatterFactory, UserFactory, submitted_application
from workflow.calendar_store import seed_calendar


@pytest.fixture
def keep_the_test_connection():
    """Every WSGI request sends request_started and request_finished, whose
    close_old_connections closes a PostgreSQL connection inside the test's transaction
    (autocommit off). Django's test client disconnects it; so do we."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", params=["citizen", "clerk"])
def _fuzz_user(request, module_db):
    """A citizen with a submitted application, or a seated clerk, so that the generated requests
    reach real objects as well as missing ones: made once per module, role and worker
    (tests/conftest.py `module_db`; 212 operations × 2 roles made them 424 times, 46 s)."""
    seed_calendar(years=[2026])
    citizen = UserFactory()
    submitted_application(applicant=citizen, matters=[MatterFactory()])
    user = citizen if request.param == "citizen" else ClerkFactory()
    return AuthToken.objects.create(user)[1]


@pytest.fixture
def token(_fuzz_user, db, keep_the_test_connection):
    """The token of the role's user; each operation's requests run in a savepoint of their own."""
    return _fuzz_user
