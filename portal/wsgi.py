import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps, their models: ~190,000 objects) lives as long as the
# worker: frozen out of the cyclic collector's reach, a full collection (about one in 200
# requests) scans what requests make instead: 143 ms → 6 ms on the clerk's card list at 1M
# (docs/decisions.md, session 18).
gc.freeze()
