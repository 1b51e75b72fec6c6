"""The rating reminder (name `supervision.tasks.send_reminders` for beat)."""

from celery import shared_task
from django.utils import timezone

from .reminders import remind_ratings


@shared_task(name="supervision.tasks.send_reminders")
def send_reminders() -> int:
    """Beat, hourly in the day: cases handed out and not rated (each case once)."""
    return remind_ratings(timezone.localdate())
