"""The cards' background work (names kept as `supervision.tasks.*`: beat and queued messages use them)."""

from celery import shared_task

from . import services


@shared_task(name="supervision.tasks.sweep_deadlines")
def sweep_deadlines() -> dict:
    """Beat runs this every minute; running it twice in a row changes nothing the second time."""
    return services.sweep_deadlines()
