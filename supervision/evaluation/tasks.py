"""The evaluation's background work (names kept as `supervision.tasks.*`: queued messages use them)."""

from celery import shared_task

from core.intents import fulfil

from . import services as evaluation
from .models import ReportJob

FINISHED = (ReportJob.State.DONE, ReportJob.State.FAILED)


@shared_task(name="supervision.tasks.build_report")
def build_report(job_id: int, intent_id: int | None = None) -> str | None:
    """Build a queued report (PDF and XLSX); a job done, failed or running under another worker's
    lease is left alone. Its intent closes when the job reached done or failed: a job another
    worker holds stays asked for, and is taken again if that worker died (its lease ran out)."""
    job = fulfil(intent_id, lambda: evaluation.export_build(job_id=job_id),
                 finished=lambda job: job is None or job.state in FINISHED, label=f"report {job_id}")
    return job.state if job is not None else None
