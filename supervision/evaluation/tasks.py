"""The evaluation's background work (names kept as `supervision.tasks.*`: queued messages use them)."""

from celery import shared_task

from . import services as evaluation


@shared_task(name="supervision.tasks.build_report")
def build_report(job_id: int) -> str | None:
    """Build a queued report (PDF and XLSX); a job already taken, done or failed is left alone."""
    job = evaluation.export_build(job_id=job_id)
    return job.state if job is not None else None
