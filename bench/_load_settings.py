"""Settings of the gunicorn that bench_load.py drives (a helper module, not a benchmark): the
portal's own settings, with bench/_minimal_insert.py's URLs (the portal's plus the baseline's
minimal insert) so that one server answers both, and the static files' manifest without the
compressed copies (collectstatic in 2 s instead of 70; the pages name the same hashed files and
the load test fetches none of them)."""

from portal.settings import *  # noqa: F403
from portal.settings import STORAGES

ROOT_URLCONF = "_minimal_insert"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
