"""On demand: the reference department system down for 300 s while applications are accepted,
and the broker (a Redis server of the test's own) stopped for 60 s inside that outage, with a
real Celery worker and the beat's relay ticks going through the broker. After recovery every
message has arrived and every decision has come back, none twice; the counts are printed.

    EXCHANGE_OUTAGE_TEST=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_x \\
      .venv/bin/python -m pytest -s -m outage tests/exchange/test_outage_long.py

EXCHANGE_OUTAGE_SECONDS (300) and EXCHANGE_BROKER_OUTAGE_SECONDS (60) shorten it for a trial;
the relay's backoff is capped at EXCHANGE_OUTAGE_CAP_SECONDS (30) so recovery is seen within a
minute of the system's return (production caps at 300 s)."""

import logging
import os
import shutil
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from exchange import tasks as exchange_tasks
from exchange.models import DepartmentKey, DepartmentSystem
from portal.celery import app as celery_app
from tests.conftest import use_broker
from tests.factories import ClerkFactory, DepartmentFactory
from tests.redis_process import RedisServer
from workflow import tasks as workflow_tasks
from workflow.calendar_store import seed_calendar

from .conftest import DEPARTMENT_CODE
from .outage import accept_one, counts, settled, wait
from .refsys_process import RefProcess

DOWN = float(os.environ.get("EXCHANGE_OUTAGE_SECONDS", "300"))
BROKER_DOWN = float(os.environ.get("EXCHANGE_BROKER_OUTAGE_SECONDS", "60"))
CAP = float(os.environ.get("EXCHANGE_OUTAGE_CAP_SECONDS", "30"))
BEAT = 5.0
ACCEPT_EVERY = 10.0

pytestmark = [
    pytest.mark.outage,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(os.environ.get("EXCHANGE_OUTAGE_TEST") != "1", reason="on demand: EXCHANGE_OUTAGE_TEST=1"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]
logger = logging.getLogger(__name__)


def test_every_message_arrives_once_after_the_system_and_the_broker_come_back(tmp_path, live_server, settings):
    if connection.vendor != "postgresql":
        pytest.skip("four threads write at once: PostgreSQL (DATABASE_URL)")
    from refsys.server import free_port

    settings.EXCHANGE_RELAY_BASE_SECONDS, settings.EXCHANGE_RELAY_MAX_BACKOFF_SECONDS = 2.0, CAP
    seed_calendar(years=[2026])
    refsys = RefProcess(db=tmp_path / "dept.sqlite3", department=DEPARTMENT_CODE, keys={"k1": "long-outage"},
                        portal=live_server.url, extra=("--auto", "approve")).start()
    redis = RedisServer(free_port())
    redis.start()
    use_broker(f"redis://127.0.0.1:{redis.port}/0")
    stop_beat = threading.Event()

    def beat():  # what celery beat does: publish the periodic tasks, whatever the broker's state
        while not stop_beat.wait(BEAT):
            for task in (exchange_tasks.relay_outbox, workflow_tasks.recover_stalled):
                try:
                    task.apply_async(retry=False)
                except Exception as error:  # the broker is down: beat logs and tries next tick
                    logger.warning("beat could not publish %s: %s", task.name, error)

    try:
        system = DepartmentSystem.objects.create(department=DepartmentFactory(code=DEPARTMENT_CODE), name="审批系统",
                                                 base_url=refsys.url, active=True)
        DepartmentKey.objects.create(system=system, key_id="k1", secret="long-outage")
        clerk = ClerkFactory()
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
            threading.Thread(target=beat, daemon=True).start()
            accept_one(system, clerk)
            refsys.stop()
            began = time.monotonic()
            broker_from = began + (DOWN - BROKER_DOWN) / 2
            accepted, broker_stopped, broker_back, next_accept = 1, False, False, began
            while time.monotonic() - began < DOWN:
                now = time.monotonic()
                if not broker_stopped and now >= broker_from:
                    redis.stop()
                    broker_stopped = True
                    print(f"broker stopped at {now - began:.0f} s")
                if broker_stopped and not broker_back and now >= broker_from + BROKER_DOWN:
                    redis.start()
                    broker_back = True
                    print(f"broker back at {now - began:.0f} s")
                if now >= next_accept:  # dispatch is the worker's, queued on commit (lost while the broker is down)
                    accept_one(system, clerk)
                    accepted += 1
                    next_accept = now + ACCEPT_EVERY
                time.sleep(0.5)
            if not broker_back:
                redis.start()
            refsys.start()
            print(f"department system back at {time.monotonic() - began:.0f} s; {accepted} accepted")
            ok = wait(lambda: settled(refsys, accepted), seconds=CAP * 4 + 420, step=2)
            result = counts(refsys)
            print(result.line(f"system down {DOWN:.0f} s, broker down {BROKER_DOWN:.0f} s, "
                              f"recovered in {time.monotonic() - began - DOWN:.0f} s"))
            assert ok, result
            assert (result.sent, result.delivered, result.lost, result.duplicated) == (accepted, accepted, 0, 0)
            assert (result.decisions_applied, result.decisions_applied_twice, result.decisions_lost) == (accepted, 0, 0)
    finally:
        stop_beat.set()
        use_broker("memory://")
        refsys.stop()
        redis.stop()
