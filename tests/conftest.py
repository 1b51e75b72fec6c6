import pytest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIServer
from django.test.testcases import LiveServerThread

from portal.celery import app as celery_app


class SerialLiveServer(WSGIServer):
    """One request at a time, each answered with `Connection: close` (Django's handler closes
    persistent connections on a server without threads)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


def make_live_server(*args, connections_override=None, **kwargs):
    """The live server of the browser and exchange tests: one thread per request, except on
    SQLite in memory (`make test`), where every thread of the server would share the test's one
    connection (Django's docs warn that simultaneous queries on it fail at random): there it
    answers one request at a time. The payment test's two sandbox notifications arriving with the
    browser's return to /payments/ failed that way once in session 7 (the fee still unpaid)."""
    if connections_override:  # only given for SQLite in memory
        return SerialLiveServer(*args, connections_override=connections_override, **kwargs)
    return ThreadedWSGIServer(*args, connections_override=connections_override, **kwargs)


LiveServerThread.server_class = staticmethod(make_live_server)


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
def _empty_memory_broker():
    """Each test starts with the in-memory broker's queues empty. With no worker, whatever earlier
    tests of the process queued on commit stays there, and the intent relay reads the queue's
    length (backpressure): past `INTENT_RELAY_MAX_QUEUED` it would send nothing, so a test
    calling `relay_due()` passed or failed by what ran before it (CI, session 8)."""
    from kombu.transport.memory import Channel

    for queue in Channel.queues.values():
        queue.queue.clear()


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


@pytest.fixture
def tuesday_10_november_2026(time_machine):
    """A working Tuesday morning in Beijing, its year's calendar seeded, the cache empty (the
    district tests of issue 15 use it)."""
    from django.core.cache import cache

    from workflow.calendar_store import seed_calendar

    time_machine.move_to("2026-11-10 10:00 +08:00")
    seed_calendar(years=[2026])
    cache.clear()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker, tmp_path_factory):
    """A transaction around a whole module (on one xdist worker), for worlds that many tests read:
    what a module-scoped fixture builds in it is there for each of the module's tests, whose own
    transactions (`db`) are savepoints inside it, and everything is rolled back after the module's
    last test. tests/test_permissions.py built its world 652 times (124 s of a run's 1,600). What
    the autouse fixtures above give each test is given to the building: a throw-away media folder,
    fast passwords, an empty cache. Not for a module with transactional tests (they flush the
    database) nor for worlds whose rows a test reads as Python objects it may change (hand out
    fresh copies per test)."""
    from django.core.cache import cache
    from django.db import transaction
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("module-db")
    with (django_db_blocker.unblock(),
          override_settings(MEDIA_ROOT=folder / "media", AUDIT_ANCHOR_DIR=folder / "audit-anchors",
                            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
          transaction.atomic()):
        cache.clear()
        yield
        transaction.set_rollback(True)
    cache.clear()


@pytest.fixture(autouse=True)
def _module_db_tests_run_in_savepoints(request):
    """A test of a `module_db` world must have its own transaction (`db` or the django_db mark):
    without one, what it writes would stay for the module's next tests."""
    names = set(request.fixturenames)
    if "module_db" in names and "db" not in names and not request.node.get_closest_marker("django_db"):
        pytest.fail("a test reading a module_db world needs the `db` fixture or the django_db mark")
    if "module_db" in names and "transactional_db" in names:
        pytest.fail("a transactional test would flush the module_db world")
