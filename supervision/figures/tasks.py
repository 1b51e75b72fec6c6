"""The rollups' background work (names kept as `supervision.tasks.*`: beat and queued messages use them)."""

import datetime as dt

from celery import shared_task

from core.intents import fulfil

from . import services as figures


@shared_task(name="supervision.tasks.refresh_figures")
def refresh_figures() -> int:
    """Beat, every 5 minutes: the dashboard's rollups of the last 21 days (all of them when the
    calendar changed). Delete + insert of whole days: running it twice is harmless."""
    return figures.refresh_recent()


@shared_task(name="supervision.tasks.refresh_all_figures")
def refresh_all_figures() -> int:
    """Beat, nightly: every day's rollups (events back-dated beyond 21 days, e.g. a resubmission)."""
    return figures.refresh_all()


@shared_task(name="supervision.tasks.refresh_figure_days")
def refresh_figure_days(first: str, last: str, intent_id: int | None = None) -> int | None:
    """The rollups of those days again: queued on commit by an event of a recent day, or the
    intent of a change dated before the beat's window (an appeal accepted on an old rating, an
    event back-dated), closed in the refresh's transaction. Delete + insert of whole days: safe
    to run twice."""
    return fulfil(intent_id, lambda: figures.refresh_rollups(first=dt.date.fromisoformat(first),
                                                            last=dt.date.fromisoformat(last)),
                  label=f"figures {first}..{last}")
