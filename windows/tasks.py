import logging

from celery import shared_task

from . import queue_services

logger = logging.getLogger(__name__)


@shared_task
def daily_appointments() -> dict:
    """Beat runs this every morning: slots for the coming working days (idempotent: existing
    slots are kept) and 爽约 for bookings whose slot ended without a check-in."""
    made = queue_services.generate_slots()
    missed = queue_services.appointments_mark_missed()
    logger.info("appointment slots made: %s, bookings marked missed: %s", made, missed)
    return {"slots_made": made, "missed": missed}


@shared_task
def send_reminders() -> int:
    """Tomorrow's appointments (daily; once per appointment)."""
    from django.utils import timezone

    from .messaging import remind_appointments

    return remind_appointments(timezone.localdate())
