"""Thin Celery wrappers over the relay and the reconciler."""

import logging

from celery import shared_task

from . import relay

logger = logging.getLogger(__name__)


@shared_task
def deliver_message(outbox_id: int) -> str | None:
    """One attempt at one outbox message (woken on commit). A failed attempt is not retried here:
    the row carries its next attempt time and the periodic relay takes it then."""
    outcome = relay.deliver(outbox_id)
    logger.info("deliver_message %s: %s", outbox_id, outcome or "skipped (not due or taken)")
    return outcome


@shared_task
def relay_outbox() -> dict:
    """Beat, every few seconds: every due message once."""
    counts = relay.relay_due()
    if counts:
        logger.info("relay_outbox: %s", counts)
    return counts
