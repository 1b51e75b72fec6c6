"""Thin Celery wrappers: load by id, skip when done, call a service, log."""

import logging

from celery import shared_task

from . import services
from .models import Application, Notice

logger = logging.getLogger(__name__)


@shared_task
def dispatch_subcases(application_id: int) -> None:
    done = services.dispatch_subcases(application_id=application_id)
    logger.info("dispatch_subcases %s: %s", application_id, "done" if done else "skipped (already dispatched)")


@shared_task
def generate_notice(application_id: int, kind: str) -> None:
    from .documents import generate_notice as generate

    application = Application.objects.filter(pk=application_id).first()
    if application is None or Notice.objects.filter(key=f"{application_id}:{kind}").exists():
        logger.info("generate_notice %s %s: skipped", application_id, kind)
        return
    generate(application=application, kind=kind)
    logger.info("generate_notice %s %s: done", application_id, kind)


@shared_task
def prepare_result(application_id: int) -> None:
    done = services.prepare_result(application_id=application_id)
    logger.info("prepare_result %s: %s", application_id, "done" if done else "skipped")


@shared_task
def recover_stalled() -> dict:
    """Re-queue background steps whose message was lost (broker down at commit time)."""
    stalled = services.stalled_application_ids()
    for pk in stalled["dispatch"]:
        dispatch_subcases.delay(pk)
    for pk in stalled["result"]:
        prepare_result.delay(pk)
    for pk in stalled["notice"]:
        generate_notice.delay(pk, "acceptance")
    if any(stalled.values()):
        logger.warning("recover_stalled re-queued %s", stalled)
    return {k: len(v) for k, v in stalled.items()}


@shared_task
def deem_overdue_applications_accepted() -> list[str]:
    """Beat, hourly: applications the window left undecided past 5 working days (art. 32)."""
    return services.deem_overdue_applications_accepted()
