"""Nothing lost (issue 12): with Redis stopped under load, and with the Celery worker SIGKILLed
mid-task again and again under load, every notice, dispatch and licence the committed changes
imply is made once: 0 missing, 0 duplicated. A worker and a beat of their own (processes), a
Redis of the test's own (tests/redis_process.py); PostgreSQL, since three processes write.

The suite runs a short version (Redis down a few seconds, a few kills). The issue's version —
Redis down 300 s, 100 kills — runs on demand and prints its counts:

    WORK_OUTAGE_TEST=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_x \\
      .venv/bin/python -m pytest -s -m outage tests/workflow/test_outage_work.py

WORK_OUTAGE_SECONDS (300) and WORK_OUTAGE_KILLS (100) shorten it for a trial.
"""

import os
import shutil
import time

import pytest
from django.db import connection
from django.utils import timezone

from core.models import Intent
from tests.conftest import use_broker
from tests.redis_process import RedisServer
from workflow.calendar_store import seed_calendar

from .outage_work import CeleryProcess, Load, running_intent_since, settle, supervisor, wait

LONG = os.environ.get("WORK_OUTAGE_TEST") == "1"
LEASE = 3.0  # seconds before the relay sends a pending intent again (300 in production)
# the longest wait between two sends of one intent (1800 in production); the long runs pile up
# thousands of intents, whose sends must not outrun the worker
CAP = 60.0 if LONG else LEASE * 2

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)"),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="a worker, a beat and the test write at once: PostgreSQL (DATABASE_URL)"),
]


@pytest.fixture
def plant(tmp_path, settings):
    """Redis, a worker and a beat of this test's own; the test process publishes to that Redis and
    records intents with the same short lease as theirs."""
    from refsys.server import free_port

    settings.INTENT_LEASE_SECONDS, settings.INTENT_MAX_BACKOFF_SECONDS = LEASE, CAP
    seed_calendar(years=[2026])
    # The worker's first notice would otherwise prepare the PDF face (16 s alone, a minute or more
    # on a loaded CI box) while the load runs, and the settle below would measure that instead.
    from core.pdf import font_file
    font_file()
    redis = RedisServer(free_port()).start()
    use_broker(redis.url)
    worker = CeleryProcess("worker", broker_url=redis.url, workdir=tmp_path, lease=LEASE, cap=CAP).start()
    beat = CeleryProcess("beat", broker_url=redis.url, workdir=tmp_path, lease=LEASE, cap=CAP).start()
    try:
        yield redis, worker, beat
    finally:
        use_broker("memory://")
        beat.stop()
        worker.stop()
        redis.stop()


def run_load(load, seconds: float, every: float, each=None):
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        load.step()
        if each is not None:
            each(time.monotonic() - began)
        time.sleep(every)


def broker_outage(plant, *, before: float, down: float, after: float, every: float, settle_for: float):
    redis, worker, beat = plant
    load = Load()
    assert wait(lambda: "ready." in worker.log.read_text(errors="replace"), seconds=60), "the worker did not start"
    supervise = supervisor(worker, beat)
    run_load(load, before, every)
    redis.stop()
    stopped = time.monotonic()
    run_load(load, down, every, each=supervise)
    lost_meanwhile = Intent.objects.filter(status=Intent.Status.PENDING).count()
    redis.start()
    print(f"\nRedis down {time.monotonic() - stopped:.0f} s under load; {lost_meanwhile} intents pending at its return")
    run_load(load, after, every, each=supervise)
    counted = settle(seconds=settle_for, each=supervise)
    print(counted.line(f"broker outage ({load.steps} steps, {len(load.errors)} failed requests)"))
    return load, counted, lost_meanwhile


def worker_kills(plant, *, kills: int, every: float, settle_for: float, patience: float = 30.0, min_decided: int = 5):
    _redis, worker, _beat = plant
    load = Load()
    state = {"last": timezone.now(), "kills": 0, "cut": 0}

    def maybe_kill(_elapsed):
        running = running_intent_since(state["last"])
        if running is None:
            return
        worker.kill()
        state["last"] = timezone.now()
        state["kills"] += 1
        # the run was cut when its intent is still open after the worker is gone
        state["cut"] += Intent.objects.filter(pk=running, status=Intent.Status.PENDING).exists()
        worker.start()

    began = time.monotonic()
    while state["kills"] < kills and time.monotonic() - began < kills * patience:
        load.step()
        maybe_kill(0)
        time.sleep(every)
    # On a loaded box the kills can all fall before any sub-case was dispatched and decided (CI
    # next to other work, session 9: 48 steps, no decision): go on without killing until a few
    # were, so that approval notices and licences are among what is counted.
    went_on = time.monotonic()
    while load.decided < min_decided and time.monotonic() - went_on < patience * 4:
        load.step()
        time.sleep(every)
    counted = settle(seconds=settle_for)
    print(f"\n{state['kills']} SIGKILLs of the worker, {state['cut']} of them with an intent's run in progress")
    print(counted.line(f"worker kills ({load.steps} steps, {len(load.errors)} failed requests)"))
    return load, counted, state


def logs_tail(plant, lines: int = 40) -> str:
    """The end of the worker's and the beat's logs, for a failure's message: a worker that stopped
    consuming and one that was merely slow read differently there."""
    _redis, worker, beat = plant
    return "\n".join(f"--- {p.log.name}\n" + "\n".join(p.log.read_text(errors="replace").splitlines()[-lines:])
                     for p in (worker, beat))


def check(load, counted, plant):
    assert load.errors == [], load.errors[:5]
    assert counted.kinds["acceptance notices"].expected > 0 and counted.kinds["licences"].expected > 0, counted
    assert (counted.missing, counted.duplicated, counted.pending_intents) == (0, 0, 0), (
        f"{counted}\n{logs_tail(plant)}")


@pytest.mark.skipif(LONG, reason="the long version runs instead")
def test_a_short_broker_outage_under_load_loses_and_duplicates_nothing(plant):
    load, counted, lost_meanwhile = broker_outage(plant, before=4, down=6, after=4, every=0.3, settle_for=240)
    assert lost_meanwhile > 0, "work was asked for while the broker was down"
    check(load, counted, plant)


@pytest.mark.skipif(LONG, reason="the long version runs instead")
def test_killing_the_worker_mid_task_under_load_loses_and_duplicates_nothing(plant):
    load, counted, state = worker_kills(plant, kills=4, every=0.2, settle_for=240)
    assert state["kills"] == 4 and state["cut"] >= 1, state
    check(load, counted, plant)


@pytest.mark.outage
@pytest.mark.skipif(not LONG, reason="on demand: WORK_OUTAGE_TEST=1")
def test_redis_down_300_s_under_load(plant):
    down = float(os.environ.get("WORK_OUTAGE_SECONDS", "300"))
    load, counted, lost_meanwhile = broker_outage(plant, before=30, down=down, after=60, every=1.0, settle_for=900)
    check(load, counted, plant)


@pytest.mark.outage
@pytest.mark.skipif(not LONG, reason="on demand: WORK_OUTAGE_TEST=1")
def test_100_worker_kills_under_load(plant):
    kills = int(os.environ.get("WORK_OUTAGE_KILLS", "100"))
    load, counted, state = worker_kills(plant, kills=kills, every=0.3, settle_for=900)
    assert state["kills"] == kills, state
    check(load, counted, plant)
