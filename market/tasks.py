"""The market's reminder (name `market.tasks.send_reminders` for beat)."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="market.tasks.send_reminders")
def send_reminders() -> int:
    """Beat, hourly in the day: owners of contracts past their due date and not delivered (each once)."""
    return services.remind_late_contracts(timezone.localdate())
