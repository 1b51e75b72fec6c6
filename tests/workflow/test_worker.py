"""With a real Redis broker and a Celery worker: work queued on commit is done by the worker."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker

from portal.celery import app as celery_app
from tests.conftest import use_broker
from tests.factories import ClerkFactory, MatterFactory, ReviewerFactory, submitted_application
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Notice

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real broker)"),
]


@pytest.fixture
def worker():
    use_broker(REDIS_URL)
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        use_broker("memory://")


def wait_for(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_acceptance_is_dispatched_and_notices_made_by_the_worker(worker):
    seed_calendar(years=[2026])
    matter = MatterFactory()
    app = submitted_application(matters=[matter])
    services.application_accept(application=app, clerk=ClerkFactory())
    assert wait_for(lambda: Application.objects.get(pk=app.pk).state == Application.State.IN_REVIEW)
    assert wait_for(lambda: Notice.objects.filter(application=app, kind="acceptance").exists())

    services.subcase_decide(subcase=app.subcases.get(), reviewer=ReviewerFactory(department=matter.department),
                            approve=True, reason="")
    assert wait_for(lambda: Application.objects.get(pk=app.pk).state == Application.State.RESULT_READY)
    assert Notice.objects.filter(application=app, kind="conclusion").exists()
