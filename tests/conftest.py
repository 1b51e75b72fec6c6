import pytest

from portal.celery import app as celery_app


def use_broker(url: str) -> None:
    """Point the Celery app at another broker, dropping its cached connections."""
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = {}
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.__dict__["amqp"]._producer_pool = None


# Tests check background work by running the tasks themselves (and a real worker in the broker
# tests, which switch to Redis); messages queued on commit go to an in-memory broker meanwhile.
use_broker("memory://")


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Uploaded materials and notices go to a throw-away folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"  # the chain's anchors (core/anchors.py)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Attempt counters (sign-up, claim, look-ups) live in the cache; each test starts from none,
    whatever address its client uses. Cleared before the test, when nothing of it is queued yet."""
    from django.core.cache import cache

    cache.clear()
