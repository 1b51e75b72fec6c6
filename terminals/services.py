"""What terminals and the residents at them do (issue 13, 市民之窗). Every write is one
transaction; a device's word counts only when its signature holds (`verify`)."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import IdentityError, mask, validate_id_number
from accounts.models import User
from core.errors import Conflict, Forbidden, Invalid

from . import signing
from .models import CardSession, Terminal, TerminalNonce, TerminalPin, TerminalRefusal

logger = logging.getLogger(__name__)
ENDED = CardSession.State.ENDED
PIN = re.compile(r"\d{6}")


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# --- the device's word ---------------------------------------------------------------------------


def verify(*, method: str, path: str, headers, body: bytes, remote_addr: str = "") -> Terminal:
    """The registered, active terminal that signed this request, or `Refused` (logged and kept)."""
    code = headers.get(signing.H_TERMINAL, "")[:32]
    timestamp, nonce, given = (headers.get(h, "") for h in (signing.H_TIMESTAMP, signing.H_NONCE, signing.H_SIGNATURE))

    def refuse(status, reason, message):
        TerminalRefusal.objects.create(code=reason, terminal_code=code, path=path[:255], remote_addr=remote_addr[:64])
        logger.warning(
            "refused terminal request %s %s from %s (terminal %r): %s", method, path, remote_addr, code, reason
        )
        raise Refused(status, reason, message)

    if not (code and timestamp and nonce and given):
        refuse(401, "signature_missing", _("缺少签名信息(终端编号、时间戳、随机数、签名)。"))
    terminal = Terminal.objects.select_related("hall").filter(code=code, active=True).first()
    if terminal is None:
        refuse(401, "unknown_terminal", _("终端未登记或已停用。"))
    if not signing.matches(terminal.public_key, method, path, timestamp, nonce, body, given):
        refuse(401, "bad_signature", _("签名不正确。"))
    if not signing.is_fresh(timestamp):
        refuse(401, "stale_timestamp", _("终端时间与本平台相差过大,请校准终端时钟。"))
    try:
        with transaction.atomic():
            TerminalNonce.objects.create(terminal=terminal, nonce=nonce[:64])
    except IntegrityError:
        refuse(409, "replayed_nonce", _("该随机数已使用过:请求被重放。"))
    return terminal


def forget_old_nonces() -> int:
    cutoff = timezone.now() - timezone.timedelta(seconds=2 * signing.TIMESTAMP_WINDOW)
    return TerminalNonce.objects.filter(seen_at__lt=cutoff).delete()[0]


def heartbeat(terminal: Terminal, *, paper: str, reader_ok: bool) -> Terminal:
    if paper not in Terminal.Paper.values:
        raise Invalid(_("打印纸状态只能是 ok、low 或 out。"), fields={"paper": [_("无效的取值。")]})
    terminal.last_heartbeat_at = timezone.now()
    terminal.paper, terminal.reader_ok = paper, bool(reader_ok)
    terminal.save(update_fields=["last_heartbeat_at", "paper", "reader_ok"])
    return terminal


def _end(session: CardSession, reason: str, now=None) -> CardSession:
    session.state, session.end_reason, session.ended_at = ENDED, reason, now or timezone.now()
    session.save(update_fields=["state", "end_reason", "ended_at"])
    return session


def open_session(terminal: Terminal) -> CardSession | None:
    return CardSession.objects.select_related("person").filter(terminal=terminal).exclude(state=ENDED).first()


@transaction.atomic
def card_inserted(terminal: Terminal, *, name: str, id_number: str, photo_hash: str) -> CardSession:
    """A card read by the terminal's reader: the session that follows. A card already in session
    on this terminal ends it (someone else's card replaces it). Someone without an account, or
    without a terminal PIN, gets a session that has already ended and says why."""
    try:
        id_number = validate_id_number(id_number)
    except IdentityError as exc:
        raise Invalid(_("读卡结果中的身份证号码无效:%(e)s") % {"e": exc}, fields={"id_number": [str(exc)]}) from None
    name = (name or "").strip()[:64]
    if not name or not re.fullmatch(r"[0-9a-f]{64}", photo_hash or ""):
        raise Invalid(_("读卡结果不完整:需要姓名和证件照片的 SHA-256 摘要。"))
    Terminal.objects.select_for_update().filter(pk=terminal.pk).first()  # one card at a time per terminal
    now = timezone.now()
    previous = open_session(terminal)
    if previous is not None:
        _end(previous, CardSession.EndReason.REPLACED, now)
    person = User.objects.filter(id_number=id_number, is_active=True, role=User.Role.PUBLIC).first()
    session = CardSession.objects.create(
        terminal=terminal,
        person=person,
        card_name=name,
        card_id_masked=mask(id_number, keep_start=4, keep_end=4),
        photo_hash=photo_hash,
        started_at=now,
        last_touch_at=now,
    )
    if person is None:
        return _end(session, CardSession.EndReason.NO_ACCOUNT, now)
    if person.real_name and person.real_name != name:
        logger.warning("terminal %s: card name differs from the account's (session %s)", terminal.code, session.pk)
    if not TerminalPin.objects.filter(user=person).exists():
        return _end(session, CardSession.EndReason.NO_PIN, now)
    return session


@transaction.atomic
def card_removed(terminal: Terminal) -> CardSession | None:
    session = open_session(terminal)
    return _end(session, CardSession.EndReason.CARD_REMOVED) if session is not None else None


# --- the resident ----------------------------------------------------------------------------------


def _check_pin_shape(pin: str) -> None:
    if not PIN.fullmatch(pin or ""):
        raise Invalid(_("终端密码为 6 位数字。"), fields={"pin": [_("终端密码为 6 位数字。")]})
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise Invalid(_("终端密码不能是相同或连续的数字。"), fields={"pin": [_("终端密码不能是相同或连续的数字。")]})


@transaction.atomic
def set_pin(user: User, *, pin: str, password: str) -> TerminalPin:
    """A resident sets (or changes) their terminal PIN online; their password confirms it."""
    if user.role != User.Role.PUBLIC:
        raise Forbidden(_("终端密码供群众办事使用,工作人员无需设置。"))
    if not user.check_password(password or ""):
        raise Invalid(_("登录密码不正确,终端密码未修改。"), fields={"password": [_("登录密码不正确。")]})
    _check_pin_shape(pin)
    record, _created = TerminalPin.objects.update_or_create(
        user=user,
        defaults={"pin_hash": make_password(pin), "set_at": timezone.now(), "failures": 0, "locked_until": None},
    )
    return record


def idle_limit() -> timezone.timedelta:
    """How long a session lasts without a touch: 60 s (`TERMINAL_IDLE_SECONDS`, shorter in tests)."""
    return timezone.timedelta(seconds=getattr(settings, "TERMINAL_IDLE_SECONDS", 60))


def seconds_left(session: CardSession, now=None) -> int:
    if session.state == ENDED:
        return 0
    left = idle_limit() - ((now or timezone.now()) - session.last_touch_at)
    return max(0, int(left.total_seconds() + 0.999))


def end_if_idle(session: CardSession | None, now=None) -> CardSession | None:
    """The server's own end of an idle session, without a touch (the kiosk page's poll): the
    session, ended now when its time ran out."""
    now = now or timezone.now()
    if session is not None and session.state != ENDED and now - session.last_touch_at > idle_limit():
        _end(session, CardSession.EndReason.IDLE, now)
    return session


def touch(session: CardSession, now=None) -> CardSession:
    """A touch on the screen: the session goes on, or — after 60 s without one — has ended (the end
    is written before the error is raised; call it outside a transaction that the error undoes)."""
    now = now or timezone.now()
    if session.state == ENDED:
        raise Conflict(_("本次使用已结束,请重新读取身份证。"), code="session_ended")
    if now - session.last_touch_at > idle_limit():
        _end(session, CardSession.EndReason.IDLE, now)
        raise Conflict(_("%(n)s 秒无操作,已自动退出。") % {"n": int(idle_limit().total_seconds())},
                       code="session_idle")
    session.last_touch_at = now
    session.save(update_fields=["last_touch_at"])
    return session


def enter_pin(session: CardSession, pin: str) -> CardSession:
    """The second factor: the card holder's PIN. Five wrong in a row lock it and end the session.
    A wrong PIN is counted even though the answer is an error: the count is written first, in its
    own transaction, and the error raised after it commits."""
    touch(session)  # outside the transaction below: an idle end must stay ended
    with transaction.atomic():
        session = CardSession.objects.select_for_update(of=("self",)).select_related("person").get(pk=session.pk)
        if session.state != CardSession.State.AWAITING_PIN:
            raise Conflict(_("已验证,无需再次输入终端密码。"), code="already_verified")
        record = TerminalPin.objects.select_for_update().get(user=session.person)
        now = timezone.now()
        if record.locked_until and record.locked_until > now:
            _end(session, CardSession.EndReason.PIN_LOCKED, now)
            refusal = Forbidden(
                _("终端密码错误次数过多,已锁定至 %(t)s。")
                % {"t": timezone.localtime(record.locked_until).strftime("%H:%M")},
                code="pin_locked",
            )
        elif not check_password(pin or "", record.pin_hash):
            record.failures += 1
            if record.failures >= TerminalPin.MAX_FAILURES:
                record.failures, record.locked_until = 0, now + TerminalPin.LOCK
                _end(session, CardSession.EndReason.PIN_LOCKED, now)
                refusal = Forbidden(
                    _("终端密码连续错误 %(n)s 次,已锁定 15 分钟。") % {"n": TerminalPin.MAX_FAILURES}, code="pin_locked"
                )
            else:
                refusal = Invalid(
                    _("终端密码不正确,还可再试 %(n)s 次。") % {"n": TerminalPin.MAX_FAILURES - record.failures},
                    code="wrong_pin",
                    fields={"pin": [_("终端密码不正确。")]},
                )
            record.save(update_fields=["failures", "locked_until"])
        else:
            record.failures, record.locked_until = 0, None
            record.save(update_fields=["failures", "locked_until"])
            session.state, session.verified_at = CardSession.State.ACTIVE, now
            session.save(update_fields=["state", "verified_at"])
            return session
    raise refusal


def finish(session: CardSession) -> CardSession:
    """The resident's 退出."""
    return _end(session, CardSession.EndReason.FINISHED) if session.state != ENDED else session
