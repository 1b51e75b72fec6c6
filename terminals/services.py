"""What terminals and the residents at them do (issue 13, 市民之窗). Every write is one
transaction; a device's word counts only when its signature holds (`verify`)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import IdentityError, mask, validate_id_number
from accounts.models import User
from core.errors import Conflict, Forbidden, Invalid
from notifications.services import send_code

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
        if not person.phone:
            return _end(session, CardSession.EndReason.NO_PIN, now)
        _send_code(session, now)  # no PIN but a phone: the code texted to it is the second factor
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


def _on_code_screen(session: CardSession | None) -> bool:
    """Waiting for a texted code (or ended while waiting): the resident may be fetching a phone."""
    return (session is not None and session.verified_at is None and session.code_sent_at is not None
            and session.state in (CardSession.State.AWAITING_CODE, ENDED))


def idle_limit(session: CardSession | None = None) -> timezone.timedelta:
    """How long a session lasts without a touch: 60 s (`TERMINAL_IDLE_SECONDS`, shorter in tests);
    180 s on the screen that waits for a texted code (`TERMINAL_CODE_IDLE_SECONDS`): a resident of
    70 fetches the phone from a bag, reads the message and types six digits."""
    if _on_code_screen(session):
        return timezone.timedelta(seconds=getattr(settings, "TERMINAL_CODE_IDLE_SECONDS", 180))
    return timezone.timedelta(seconds=getattr(settings, "TERMINAL_IDLE_SECONDS", 60))


def seconds_left(session: CardSession, now=None) -> int:
    if session.state == ENDED:
        return 0
    left = idle_limit(session) - ((now or timezone.now()) - session.last_touch_at)
    return max(0, int(left.total_seconds() + 0.999))


def end_if_idle(session: CardSession | None, now=None) -> CardSession | None:
    """The server's own end of an idle session, without a touch (the kiosk page's poll): the
    session, ended now when its time ran out."""
    now = now or timezone.now()
    if session is not None and session.state != ENDED and now - session.last_touch_at > idle_limit(session):
        _end(session, CardSession.EndReason.IDLE, now)
    return session


def touch(session: CardSession, now=None) -> CardSession:
    """A touch on the screen: the session goes on, or — after 60 s without one (180 s on the code
    screen) — has ended (the end
    is written before the error is raised; call it outside a transaction that the error undoes)."""
    now = now or timezone.now()
    if session.state == ENDED:
        raise Conflict(_("本次使用已结束,请重新读取身份证。"), code="session_ended")
    limit = idle_limit(session)
    if now - session.last_touch_at > limit:
        _end(session, CardSession.EndReason.IDLE, now)
        raise Conflict(_("%(n)s 秒无操作,已自动退出。") % {"n": int(limit.total_seconds())},
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
            session.state, session.verified_at, session.factor = CardSession.State.ACTIVE, now, CardSession.Factor.PIN
            session.save(update_fields=["state", "verified_at", "factor"])
            return session
    raise refusal


def finish(session: CardSession) -> CardSession:
    """The resident's 退出."""
    return _end(session, CardSession.EndReason.FINISHED) if session.state != ENDED else session


# --- the SMS code: the other second factor, and the way in without the card -------------------------

CODE_MINUTES = 5  # a code is valid this long
CODE_MAX_TRIES = 5  # wrong codes in a row end the session
CODE_MAX_PER_SESSION = 3  # codes sent in one session
CODE_RESEND_SECONDS = 30  # between two codes of a session
CODE_MAX_PER_HOUR = 6  # codes sent to one person in an hour, over all terminals


def _code_digest(session_pk: int, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"terminal-sms:{session_pk}:{code}".encode(), hashlib.sha256).hexdigest()


def _send_code(session: CardSession, now) -> None:
    """A new code for the session (in the caller's transaction, the session locked or new): texted
    through the notification service to the account's registered phone. Someone typed an ID
    number with no account, or an account without a phone: nothing is sent, and the page says the
    same as when it is (the terminal does not tell who is registered); no code can match then."""
    person = session.person
    if person is not None and person.phone:
        hour_ago = now - timezone.timedelta(hours=1)
        recent = sum(
            CardSession.objects.filter(person=person, code_sent_at__gte=hour_ago)
            .exclude(pk=session.pk)
            .values_list("codes_sent", flat=True)
        ) + session.codes_sent
        if recent >= CODE_MAX_PER_HOUR:
            raise Conflict(_("验证码发送过于频繁,请一小时后再试,或使用终端密码。"), code="too_many_codes")
        code = send_code(user=person, purpose=f"terminal:{session.pk}", label=_("市民之窗登录"), minutes=CODE_MINUTES)
    else:
        code = secrets.token_hex(16)  # never sent, never typed: no six digits match it
    session.state = CardSession.State.AWAITING_CODE
    session.code_hash = _code_digest(session.pk, code)
    session.code_sent_at, session.code_expires_at = now, now + timezone.timedelta(minutes=CODE_MINUTES)
    session.code_tries, session.codes_sent = 0, session.codes_sent + 1
    session.save(update_fields=["state", "code_hash", "code_sent_at", "code_expires_at", "code_tries", "codes_sent"])


@transaction.atomic
def id_number_entered(terminal: Terminal, *, id_number: str) -> CardSession:
    """Someone without their card types their ID number at the terminal: a session waiting for
    the code texted to the account's phone. Nothing on the screen says whether the number has an
    account (no name is shown until the code is right)."""
    try:
        id_number = validate_id_number((id_number or "").strip().upper())
    except IdentityError as exc:
        raise Invalid(_("身份证号码有误:%(e)s") % {"e": exc}, code="bad_id_number",
                      fields={"id_number": [str(exc)]}) from None
    Terminal.objects.select_for_update().filter(pk=terminal.pk).first()
    now = timezone.now()
    previous = open_session(terminal)
    if previous is not None:
        _end(previous, CardSession.EndReason.REPLACED, now)
    person = User.objects.filter(id_number=id_number, is_active=True, role=User.Role.PUBLIC).first()
    session = CardSession.objects.create(
        terminal=terminal,
        person=person,
        card_name="",
        card_id_masked=mask(id_number, keep_start=4, keep_end=4),
        photo_hash="",
        started_by=CardSession.Start.ID_NUMBER,
        started_at=now,
        last_touch_at=now,
    )
    _send_code(session, now)
    return session


def request_code(session: CardSession) -> CardSession:
    """获取短信验证码 (a card holder choosing the code over the PIN) or 重新发送: at most
    `CODE_MAX_PER_SESSION` codes a session, `CODE_RESEND_SECONDS` apart."""
    touch(session)
    with transaction.atomic():
        session = CardSession.objects.select_for_update(of=("self",)).select_related("person").get(pk=session.pk)
        if session.state not in (CardSession.State.AWAITING_PIN, CardSession.State.AWAITING_CODE):
            raise Conflict(_("已验证,无需验证码。"), code="already_verified")
        if session.started_by == CardSession.Start.CARD and not (session.person and session.person.phone):
            raise Invalid(_("您的账号没有登记手机号码,无法发送验证码,请输入终端密码。"), code="no_phone")
        now = timezone.now()
        if session.codes_sent >= CODE_MAX_PER_SESSION:
            raise Conflict(_("本次已发送 %(n)s 次验证码,请退出后重新开始。") % {"n": CODE_MAX_PER_SESSION},
                           code="too_many_codes")
        if session.code_sent_at and (now - session.code_sent_at).total_seconds() < CODE_RESEND_SECONDS:
            wait = CODE_RESEND_SECONDS - int((now - session.code_sent_at).total_seconds())
            raise Conflict(_("验证码已发送,请 %(n)s 秒后再重新获取。") % {"n": wait}, code="code_wait")
        _send_code(session, now)
    return session


def enter_code(session: CardSession, code: str) -> CardSession:
    """The SMS code typed on the pad: right and in time, the session is the person's. A wrong code
    is counted (written before the error is raised); five end the session; an expired one asks
    for a new code."""
    touch(session)
    with transaction.atomic():
        session = CardSession.objects.select_for_update(of=("self",)).select_related("person").get(pk=session.pk)
        if session.state != CardSession.State.AWAITING_CODE:
            raise Conflict(_("当前无需输入短信验证码。"), code="no_code_pending")
        now = timezone.now()
        if session.code_expires_at is None or now >= session.code_expires_at:
            raise Conflict(_("验证码已过期(%(n)s 分钟内有效),请点“重新获取验证码”。") % {"n": CODE_MINUTES},
                           code="code_expired")
        if session.person is None or not hmac.compare_digest(session.code_hash, _code_digest(session.pk, code or "")):
            session.code_tries += 1
            if session.code_tries >= CODE_MAX_TRIES:
                _end(session, CardSession.EndReason.CODE_FAILED, now)
                refusal = Forbidden(_("验证码连续错误 %(n)s 次,本次使用已结束。") % {"n": CODE_MAX_TRIES},
                                    code="code_failed")
            else:
                refusal = Invalid(
                    _("验证码不正确,还可再试 %(n)s 次。") % {"n": CODE_MAX_TRIES - session.code_tries},
                    code="wrong_code",
                    fields={"code": [_("验证码不正确。")]},
                )
            session.save(update_fields=["code_tries"])
        else:
            session.state, session.verified_at, session.factor = CardSession.State.ACTIVE, now, CardSession.Factor.SMS
            session.code_hash = ""
            if not session.card_name:
                session.card_name = (session.person.real_name or "")[:64]
            session.save(update_fields=["state", "verified_at", "factor", "code_hash", "card_name"])
            return session
    raise refusal
