"""The relay of background work (core.intents): beat sends it every few seconds."""

import logging

from celery import shared_task

from . import anchors, intents

logger = logging.getLogger(__name__)


@shared_task
def relay_intents() -> int:
    """Beat, every INTENT_RELAY_INTERVAL_SECONDS: send again every intent not done after its lease."""
    return intents.relay_due()


@shared_task
def forget_done_intents() -> int:
    """Beat, nightly: done intents older than INTENT_KEEP_DAYS leave the table."""
    return intents.forget_done()


@shared_task
def seal_audit_anchors() -> list[str]:
    """Beat, after midnight: yesterday's chain ends (and any earlier day's without one) sealed
    into signed anchor files outside the database; a day already anchored is left alone."""
    days = anchors.seal_finished_days()
    logger.info("audit anchors sealed: %s", ", ".join(map(str, days)) or "none due")
    return [d.isoformat() for d in days]
