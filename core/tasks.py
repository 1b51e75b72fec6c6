"""The relay of background work (core.intents): beat sends it every few seconds."""

import logging

from celery import shared_task

from . import intents

logger = logging.getLogger(__name__)


@shared_task
def relay_intents() -> int:
    """Beat, every INTENT_RELAY_INTERVAL_SECONDS: send again every intent not done after its lease."""
    return intents.relay_due()


@shared_task
def forget_done_intents() -> int:
    """Beat, nightly: done intents older than INTENT_KEEP_DAYS leave the table."""
    return intents.forget_done()
