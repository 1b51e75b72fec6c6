"""Settings for the test run: the project's own settings with what plain-HTTP test clients need.

The real settings fail closed (no SECRET_KEY → no start, HTTPS-only cookies, SSL redirect); the
test client speaks HTTP to `testserver`, so those are relaxed here, and only here. Tests that
check the production behaviour set them back with the `settings` fixture or run
scripts/prod-check.sh.
"""

import base64
import os
import secrets
from urllib.parse import urlsplit

os.environ.setdefault("SECRET_KEY", "tests-" + secrets.token_urlsafe(40))
# Personal data at rest (core/pii.py): a reading-only old key and a writing key, as after a rotation.
os.environ.setdefault("PII_KEYS", " ".join(f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()}"
                                          for kid in ("t2", "t1")))
os.environ.setdefault("PII_INDEX_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
# The audit chain's anchor signing key (core/anchors.py); each test writes its anchors to its own
# folder (tests/conftest.py).
os.environ.setdefault("AUDIT_ANCHOR_KEY", base64.b64encode(secrets.token_bytes(32)).decode())


def _worker_redis(url: str, worker: str) -> str:
    """Each pytest-xdist worker gets its own Redis database (gw0 → 1, gw1 → 2, …): the tests
    clear the cache and run Celery workers, which must not reach another worker's test. The
    databases (test_tongban_gw0, …) are kept apart by pytest-django itself."""
    if not url or not worker.startswith("gw"):
        return url
    return urlsplit(url)._replace(path=f"/{int(worker[2:]) + 1}").geturl()


if os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _worker_redis(os.environ["REDIS_URL"], os.environ.get("PYTEST_XDIST_WORKER", ""))

from portal.settings import *  # noqa: E402,F403

DEBUG = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Templates name static files without a collectstatic manifest; whitenoise serves them from the
# finders for the browser tests' live server.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
# The second factor for staff is switched off for the suite as a whole; tests/accounts/
# test_sign_in.py turns it on and signs in with TOTP codes.
OTP_REQUIRED = False
