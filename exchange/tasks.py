"""Thin Celery wrappers over the relay and the reconciler."""

import logging

from celery import shared_task

from . import relay

logger = logging.getLogger(__name__)


@shared_task
def deliver_message(outbox_id: int) -> str | None:
    """One attempt at one outbox message (woken on commit). A failed attempt is not retried here:
    the row carries its next attempt time and the periodic relay takes it then."""
    outcome = relay.deliver(outbox_id)
    logger.info("deliver_message %s: %s", outbox_id, outcome or "skipped (not due or taken)")
    return outcome


@shared_task
def relay_outbox() -> dict:
    """Beat, every few seconds: every due message once."""
    counts = relay.relay_due()
    if counts:
        logger.info("relay_outbox: %s", counts)
    return counts


@shared_task
def reconcile_departments() -> list[dict]:
    """Beat, every 10 minutes: compare with every department system (exchange.reconcile)."""
    from . import departments, reconcile

    departments.forget_old_nonces()
    return [{"department": run.department.code, "ok": run.ok, "unacknowledged": len(run.unacknowledged),
             "resent": len(run.resent), "applied": len(run.applied), "rejected": len(run.rejected)}
            for run in reconcile.reconcile_all()]


@shared_task
def sync_catalog() -> dict | None:
    """Beat, hourly: new versions of the province catalog feed (exchange.catalog_sync)."""
    from . import catalog_sync

    return catalog_sync.sync_catalog()


@shared_task
def send_reminders() -> int:
    """Licences expiring within 30 days (daily; once per licence and expiry date)."""
    from django.utils import timezone

    from .messaging import remind_licence_expiry

    return remind_licence_expiry(timezone.localdate())
