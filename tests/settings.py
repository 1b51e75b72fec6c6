"""Settings for the test run: the project's own settings with what plain-HTTP test clients need.

The real settings fail closed (no SECRET_KEY → no start, HTTPS-only cookies, SSL redirect); the
test client speaks HTTP to `testserver`, so those are relaxed here, and only here. Tests that
check the production behaviour set them back with the `settings` fixture or run
scripts/prod-check.sh.
"""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-" + secrets.token_urlsafe(40))

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
