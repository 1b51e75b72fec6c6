"""Sessions and the cache in Redis when REDIS_URL is set (issue 15, more boxes): every web
process reads a session from the shared cache, written through to the database, so a Redis
restarted empty signs nobody out; without REDIS_URL (`make run`) the database alone, no Redis."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("REDIS_URL", "")
PROBE = ("import json, django; django.setup(); from django.conf import settings as s; "
         "print(json.dumps([s.SESSION_ENGINE, s.CACHES['default']['BACKEND'], s.CELERY_BROKER_URL]))")


def settings_with(**env) -> list[str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER")}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**base, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "true", **env})
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_embedded_default_needs_no_redis_and_redis_url_moves_sessions_and_cache_there():
    assert settings_with() == ["django.contrib.sessions.backends.db",
                               "django.core.cache.backends.locmem.LocMemCache", "filesystem://"]
    assert settings_with(REDIS_URL="redis://127.0.0.1:6379/7") == [
        "django.contrib.sessions.backends.cached_db", "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/7"]


def session_reads(queries) -> list[str]:
    """SELECTs of the session table (the guard's first request writes the last-seen time through)."""
    return [q["sql"] for q in queries.captured_queries
            if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")]


@pytest.mark.django_db
@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis)")
def test_a_signed_in_session_is_read_from_redis_and_survives_redis_losing_it(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": settings.REDIS_URL}}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    user = UserFactory()
    web_a, web_b = Client(), Client()  # two web processes' worth of clients sharing one cookie
    signed_in = web_a.post("/accounts/login/", {"username": user.username, "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.7")
    assert signed_in.status_code == 302
    key = web_a.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()  # written through to the database
    assert cache.get("django.contrib.sessions.cached_db" + key)["_auth_user_id"] == str(user.pk)

    web_b.cookies[settings.SESSION_COOKIE_NAME] = key
    with CaptureQueriesContext(connection) as queries:
        page = web_b.get("/workbench/", follow=True)
    assert page.status_code == 200 and user.real_name in page.content.decode()
    assert session_reads(queries) == []  # the session came from Redis, not the table

    cache.clear()  # Redis restarted empty
    with CaptureQueriesContext(connection) as queries:
        page = web_b.get("/workbench/", follow=True)
    assert page.status_code == 200 and user.real_name in page.content.decode()  # still signed in
    assert len(session_reads(queries)) == 1  # read once from the database, then cached again
    assert cache.get("django.contrib.sessions.cached_db" + key) is not None
