"""Celery queues by kind (issue 15, more boxes): notices, exchange, figures and the default queue,
so a slow PDF never delays a dispatch; the intent relay's backpressure is applied to each queue on
its own. Against the real broker (REDIS_URL, this test worker's own database): the messages wait
in Redis's lists, no worker takes them."""

import datetime as dt
import os

import pytest
from django.conf import settings as django_settings
from django.db import transaction

from core import intents
from core.models import Intent
from portal.celery import app as celery_app
from tests.conftest import use_broker

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)")]
QUEUES = ("celery", "notices", "exchange", "figures")
NOTICE, DISPATCH, FIGURES = ("workflow.tasks.generate_notice", "workflow.tasks.dispatch_subcases",
                             "supervision.tasks.refresh_figure_days")


def purge_all() -> None:
    with celery_app.connection_for_write() as connection:
        for name in QUEUES:
            connection.default_channel.queue_purge(name)


@pytest.fixture
def redis_broker():
    use_broker(os.environ["REDIS_URL"])
    purge_all()
    try:
        yield
    finally:
        purge_all()
        use_broker("memory://")


def test_every_routed_task_is_a_registered_task_and_a_worker_without_q_consumes_every_queue():
    celery_app.loader.import_default_modules()  # every app's tasks module (autodiscovery is lazy)
    registered = set(celery_app.tasks)
    routed = {task for tasks in django_settings.TASK_QUEUES_BY_KIND.values() for task in tasks}
    assert routed - registered == set()  # a renamed task would fall back to the default queue unseen
    assert set(celery_app.amqp.queues) == set(QUEUES)
    assert intents.queues_by_kind()["celery"] == []
    assert NOTICE in intents.queues_by_kind()["notices"] and DISPATCH in intents.queues_by_kind()["exchange"]


def test_a_woken_intent_waits_in_the_queue_of_its_kind(redis_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            intents.record(NOTICE, [1, "acceptance"], key="t:notice:1")
            intents.record(DISPATCH, [1], key="t:dispatch:1")
            intents.record(FIGURES, ["2026-12-04", "2026-12-04"], key="t:figures:1")
            intents.record("core.tasks.forget_done_intents", [], key="t:default:1")
    assert intents.queue_lengths(QUEUES) == {"celery": 1, "notices": 1, "exchange": 1, "figures": 1}
    assert intents.queued_messages() == 1  # the default queue alone, as before the split


def test_a_full_notices_queue_holds_back_notices_only_not_dispatches(redis_broker, settings, time_machine):
    settings.INTENT_LEASE_SECONDS, settings.INTENT_MAX_BACKOFF_SECONDS, settings.INTENT_RELAY_MAX_QUEUED = 60, 60, 3
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    notices = [intents.record(NOTICE, [n, "acceptance"], key=f"t:notice:{n}") for n in range(5)]  # no wake-up
    dispatches = [intents.record(DISPATCH, [n], key=f"t:dispatch:{n}") for n in range(2)]
    for n in range(4):  # a slow PDF run left four notices waiting: the notices queue is over its bound
        celery_app.send_task(NOTICE, args=(100 + n, "acceptance"))
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 1, 1, tzinfo=dt.UTC), tick=False)

    assert intents.relay_due() == 2  # both dispatches, none of the notices
    assert intents.queue_lengths(QUEUES) == {"celery": 0, "notices": 4, "exchange": 2, "figures": 0}
    assert set(Intent.objects.filter(sends=1).values_list("pk", flat=True)) == set(dispatches)

    with celery_app.connection_for_write() as connection:  # the worker of notices caught up
        connection.default_channel.queue_purge("notices")
    assert intents.relay_due() == 3  # up to the bound of the notices queue, the oldest first
    assert set(Intent.objects.filter(sends=1).values_list("pk", flat=True)) == set(dispatches + notices[:3])
    assert intents.queue_lengths(QUEUES)["notices"] == 3
    assert intents.backlog() == {"pending": 7, "due": 2}


def test_a_full_default_queue_does_not_hold_back_routed_work(redis_broker, settings, time_machine):
    settings.INTENT_LEASE_SECONDS, settings.INTENT_RELAY_MAX_QUEUED = 60, 2
    for _ in range(2):
        celery_app.send_task("core.tasks.forget_done_intents")
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    intents.record("x.tasks.unrouted", [1], key="t:x:1")
    intents.record(FIGURES, ["2026-12-04", "2026-12-04"], key="t:figures:1")
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 1, 1, tzinfo=dt.UTC), tick=False)
    assert intents.relay_due() == 1
    assert Intent.objects.get(key="t:figures:1").sends == 1 and Intent.objects.get(key="t:x:1").sends == 0
