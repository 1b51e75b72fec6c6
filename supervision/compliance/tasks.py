"""The nightly audit-chain check (name kept as `supervision.tasks.verify_audit_chains` for beat)."""

from celery import shared_task

from .audit_alert import check_chains_and_alert


@shared_task(name="supervision.tasks.verify_audit_chains")
def verify_audit_chains() -> int:
    """Beat, nightly after the anchors: `verify_audit` with an alert; safe to run twice (the
    alert is sent once per set of breaks). Returns the number of broken tables."""
    return len(check_chains_and_alert())
