"""The reconciler: compares, per department system, what we sent with what it received and what
it decided with what we applied.

- a message still unacknowledged (pending or dead) after `older_than` is listed;
- a message we hold as delivered that the department does not list is re-sent (same id);
- the lists are read from where the last run ended (`DepartmentSystem.cursor`, `?since=`), and
  whole again when the department's store is another one or shorter than the cursor (a restore);
- a decision the department lists that we never recorded is applied now (source "reconciler"),
  through the same path as a pushed one, so it cannot be applied twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.utils import timezone

from .departments import receive_decision, relay_settings, resend, signing_key
from .models import DepartmentSystem, InboundMessage, OutboxMessage, Reconciliation
from .relay import signed_get

logger = logging.getLogger(__name__)


def _read_list(system, path: str, key: str, ask: dict, cursor: dict) -> tuple[int, list, str, dict]:
    """Read the department's list `path` from the cursor on, page by page: (status, rows, error,
    {"store", "next", "full"}). A cursor of another store, or beyond the list's end (a store
    restored from an older copy), is dropped and the whole list read (`full`)."""
    since = int(cursor.get(key) or 0) if cursor.get("store") else 0
    full, rows = not cursor.get("store"), []
    while True:
        status, answer, error = signed_get(system.base_url, f"{path}?since={since}", **ask)
        if status != 200:
            return status, rows, error, {}
        store = str(answer.get("store") or "")
        if not full and (store != cursor.get("store") or int(answer.get("last") or 0) < since):
            since, full, rows = 0, True, []  # not the store we read before: from the beginning
            continue
        rows += [r for r in answer.get(key, []) if isinstance(r, dict)]
        since = int(answer.get("next") or since)
        if not answer.get("more"):
            return 200, rows, "", {"store": store, "next": since, "full": full}


def reconcile_system(system: DepartmentSystem, *, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> Reconciliation:
    """One comparison, reading only what the department's lists gained since the last one (its
    `cursor`): receipts confirm our delivered messages (`confirmed_at`); a delivered message still
    unconfirmed once the list has been read is re-sent; a decision we never recorded is applied."""
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
    cursor = dict(system.cursor or {})
    read_from = timezone.now()
    status, received, error, got = _read_list(system, "/api/subcases/", "received", ask, cursor)
    if status != 200:
        run.ok, run.error = False, f"/api/subcases/: {status or ''} {error}".strip()[:255]
        run.save()
        logger.warning("reconcile %s: %s", system.department.code, run.error)
        return run
    if got["full"]:  # everything is read again: only what the list holds is confirmed
        ours.filter(confirmed_at__isnull=False).update(confirmed_at=None)
    ids = []
    for r in received:
        try:
            ids.append(uuid.UUID(str(r.get("message_id"))))
        except ValueError:
            continue
    for start in range(0, len(ids), 500):
        ours.filter(message_id__in=ids[start:start + 500], confirmed_at__isnull=True).update(confirmed_at=read_from)
    run.read = {"received": len(received), "full_received": got["full"]}
    new_cursor = {"store": got["store"], "received": got["next"], "decisions": cursor.get("decisions", 0)
                  if got["store"] == cursor.get("store") else 0}
    missing = list(ours.filter(status=OutboxMessage.Status.DELIVERED, confirmed_at__isnull=True,
                               delivered_at__lt=read_from))
    if missing:
        # `resend` only takes undelivered rows: these were delivered as far as we know
        OutboxMessage.objects.filter(pk__in=[m.pk for m in missing]).update(status=OutboxMessage.Status.PENDING)
        for m in missing:
            m.status = OutboxMessage.Status.PENDING
        resend(missing)
    run.resent = [{"message_id": m.message_id.hex, "case_ref": m.case_ref} for m in missing]

    # the decisions of a store read afresh are read afresh too
    status, decided, error, got = _read_list(system, "/api/decisions/", "decisions", ask,
                                             {} if got["full"] else new_cursor)
    if status != 200:
        run.ok, run.error = False, f"/api/decisions/: {status or ''} {error}".strip()[:255]
    else:
        new_cursor["decisions"] = got["next"]
        run.read.update(decisions=len(decided), full_decisions=got["full"])
        decisions = [d for d in decided if d.get("message_id")]
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
    DepartmentSystem.objects.filter(pk=system.pk).update(cursor=new_cursor)
    system.cursor = new_cursor
    run.save()
    if run.unacknowledged or run.resent or run.applied or run.rejected or not run.ok:
        logger.warning("reconcile %s: %d unacknowledged, %d re-sent, %d decisions applied, %d rejected%s",
                       system.department.code, len(run.unacknowledged), len(run.resent), len(run.applied),
                       len(run.rejected), f", error {run.error}" if run.error else "")
    return run


def reconcile_all(**kwargs) -> list[Reconciliation]:
    return [reconcile_system(system, **kwargs)
            for system in DepartmentSystem.objects.filter(active=True).select_related("department")]
