"""Department systems (前台受理、后台审批 across systems): which department decides in its own
system, its keys, the outbox rows that carry sub-cases to it, and the checks on what it sends
back. `exchange` knows no applications: a decision is handed to whoever registered on
`register_decision_handler` (workflow), inside the transaction that records it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from . import signing
from .models import (
    DepartmentKey,
    DepartmentSystem,
    InboundMessage,
    MaterialDownload,
    OutboxMessage,
    RefusedRequest,
    SeenNonce,
)

logger = logging.getLogger(__name__)


def active_system(department_id) -> DepartmentSystem | None:
    return DepartmentSystem.objects.filter(department_id=department_id, active=True).first()


@transaction.atomic
def ensure_account(system: DepartmentSystem):
    """The reviewer account a department system's decisions are recorded under: it belongs to
    the department, has no usable password and appears in case logs by the system's name."""
    if system.account_id:
        return system.account
    User = get_user_model()
    account = User(username=f"sys-{system.department.code.lower()}"[:150], role=User.Role.REVIEWER,
                   department=system.department, real_name=system.name[:64])
    account.set_unusable_password()
    account.save()
    DepartmentSystem.objects.filter(pk=system.pk).update(account=account)
    system.account = account
    return account


# --- keys -------------------------------------------------------------------------------------


@transaction.atomic
def rotate_key(system: DepartmentSystem) -> DepartmentKey:
    """A new key that signs from now on; the previous newest stays active (two at a time) so the
    department can switch without a gap; older ones are retired."""
    DepartmentSystem.objects.select_for_update().get(pk=system.pk)
    number = system.keys.count() + 1
    key = DepartmentKey.objects.create(system=system, key_id=f"k{number}", secret=signing.new_secret())
    keep = list(system.keys.filter(active=True).order_by("-created_at", "-pk").values_list("pk", flat=True)[:2])
    system.keys.filter(active=True).exclude(pk__in=keep).update(active=False, retired_at=timezone.now())
    logger.warning("key %s made for %s; active: %s", key.key_id, system.department.code,
                   list(system.keys.filter(active=True).values_list("key_id", flat=True)))
    return key


def retire_key(key: DepartmentKey) -> None:
    DepartmentKey.objects.filter(pk=key.pk).update(active=False, retired_at=timezone.now())


def signing_key(system: DepartmentSystem) -> DepartmentKey:
    key = system.keys.filter(active=True).order_by("-created_at", "-pk").first()
    return key if key is not None else rotate_key(system)


# --- the outbox ---------------------------------------------------------------------------------


# The pushed messages' version (docs/exchange-protocol.md): 2 since materials carry their download
# path and size.
PROTOCOL_VERSION = 2


def enqueue(*, department, kind: str, case_ref: str, body: dict, path: str = "/api/subcases/") -> OutboxMessage:
    """Write one outgoing message; call inside the transaction of the change that causes it. The
    relay is woken after commit; if that wake-up is lost (broker down) the periodic relay finds
    the row anyway."""
    message = OutboxMessage(department=department, kind=kind, case_ref=case_ref, path=path, body={})
    message.body = {"message_id": message.message_id.hex, "version": PROTOCOL_VERSION, "kind": kind,
                    "department": department.code, **body}
    message.save()
    transaction.on_commit(lambda: _wake_relay(message.pk), robust=True)
    return message


def _wake_relay(pk: int) -> None:
    """Queue one delivery attempt (by task name: the tasks module imports the relay, which
    imports this one)."""
    current_app.send_task("exchange.tasks.deliver_message", args=[pk])


@transaction.atomic
def resend(messages) -> int:
    """An administrator's re-send: dead (or stuck) messages go back to the queue as new, with the
    same message id, so a department that had received one after all answers `duplicate`."""
    pks = [m.pk for m in messages if m.status != OutboxMessage.Status.DELIVERED]
    OutboxMessage.objects.filter(pk__in=pks).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), dead_at=None)
    for pk in pks:
        transaction.on_commit(lambda pk=pk: _wake_relay(pk), robust=True)
    logger.warning("outbox re-send of %s", pks)
    return len(pks)


# --- incoming: signatures and decisions ------------------------------------------------------------


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Caller:
    system: DepartmentSystem
    key_id: str


def verify(*, method: str, path: str, headers, body: bytes, remote_addr: str = "") -> Caller:
    """The department system that signed this request, or `Refused` (logged and kept)."""
    department_code = headers.get(signing.H_DEPARTMENT, "")[:32]
    key_id = headers.get(signing.H_KEY, "")[:32]
    timestamp, nonce, given = (headers.get(h, "") for h in (signing.H_TIMESTAMP, signing.H_NONCE, signing.H_SIGNATURE))

    def refuse(status, code, message):
        RefusedRequest.objects.create(code=code, department_code=department_code, key_id=key_id, method=method[:8],
                                      path=path[:255], remote_addr=remote_addr[:64])
        logger.warning("refused %s %s from %s (department %r, key %r): %s", method, path, remote_addr,
                       department_code, key_id, code)
        raise Refused(status, code, message)

    if not (department_code and key_id and timestamp and nonce and given):
        refuse(401, "signature_missing", _("缺少签名信息(部门、密钥编号、时间戳、随机数、签名)。"))
    system = DepartmentSystem.objects.select_related("department").filter(
        department__code=department_code, active=True).first()
    key = system.keys.filter(key_id=key_id, active=True).first() if system is not None else None
    if key is None:
        refuse(401, "unknown_key", _("部门或密钥编号未登记,或该密钥已停用。"))
    if not signing.matches(key.secret, method, path, timestamp, nonce, body, given):
        refuse(401, "bad_signature", _("签名不正确。"))
    if not signing.is_fresh(timestamp):
        refuse(401, "stale_timestamp", _("时间戳与本平台时间相差超过 %(n)s 秒。") % {"n": signing.TIMESTAMP_WINDOW})
    try:
        with transaction.atomic():
            SeenNonce.objects.create(nonce=nonce[:64])
    except IntegrityError:
        refuse(409, "replayed_nonce", _("该随机数已使用过:请求被重放。"))
    return Caller(system=system, key_id=key_id)


def forget_old_nonces() -> int:
    cutoff = timezone.now() - timezone.timedelta(seconds=2 * signing.TIMESTAMP_WINDOW)
    return SeenNonce.objects.filter(seen_at__lt=cutoff).delete()[0]


# What workflow registers: handler(system, decision: dict) -> (status, answer). It runs inside the
# transaction that records the InboundMessage and raises DomainError when the case cannot take it.
_decision_handler: Callable[[DepartmentSystem, dict], tuple[int, dict]] | None = None


def register_decision_handler(handler: Callable[[DepartmentSystem, dict], tuple[int, dict]]) -> None:
    global _decision_handler
    _decision_handler = handler


def receive_decision(system: DepartmentSystem, decision: dict, *, source: str = "push") -> tuple[int, dict]:
    """Apply one decision once: by its `message_id`, a repeat gets the first answer again."""
    message_id = str(decision.get("message_id") or "")[:64]
    case_ref = str(decision.get("subcase") or "")[:40]
    if not message_id or not case_ref:
        return 400, {"code": "invalid_message", "message": _("缺少消息编号或子件编号。"), "fields": {}}
    first = InboundMessage.objects.filter(message_id=message_id).first()
    if first is not None:
        return first.status_code, {**first.answer, "duplicate": True}
    if _decision_handler is None:
        raise RuntimeError("no decision handler registered")
    try:
        with transaction.atomic():
            status, answer = _decision_handler(system, decision)
            InboundMessage.objects.create(
                message_id=message_id, department=system.department, kind=str(decision.get("kind", ""))[:32],
                case_ref=case_ref, body=decision, outcome=InboundMessage.Outcome.APPLIED, status_code=status,
                answer=answer, source=source)
    except IntegrityError:  # the same message applied meanwhile by a parallel request
        first = InboundMessage.objects.get(message_id=message_id)
        return first.status_code, {**first.answer, "duplicate": True}
    except DomainError as error:
        status, answer = error.status, {"code": error.code, "message": error.message, "fields": error.fields}
        logger.warning("decision %s for %s not applied: %s", message_id, case_ref, error.code)
        InboundMessage.objects.get_or_create(message_id=message_id, defaults={
            "department": system.department, "kind": str(decision.get("kind", ""))[:32], "case_ref": case_ref,
            "body": decision, "outcome": InboundMessage.Outcome.REJECTED, "status_code": status, "answer": answer,
            "source": source})
        return status, answer
    logger.info("decision %s (%s) for %s applied from %s", message_id, decision.get("kind"), case_ref, source)
    return status, {**answer, "duplicate": False}


# --- materials' files, fetched by the department system -------------------------------------------


@dataclass(frozen=True)
class MaterialFile:
    """A material's file a department system may fetch: what workflow's resolver hands back."""

    case_ref: str
    material_id: int
    name: str
    file: object  # a FieldFile
    content_type: str


# What workflow registers: resolver(system, material_id) -> MaterialFile | None. None for a material
# that is not of a sub-case of that department pushed to that system, or whose case is withdrawn.
_material_resolver: Callable[[DepartmentSystem, int], MaterialFile | None] | None = None


def register_material_resolver(resolver: Callable[[DepartmentSystem, int], MaterialFile | None]) -> None:
    global _material_resolver
    _material_resolver = resolver


def material_file(system: DepartmentSystem, material_id: int) -> MaterialFile | None:
    if _material_resolver is None:
        raise RuntimeError("no material resolver registered")
    return _material_resolver(system, material_id)


def record_download(caller: Caller, found: MaterialFile, *, size: int, sha256: str, remote_addr: str = "") -> None:
    MaterialDownload.objects.create(department=caller.system.department, key_id=caller.key_id, case_ref=found.case_ref,
                                    material_id=found.material_id, name=found.name[:128], size=size, sha256=sha256,
                                    remote_addr=remote_addr[:64])
    logger.info("material %s of %s fetched by %s (%s)", found.material_id, found.case_ref,
                caller.system.department.code, sha256[:12])


def licence_data(case_ref: str) -> dict:
    """What the department's approval said about the licence (name, valid_until), if anything."""
    message = (InboundMessage.objects.filter(case_ref=case_ref, kind="approve", outcome=InboundMessage.Outcome.APPLIED)
               .order_by("-received_at").first())
    return dict(message.body.get("licence") or {}) if message is not None else {}


def relay_settings() -> dict:
    return {
        "base": settings.EXCHANGE_RELAY_BASE_SECONDS, "cap": settings.EXCHANGE_RELAY_MAX_BACKOFF_SECONDS,
        "max_attempts": settings.EXCHANGE_RELAY_MAX_ATTEMPTS, "timeout": settings.EXCHANGE_HTTP_TIMEOUT_SECONDS,
    }
