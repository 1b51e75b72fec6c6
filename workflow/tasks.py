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
