"""The reconciler: compares, per department system, what we sent with what it received and what
it decided with what we applied.

- a message still unacknowledged (pending or dead) after `older_than` is listed;
- a message we hold as delivered that the department does not list is re-sent (same id);
- a decision the department lists that we never recorded is applied now (source "reconciler"),
  through the same path as a pushed one, so it cannot be applied twice.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from .departments import receive_decision, relay_settings, resend, signing_key
from .models import DepartmentSystem, InboundMessage, OutboxMessage, Reconciliation
from .relay import signed_get

logger = logging.getLogger(__name__)


def reconcile_system(system: DepartmentSystem, *, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> Reconciliation:
    run = Reconciliation(department=system.department)
    cutoff = timezone.now() - older_than
    ours = OutboxMessage.objects.filter(department=system.department)
    run.unacknowledged = [
        {"message_id": m.message_id.hex, "case_ref": m.case_ref, "status": m.status, "attempts": m.attempts}
        for m in ours.exclude(status=OutboxMessage.Status.DELIVERED).filter(created_at__lt=cutoff).order_by("pk")
    ]
    key = signing_key(system)
    timeout = relay_settings()["timeout"]
    ask = {"department": system.department.code, "key_id": key.key_id, "secret": key.secret, "timeout": timeout}
    status, received, error = signed_get(system.base_url, "/api/subcases/", **ask)
    if status != 200:
        run.ok, run.error = False, f"/api/subcases/: {status or ''} {error}".strip()[:255]
        run.save()
        logger.warning("reconcile %s: %s", system.department.code, run.error)
        return run
    theirs = {str(r.get("message_id")) for r in received.get("received", [])}
    missing = [m for m in ours.filter(status=OutboxMessage.Status.DELIVERED) if m.message_id.hex not in theirs]
    if missing:
        # `resend` only takes undelivered rows: these were delivered as far as we know
        OutboxMessage.objects.filter(pk__in=[m.pk for m in missing]).update(status=OutboxMessage.Status.PENDING)
        for m in missing:
            m.status = OutboxMessage.Status.PENDING
        resend(missing)
    run.resent = [{"message_id": m.message_id.hex, "case_ref": m.case_ref} for m in missing]

    status, decided, error = signed_get(system.base_url, "/api/decisions/", **ask)
    if status != 200:
        run.ok, run.error = False, f"/api/decisions/: {status or ''} {error}".strip()[:255]
    else:
        decisions = [d for d in decided.get("decisions", []) if isinstance(d, dict) and d.get("message_id")]
        known = set(InboundMessage.objects.filter(message_id__in=[str(d["message_id"]) for d in decisions])
                    .values_list("message_id", flat=True))
        for decision in decisions:
            if str(decision["message_id"]) in known:
                continue
            decision = {k: v for k, v in decision.items() if k != "sent"}
            code, answer = receive_decision(system, decision, source="reconciler")
            entry = {"message_id": str(decision["message_id"]), "case_ref": str(decision.get("subcase", "")),
                     "kind": str(decision.get("kind", "")), "code": answer.get("code", "")}
            (run.applied if code == 200 else run.rejected).append(entry)
    run.save()
    if run.unacknowledged or run.resent or run.applied or run.rejected or not run.ok:
        logger.warning("reconcile %s: %d unacknowledged, %d re-sent, %d decisions applied, %d rejected%s",
                       system.department.code, len(run.unacknowledged), len(run.resent), len(run.applied),
                       len(run.rejected), f", error {run.error}" if run.error else "")
    return run


def reconcile_all(**kwargs) -> list[Reconciliation]:
    return [reconcile_system(system, **kwargs)
            for system in DepartmentSystem.objects.filter(active=True).select_related("department")]
