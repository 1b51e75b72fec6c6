"""The Celery app. Broker: REDIS_URL in production and CI; kombu's filesystem transport under
var/broker for the embedded `make run` (settings.py)."""

import logging
import os

from celery import Celery
from celery.beat import PersistentScheduler

logger = logging.getLogger("portal.beat")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("tongban")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):
    """The embedded filesystem broker needs its folders before the first message."""
    from pathlib import Path

    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


class SingleBeatScheduler(PersistentScheduler):
    """Beat as a single scheduler: any number of beat processes may run (compose, two boxes), only
    the one holding a lock in Redis sends. The holder renews the lock (`SET … PX`, checked and
    extended by a script that compares its token) every third of BEAT_LOCK_SECONDS; the others
    try to take it as often, so when the holder dies its lock expires and another beat sends
    within BEAT_LOCK_SECONDS. Redis away: nobody holds it and nobody sends (the sends would fail
    anyway); the first beat to reach Redis again takes it.

    Without Redis (`make run`'s filesystem broker, one embedded beat) there is no lock. A beat
    taking over sends once whatever came due while it stood by, crontab entries included (late
    rather than lost: every task is safe to run twice). docs/decisions.md, "Beat as a single
    scheduler"."""

    KEY = "tongban:beat:lock"
    _RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
              "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end")
    _RELEASE = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
                "return redis.call('del', KEYS[1]) else return 0 end")

    def __init__(self, *args, **kwargs):
        import socket
        import uuid

        from django.conf import settings

        self.lock_seconds = float(getattr(settings, "BEAT_LOCK_SECONDS", 30.0))
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self.holding = False
        url = self._lock_url(settings)
        self.redis = None
        if url:
            import redis

            self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        super().__init__(*args, **kwargs)

    @staticmethod
    def _lock_url(settings) -> str:
        broker = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
        if broker.startswith(("redis://", "rediss://")):
            return broker  # the lock lives where the sends go
        return getattr(settings, "REDIS_URL", "") or ""

    def _hold(self) -> bool:
        """Take or renew the lock; whether this beat holds it now."""
        ttl = int(self.lock_seconds * 1000)
        try:
            if self.holding and self.redis.eval(self._RENEW, 1, self.KEY, self.token, ttl):
                return True
            held = bool(self.redis.set(self.KEY, self.token, nx=True, px=ttl))
        except Exception as error:  # Redis away: not held
            if self.holding:
                logger.warning("beat: lost the lock (Redis unavailable: %s); not sending", error)
            self.holding = False
            return False
        if held != self.holding:
            logger.warning("beat: %s the lock (%s)", "took" if held else "lost", self.token)
        self.holding = held
        return held

    def tick(self, *args, **kwargs):
        if self.redis is None:
            return super().tick(*args, **kwargs)
        step = max(self.lock_seconds / 3, 0.1)
        if not self._hold():
            return step  # standing by: try again a third of the lock's life from now
        return min(super().tick(*args, **kwargs), step)

    def close(self):
        try:
            super().close()
        finally:
            if self.redis is not None and self.holding:
                try:
                    self.redis.eval(self._RELEASE, 1, self.KEY, self.token)
                except Exception:  # Redis away: the lock expires on its own
                    pass
                self.holding = False
