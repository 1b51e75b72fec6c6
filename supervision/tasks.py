import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task
def sweep_deadlines() -> dict:
    """Beat runs this every minute; running it twice in a row changes nothing the second time."""
    return services.sweep_deadlines()


@shared_task
def build_report(job_id: int) -> str | None:
    """Build a queued report (PDF and XLSX); a job already taken, done or failed is left alone."""
    from . import evaluation

    job = evaluation.export_build(job_id=job_id)
    return job.state if job is not None else None


@shared_task
def refresh_figures() -> int:
    """Beat, every 5 minutes: the dashboard's rollups of the last 21 days (all of them when the
    calendar changed). Delete + insert of whole days: running it twice is harmless."""
    from . import figures

    return figures.refresh_recent()


@shared_task
def refresh_all_figures() -> int:
    """Beat, nightly: every day's rollups (events back-dated beyond 21 days, e.g. a resubmission)."""
    from . import figures

    return figures.refresh_all()



@shared_task
def refresh_figure_days(first: str, last: str) -> int:
    """Queued on commit by a change dated before the beat's window (an appeal accepted on an old
    rating): the rollups of those days again. Delete + insert of whole days: safe to run twice."""
    import datetime as dt

    from . import figures

    return figures.refresh_rollups(first=dt.date.fromisoformat(first), last=dt.date.fromisoformat(last))
