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


def test_concurrent_theme_submissions_draw_distinct_numbers_from_the_sequence():
    """Issue 15: the number comes from a PostgreSQL sequence created on first use; eight
    submissions at once, the first of them creating it, all get distinct numbers, and the
    counter row of the old scheme is not used."""
    from workflow.models import NumberSequence

    seed_calendar(years=[2026])
    matter = MatterFactory(type_code="QT")
    apps = run_concurrently(*[lambda: submitted_application(matters=[matter]) for _ in range(8)])
    assert all(kind == "ok" for kind, _ in apps), apps
    numbers = sorted(a.number for _, a in apps)
    assert len(set(numbers)) == 8
    assert all(n.startswith(f"441803-{n[7:11]}-QT-") for n in numbers)
    assert not NumberSequence.objects.filter(prefix__endswith="-QT").exists()


def test_a_calendar_edit_on_one_connection_is_seen_by_the_other_at_once():
    """The calendar is kept per process; an administrator's edit made through another connection
    (another process: web or worker) changes its version, and the next read sees the edit."""
    import datetime as dt
    import threading

    from django.db import connections

    from workflow.calendar_store import load_calendar
    from workflow.models import CalendarDay

    seed_calendar(years=[2026])
    day = dt.date(2026, 11, 11)  # a Wednesday
    assert load_calendar().is_workday(day)  # read and kept by this connection's process

    def admin_edit():  # another connection, as the admin site would save it
        try:
            CalendarDay.objects.create(date=day, is_workday=False, name="区庆")
        finally:
            connections.close_all()

    thread = threading.Thread(target=admin_edit)
    thread.start()
    thread.join()
    assert not load_calendar().is_workday(day)
    CalendarDay.objects.filter(date=day).delete()
    assert load_calendar().is_workday(day)
