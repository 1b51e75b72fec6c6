import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task
def sweep_deadlines() -> dict:
    """Beat runs this every minute; running it twice in a row changes nothing the second time."""
    return services.sweep_deadlines()
