"""Two clerks accepting the same application at the same moment, on two real database
connections: exactly one acceptance, one set of sub-cases, one log row."""


import pytest
from django.db import connection

from core.errors import Conflict
from tests.concurrency import run_concurrently
from tests.factories import ClerkFactory, MatterFactory, submitted_application
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, CaseLog, SubCase

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
]


def test_two_clerks_accepting_at_once_give_one_acceptance():
    seed_calendar(years=[2026])
    app = submitted_application(matters=[MatterFactory(), MatterFactory()])
    clerk_a, clerk_b = ClerkFactory(), ClerkFactory()
    results = run_concurrently(
        lambda: services.application_accept(application=app, clerk=clerk_a),
        lambda: services.application_accept(application=app, clerk=clerk_b),
    )
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["error", "ok"], results
    assert isinstance(next(r[1] for r in results if r[0] == "error"), Conflict)
    app = Application.objects.get(pk=app.pk)
    assert app.state == Application.State.ACCEPTED
    assert SubCase.objects.filter(application=app).count() == 2
    assert CaseLog.objects.filter(application=app, action="workflow.application.accepted").count() == 1


def test_concurrent_submissions_never_share_a_number():
    seed_calendar(years=[2026])
    matter = MatterFactory()
    apps = run_concurrently(*[lambda: submitted_application(matters=[matter]) for _ in range(6)])
    assert all(kind == "ok" for kind, _ in apps), apps
    numbers = [a.number for _, a in apps]
    assert len(set(numbers)) == 6


def test_double_submit_with_one_key_at_once_creates_one_application():
    seed_calendar(years=[2026])
    from tests.factories import UserFactory

    citizen, matter = UserFactory(), MatterFactory()
    results = run_concurrently(
        *[lambda: submitted_application(applicant=citizen, matters=[matter], idempotency_key="dbl") for _ in range(2)]
    )
    assert all(kind == "ok" for kind, _ in results), results
    assert Application.objects.filter(applicant=citizen).count() == 1
