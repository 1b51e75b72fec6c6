"""On demand: the reference department system down for 300 s while applications are accepted,
and the broker (a Redis server of the test's own) stopped for 60 s inside that outage. A Celery
worker and beat run as processes of their own (tests/workflow/outage_work.py), as in production:
the beat ticks the outbox relay through the broker, and a worker that exits is started again, as
the deployment's supervisor would. After recovery every message has arrived and every decision
has come back, none twice; the counts are printed.

    EXCHANGE_OUTAGE_TEST=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_x \\
      .venv/bin/python -m pytest -s -m outage tests/exchange/test_outage_long.py

EXCHANGE_OUTAGE_SECONDS (300) and EXCHANGE_BROKER_OUTAGE_SECONDS (60) shorten it for a trial;
the relay's backoff is capped at EXCHANGE_OUTAGE_CAP_SECONDS (30) so recovery is seen within a
minute of the system's return (production caps at 300 s).

Session 10 ran this with the worker in a thread of the test (celery's `start_worker`): when Redis
stopped, kombu's reconnection raised inside it, the thread's worker ended, and nothing consumed
the queue after the broker came back (13 sent, 0 delivered). A thread cannot be restarted the way
a deployment restarts a process, so the worker is a process here."""

import os
import shutil
import time

import pytest
from django.db import connection

from exchange.models import DepartmentKey, DepartmentSystem
from tests.conftest import use_broker
from tests.factories import ClerkFactory, DepartmentFactory
from tests.redis_process import RedisServer
from tests.workflow.outage_work import CeleryProcess, supervisor
from workflow.calendar_store import seed_calendar

from .conftest import DEPARTMENT_CODE
from .outage import accept_one, counts, settled, wait
from .refsys_process import RefProcess

DOWN = float(os.environ.get("EXCHANGE_OUTAGE_SECONDS", "300"))
BROKER_DOWN = float(os.environ.get("EXCHANGE_BROKER_OUTAGE_SECONDS", "60"))
CAP = float(os.environ.get("EXCHANGE_OUTAGE_CAP_SECONDS", "30"))
LEASE = 3.0  # seconds before the intent relay publishes a pending dispatch again (300 in production)
ACCEPT_EVERY = 10.0

pytestmark = [
    pytest.mark.outage,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(os.environ.get("EXCHANGE_OUTAGE_TEST") != "1", reason="on demand: EXCHANGE_OUTAGE_TEST=1"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def test_every_message_arrives_once_after_the_system_and_the_broker_come_back(tmp_path, live_server, settings):
    if connection.vendor != "postgresql":
        pytest.skip("a worker, a beat, the live server and the test write at once: PostgreSQL (DATABASE_URL)")
    from core.pdf import font_file
    from refsys.server import free_port

    settings.INTENT_LEASE_SECONDS, settings.INTENT_MAX_BACKOFF_SECONDS = LEASE, CAP
    seed_calendar(years=[2026])
    font_file()  # the worker's first notice would otherwise prepare the PDF face during the run
    refsys = RefProcess(
        db=tmp_path / "dept.sqlite3",
        department=DEPARTMENT_CODE,
        keys={"k1": "long-outage"},
        portal=live_server.url,
        extra=("--auto", "approve"),
    ).start()
    redis = RedisServer(free_port()).start()
    use_broker(redis.url)
    relay = dict(
        EXCHANGE_RELAY_INTERVAL_SECONDS="5",
        EXCHANGE_RELAY_BASE_SECONDS="2",
        EXCHANGE_RELAY_MAX_BACKOFF_SECONDS=str(CAP),
        EXCHANGE_RELAY_MAX_ATTEMPTS="1000",
    )  # the cap is shortened, not the retry window (25 min in production)
    worker = CeleryProcess("worker", broker_url=redis.url, workdir=tmp_path, lease=LEASE, cap=CAP, **relay)
    beat = CeleryProcess("beat", broker_url=redis.url, workdir=tmp_path, lease=LEASE, cap=CAP, **relay)
    processes = (worker.start(), beat.start())
    supervise = supervisor(*processes)

    try:
        system = DepartmentSystem.objects.create(
            department=DepartmentFactory(code=DEPARTMENT_CODE), name="审批系统", base_url=refsys.url, active=True
        )
        DepartmentKey.objects.create(system=system, key_id="k1", secret="long-outage")
        clerk = ClerkFactory()
        assert wait(lambda: "ready." in worker.log.read_text(errors="replace"), seconds=60), "the worker did not start"
        accept_one(system, clerk)
        assert wait(lambda: settled(refsys, 1), seconds=60), counts(refsys)  # the path works before the outage
        refsys.stop()
        began = time.monotonic()
        broker_from = began + (DOWN - BROKER_DOWN) / 2
        accepted, broker_stopped, broker_back, next_accept = 1, False, False, began
        while time.monotonic() - began < DOWN:
            now = time.monotonic()
            if not broker_stopped and now >= broker_from:
                redis.stop()
                broker_stopped = True
                print(f"\nbroker stopped at {now - began:.0f} s")
            if broker_stopped and not broker_back and now >= broker_from + BROKER_DOWN:
                redis.start()
                broker_back = True
                print(f"broker back at {now - began:.0f} s")
            if now >= next_accept:  # the dispatch is the worker's, published on commit (or later by the intent relay)
                accept_one(system, clerk)
                accepted += 1
                next_accept = now + ACCEPT_EVERY
            supervise()
            time.sleep(0.5)
        if not broker_back:
            redis.start()
        refsys.start()
        print(f"department system back at {time.monotonic() - began:.0f} s; {accepted} accepted")
        ok = wait(lambda: settled(refsys, accepted), seconds=CAP * 4 + 420, step=2, each=supervise)
        result = counts(refsys)
        print(
            result.line(
                f"system down {DOWN:.0f} s, broker down {BROKER_DOWN:.0f} s, "
                f"recovered in {time.monotonic() - began - DOWN:.0f} s; "
                f"worker restarts {worker.restarts}, beat restarts {beat.restarts}"
            )
        )
        assert ok, (result, worker.log.read_text(errors="replace")[-4000:])
        assert (result.sent, result.delivered, result.lost, result.duplicated) == (accepted, accepted, 0, 0)
        assert (result.decisions_applied, result.decisions_applied_twice, result.decisions_lost) == (accepted, 0, 0)
    finally:
        use_broker("memory://")
        beat.stop()
        worker.stop()
        refsys.stop()
        redis.stop()
