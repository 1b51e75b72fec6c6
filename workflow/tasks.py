"""Thin Celery wrappers: load by id, skip when done, call a service, log.

The tasks services ask for (workflow.enqueue) take the id of their intent (`intent_id`, given by
the wake-up and the relay) and run through `core.intents.fulfil`: a done intent is skipped, and
the intent is marked done in the transaction of the effect. They acknowledge late and a worker
lost mid-task requeues them (settings: CELERY_TASK_ACKS_LATE, CELERY_TASK_REJECT_ON_WORKER_LOST).
"""

import logging

from celery import shared_task
from django.db import transaction

from core.intents import fulfil

from . import enqueue, services
from .models import Application, Notice, SubCase, SubCaseExtension, SubCasePause

logger = logging.getLogger(__name__)


@shared_task
def dispatch_subcases(application_id: int, intent_id: int | None = None) -> None:
    done = fulfil(intent_id, lambda: services.dispatch_subcases(application_id=application_id))
    logger.info("dispatch_subcases %s: %s", application_id, "done" if done else "skipped (already dispatched)")


@shared_task
def generate_notice(application_id: int, kind: str, subcase_id: int | None = None, key_suffix: str = "",
                    intent_id: int | None = None) -> None:
    """Issue one notice (`documents.generate_notice`) once; a second run finds it and skips.

    `subcase_id` for a sub-case's notices (special_procedure, extension, approval, denial).
    `key_suffix` names the record behind a repeatable notice: the SupplementRequest id
    (supplement; default the latest request), the SubCasePause id (special_procedure; default
    the latest) or the approved SubCaseExtension id (extension; default the latest).
    """
    fulfil(intent_id, lambda: _generate_notice(application_id, kind, subcase_id, key_suffix),
           label=f"notice {application_id} {kind}")


def _generate_notice(application_id: int, kind: str, subcase_id: int | None, key_suffix: str) -> None:
    from . import documents

    label = " ".join(str(part) for part in (application_id, kind, subcase_id or "", key_suffix) if part != "")
    if key_suffix or kind not in (Notice.Kind.SUPPLEMENT, Notice.Kind.SPECIAL_PROCEDURE, Notice.Kind.EXTENSION):
        if Notice.objects.filter(key=documents.notice_key(application_id, kind, subcase_id, key_suffix)).exists():
            logger.info("generate_notice %s: skipped (exists)", label)
            return
    application = Application.objects.filter(pk=application_id).first()
    subcase = SubCase.objects.filter(pk=subcase_id, application_id=application_id).first() if subcase_id else None
    if application is None or (subcase_id and subcase is None):
        logger.warning("generate_notice %s: skipped (no such application or sub-case)", label)
        return
    extra = _notice_extra(kind, subcase, key_suffix)
    if extra is None:
        logger.warning("generate_notice %s: skipped (no record %r)", label, key_suffix)
        return
    try:
        notice, created = documents.issue_notice(application=application, kind=kind, subcase=subcase, context_extra=extra)
    except Exception:
        logger.exception("generate_notice %s: failed", label)
        raise
    logger.info("generate_notice %s: %s (%s)", label, "done" if created else "skipped (exists)", notice.key)


def _notice_extra(kind: str, subcase: SubCase | None, key_suffix: str) -> dict | None:
    """The facts of a repeatable notice from the record that caused it; None when it is gone."""
    from . import documents

    if key_suffix and not str(key_suffix).isdigit() and kind in (
        Notice.Kind.SUPPLEMENT, Notice.Kind.SPECIAL_PROCEDURE, Notice.Kind.EXTENSION,
    ):
        return None  # these suffixes are record ids
    if kind == Notice.Kind.SUPPLEMENT:
        return {"supplement_request_id": int(key_suffix)} if key_suffix else {}
    if kind == Notice.Kind.SPECIAL_PROCEDURE:
        pauses = SubCasePause.objects.filter(subcase=subcase).order_by("-started_on", "-pk")
        pause = pauses.filter(pk=key_suffix).first() if key_suffix else pauses.first()
        return documents.special_procedure_extra(pause) if pause is not None else None
    if kind == Notice.Kind.EXTENSION:
        extensions = SubCaseExtension.objects.filter(subcase=subcase, status=SubCaseExtension.Status.APPROVED)
        extension = extensions.filter(pk=key_suffix).first() if key_suffix else extensions.order_by("-pk").first()
        return documents.extension_extra(extension) if extension is not None else None
    return {"key_suffix": key_suffix} if key_suffix else {}


@shared_task
def prepare_result(application_id: int, intent_id: int | None = None) -> None:
    done = fulfil(intent_id, lambda: services.prepare_result(application_id=application_id))
    logger.info("prepare_result %s: %s", application_id, "done" if done else "skipped")


@shared_task
def issue_licence(subcase_id: int, intent_id: int | None = None) -> None:
    """Put an approved sub-case's licence into the e-licence store (exchange), once; deliver the
    application electronically when it was the last licence it waited for."""
    try:
        created = fulfil(intent_id, lambda: services.issue_subcase_licence(subcase_id=subcase_id))
    except Exception:
        logger.exception("issue_licence %s: failed", subcase_id)
        raise
    logger.info("issue_licence %s: %s", subcase_id, "done" if created else "skipped (exists or not approved)")


@shared_task
def recover_stalled() -> dict:
    """The reconciler by facts (beat, every 5 minutes): steps the cases' states say are missing
    are asked for again as intents. Since every step is recorded as an intent with its change,
    this finds only work older than the intents table, or whose intent was deleted by hand; the
    intent relay (`core.tasks.relay_intents`) is what finishes work after an outage."""
    stalled = services.stalled_application_ids()
    with transaction.atomic():  # recorded together, woken on commit
        for pk in stalled["dispatch"]:
            enqueue.dispatch_subcases(pk)
        for pk in stalled["result"]:
            enqueue.prepare_result(pk)
        for pk in stalled["notice"]:
            enqueue.generate_notice(pk, "acceptance")
        for pk in stalled["licence"]:
            enqueue.issue_licence(pk)
    if any(stalled.values()):
        logger.warning("recover_stalled re-queued %s", stalled)
    return {k: len(v) for k, v in stalled.items()}


@shared_task
def deem_overdue_applications_accepted() -> list[str]:
    """Beat, hourly: applications the window left undecided past 5 working days (art. 32)."""
    return services.deem_overdue_applications_accepted()


@shared_task
def send_reminders() -> int:
    """容缺 materials due soon, supplements still owed, results waiting at the hall (hourly in the
    day; each message once by its dedupe key)."""
    from django.utils import timezone

    from .messaging import remind_deferred_due, remind_results_to_collect, remind_supplements_waiting

    today = timezone.localdate()
    return remind_deferred_due(today) + remind_supplements_waiting(today) + remind_results_to_collect(today)


@shared_task
def purge_pending_uploads() -> int:
    """Beat, hourly: remove everyone's kept form files (`PendingUpload`) older than a day, not only
    those of users who come back (`pending.keep` purges its owner's). Safe to run twice."""
    from . import pending

    removed = pending.purge()
    logger.info("purge_pending_uploads: %s removed", removed)
    return removed
