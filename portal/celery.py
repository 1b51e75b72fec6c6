"""The Celery app. Broker: REDIS_URL in production and CI; kombu's filesystem transport under
var/broker for the embedded `make run` (settings.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("tongban")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
