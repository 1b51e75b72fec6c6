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
