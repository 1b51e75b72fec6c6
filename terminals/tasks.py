"""Thin Celery wrappers over terminals' services."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task
def forget_old_nonces() -> int:
    """Beat, every 10 minutes: nonces older than twice the timestamp window can no longer be
    replayed (the timestamp check refuses them first), so their rows go."""
    deleted = services.forget_old_nonces()
    if deleted:
        logger.info("forget_old_nonces: %d deleted", deleted)
    return deleted
