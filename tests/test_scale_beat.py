"""Beat as a single scheduler (issue 15, more boxes): two `celery beat` processes on one Redis,
only the one holding the lock sends; when it is killed the other takes over within the lock's
life (portal.celery.SingleBeatScheduler). Real processes, a Redis server of the test's own."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.redis_process import RedisServer

ROOT = Path(__file__).resolve().parents[1]
LOCK = 2.0  # seconds (30 in production)
SENT = re.compile(r"Sending due task core-relay-intents")

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)"),
]


class Beat:
    def __init__(self, name: str, url: str, workdir: Path):
        self.log = workdir / f"beat-{name}.log"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "REDIS_URL", "DATABASE_URL")}
        env.update(DJANGO_SETTINGS_MODULE="tests.settings", CELERY_BROKER_URL=url, REDIS_URL=url,
                   BEAT_LOCK_SECONDS=str(LOCK), INTENT_RELAY_INTERVAL_SECONDS="0.5",
                   EXCHANGE_RELAY_INTERVAL_SECONDS="600", SWEEP_INTERVAL_SECONDS="600",
                   FIGURES_REFRESH_SECONDS="600", PAYMENT_QUERY_INTERVAL_SECONDS="600")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "portal", "beat", "-s", str(workdir / f"schedule-{name}"),
                 "-l", "info"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def sends(self) -> int:
        return len(SENT.findall(self.log.read_text(errors="replace")))

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(30)


def wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def relay_messages(client: redis.Redis) -> int:
    return sum(b"core.tasks.relay_intents" in m for m in client.lrange("celery", 0, -1))


def test_two_beats_send_once_and_the_second_takes_over_when_the_first_dies(tmp_path):
    from refsys.server import free_port

    server = RedisServer(free_port()).start()
    client = redis.Redis.from_url(server.url)
    first = second = None
    try:
        first = Beat("a", server.url, tmp_path)
        assert wait(lambda: first.sends() >= 2, 90), first.log.read_text(errors="replace")[-2000:]
        second = Beat("b", server.url, tmp_path)
        assert wait(lambda: "beat: Starting" in second.log.read_text(errors="replace"), 90)

        # both running for a while: the relay's tick (every 0.5 s) is sent by the first alone
        time.sleep(2 * LOCK)
        queued_before, first_before = relay_messages(client), first.sends()
        time.sleep(3 * LOCK)
        sent_by_first = first.sends() - first_before
        assert sent_by_first >= 6, first.log.read_text(errors="replace")[-2000:]
        assert second.sends() == 0, second.log.read_text(errors="replace")[-2000:]
        # the queue got exactly what the first logged: nobody else sent (a message or two in flight)
        assert abs((relay_messages(client) - queued_before) - sent_by_first) <= 1

        first.stop(signal.SIGKILL)  # no goodbye: its lock expires on its own
        killed = time.monotonic()
        assert wait(lambda: second.sends() >= 1, 4 * LOCK + 10), second.log.read_text(errors="replace")[-2000:]
        took_over = time.monotonic() - killed
        print(f"\nthe second beat took over {took_over:.1f} s after the first was killed (lock {LOCK:.0f} s)")
        assert "beat: took the lock" in second.log.read_text(errors="replace")
        assert wait(lambda: second.sends() >= 4, 10)
    finally:
        for beat in (first, second):
            if beat is not None:
                beat.stop()
        server.stop()
