"""The outbox relay: delivers `OutboxMessage` rows to department systems over signed HTTP.

At least once, duplicates absorbed by the receiver's message id. A message is claimed by moving
its `next_attempt_at` past a lease in one conditional UPDATE (two workers never send one message
at the same moment); after the attempt it is marked delivered, or rescheduled after
`min(base × 2^(attempts-1), cap)` seconds, or dead-lettered after `EXCHANGE_RELAY_MAX_ATTEMPTS`
(or at once on an answer that no retry can change: 400, 404, 405, 413, 422).

The claim and the backoff are those of the intent relay (`core.intents`), which finishes every
other piece of background work the same way; an outbox row stays a table of its own because it
is a message to another organisation whose delivery (acknowledged, dead, re-sent by hand) the
reconciler and the administrator read by department and sub-case.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import urllib.error
import urllib.request

from django.db.models import Q
from django.utils import timezone

from core.intents import backoff, claim

from . import signing
from .departments import relay_settings, signing_key
from .models import DepartmentSystem, OutboxMessage

logger = logging.getLogger(__name__)

PERMANENT = {400, 404, 405, 413, 422}
LEASE = dt.timedelta(seconds=60)


def post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, dict, str]:
    """(status, answer, error): status 0 when nothing came back (refused, reset, timed out)."""
    request = urllib.request.Request(url, data=body, headers={**headers, "Content-Type": "application/json"},
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _json(response.read()), ""
    except urllib.error.HTTPError as error:
        answer = _json(error.read())
        return error.code, answer, str(answer.get("code") or error.reason)[:255]
    except (OSError, ValueError) as error:  # URLError, ConnectionRefused, timeout
        return 0, {}, str(getattr(error, "reason", error))[:255]


def signed_get(base_url: str, path: str, *, department: str, key_id: str, secret: str,
               timeout: float) -> tuple[int, dict, str]:
    """A signed GET (the reconciler, the catalog feed): (status, answer, error) as `post`."""
    headers = signing.sign_headers(department=department, key_id=key_id, secret=secret, method="GET", path=path,
                                   body=b"")
    request = urllib.request.Request(base_url.rstrip("/") + path, headers=headers, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, _json(response.read()), ""
    except urllib.error.HTTPError as error:
        answer = _json(error.read())
        return error.code, answer, str(answer.get("code") or error.reason)[:255]
    except (OSError, ValueError) as error:
        return 0, {}, str(getattr(error, "reason", error))[:255]


def _json(data: bytes) -> dict:
    try:
        value = json.loads(data or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def deliver(pk: int) -> str | None:
    """One attempt at one message, if it is due and no one else holds it; returns its new status
    (None when it was not ours to send)."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=pk, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now,
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    message = OutboxMessage.objects.select_related("department").get(pk=pk)
    return _attempt(message, _Senders())


class _Senders:
    """Department systems and their signing keys, read once per batch."""

    def __init__(self):
        self.found: dict[int, tuple] = {}

    def __call__(self, department_id: int):
        if department_id not in self.found:
            system = DepartmentSystem.objects.filter(department_id=department_id).first()
            self.found[department_id] = (system, signing_key(system) if system is not None else None)
        return self.found[department_id]


def _attempt(message: OutboxMessage, senders: _Senders) -> str:
    """Sign and post a claimed message, then record the outcome in one UPDATE."""
    conf = relay_settings()
    system, key = senders(message.department_id)
    if system is None:
        status, answer, error = 0, {}, "no department system"
    else:
        body = json.dumps(message.body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = signing.sign_headers(department=message.department.code, key_id=key.key_id, secret=key.secret,
                                       method="POST", path=message.path, body=body)
        status, answer, error = post(system.base_url.rstrip("/") + message.path, body, headers, conf["timeout"])
    attempts = message.attempts + 1
    done = timezone.now()
    fields = {"attempts": attempts, "last_status": status or None, "last_error": error}
    if 200 <= status < 300:
        fields.update(status=OutboxMessage.Status.DELIVERED, delivered_at=done, last_error="")
    elif status in PERMANENT or attempts >= conf["max_attempts"]:
        fields.update(status=OutboxMessage.Status.DEAD, dead_at=done)
        logger.error("outbox %s (%s %s) dead after %d attempts: %s %s", message.message_id, message.kind,
                     message.case_ref, attempts, status, error)
    else:
        fields.update(next_attempt_at=done + dt.timedelta(seconds=backoff(attempts, base=conf["base"],
                                                                          cap=conf["cap"])))
    OutboxMessage.objects.filter(pk=message.pk).update(**fields)
    return fields.get("status", OutboxMessage.Status.PENDING)


def due_ids(limit: int = 200) -> list[int]:
    return list(OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
                .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])


def relay_due(limit: int = 200) -> dict[str, int]:
    """Attempt every due message once (the periodic relay); counts by outcome. The batch is
    claimed in one UPDATE that stamps a lease ending at an instant of its own; the rows carrying
    that instant afterwards are ours (a parallel relay stamps another and gets the others)."""
    ids = due_ids(limit)
    if not ids:
        return {}
    now = timezone.now()
    ours = claim(OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING), ids, now=now, lease_end=now + LEASE)
    counts: dict[str, int] = {}
    senders = _Senders()
    for message in list(ours.select_related("department").order_by("pk")):  # no cursor open across HTTP calls
        outcome = _attempt(message, senders)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def backlog() -> dict[str, int]:
    pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
    return {"pending": pending.count(), "due": pending.filter(Q(next_attempt_at__lte=timezone.now())).count(),
            "dead": OutboxMessage.objects.filter(status=OutboxMessage.Status.DEAD).count()}
