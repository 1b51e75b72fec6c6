"""The kiosk (市民之窗, issue 13): the page a terminal shows, bound to its device, and what a
resident does on it once their card and PIN opened a session.

- **Binding**: an administrator, or the head of the terminal's hall, makes a one-time enrolment
  code (shown once); typed at the terminal within 30 minutes it sets a long-lived signed device
  cookie naming the terminal and that enrolment. A later enrolment revokes the earlier cookie.
- **Every request of a resident** names its session (the page carries it) and goes through
  `services.touch`: a session of another terminal is not found, an ended one or one idle past
  the limit is refused (and ended), and everything personal needs the PIN (state ACTIVE).
- **What is done** (a query answered, a fee paid, a number taken, an appointment checked in, a
  rating) leaves a `KioskReceipt` whose 80 mm PDF the terminal prints (terminals.receipts).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Forbidden, Invalid, NotFound
from windows.home_visits import is_head

from . import services
from .models import CardSession, KioskReceipt, Terminal, TerminalEnrolment

COOKIE = "tongban_terminal"
SALT = "terminals.device"
COOKIE_AGE = 5 * 365 * 24 * 3600  # the device stays bound until it is enrolled again
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a note
CODE_LENGTH = 12


# --- binding the page to its device ----------------------------------------------------------------


def _digest(code: str) -> str:
    normal = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(f"terminal-enrolment:{normal}".encode()).hexdigest()


def may_enrol(user, terminal: Terminal) -> bool:
    """Administrators enrol any terminal; a clerk the terminals of the hall she heads."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.role == User.Role.ADMINISTRATOR:
        return True
    return is_head(user, terminal.hall_id)


@transaction.atomic
def enrolment_code_issue(*, terminal: Terminal, by) -> str:
    """A new one-time code for `terminal` (returned once, kept only as a digest)."""
    if not may_enrol(by, terminal):
        raise Forbidden(_("只有系统管理员或本大厅负责人可以生成终端登记码。"), code="not_allowed")
    if not terminal.active:
        raise Invalid(_("该终端已停用,不能登记。"), code="terminal_inactive")
    code = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    now = timezone.now()
    TerminalEnrolment.objects.create(
        terminal=terminal,
        code_digest=_digest(code),
        created_by=by,
        created_at=now,
        expires_at=now + TerminalEnrolment.VALID_FOR,
    )
    return "-".join(code[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def enrol(*, code: str) -> TerminalEnrolment:
    """Use a code: once, before it expires, for an active terminal. The terminal's earlier
    enrolments stop counting."""
    refused = Invalid(
        _("登记码无效、已使用或已过期,请向大厅负责人重新获取。"),
        code="enrolment_refused",
        fields={"code": [_("登记码无效、已使用或已过期。")]},
    )
    now = timezone.now()
    with transaction.atomic():
        enrolment = (
            TerminalEnrolment.objects.select_for_update(of=("self",))
            .select_related("terminal")
            .filter(code_digest=_digest(code))
            .first()
        )
        if enrolment is None or enrolment.used_at or enrolment.expires_at <= now or not enrolment.terminal.active:
            raise refused
        # conditional: of two uses at once (SQLite takes no row lock) exactly one sets used_at
        if not TerminalEnrolment.objects.filter(pk=enrolment.pk, used_at__isnull=True).update(used_at=now):
            raise refused
        (
            TerminalEnrolment.objects.filter(
                terminal=enrolment.terminal, used_at__isnull=False, revoked_at__isnull=True
            )
            .exclude(pk=enrolment.pk)
            .update(revoked_at=now)
        )
    enrolment.used_at = now
    return enrolment


def cookie_value(enrolment: TerminalEnrolment) -> str:
    return f"{enrolment.terminal_id}:{enrolment.pk}"


def device_of(request) -> Terminal | None:
    """The terminal this browser was enrolled as (its signed cookie, not revoked), or None."""
    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=COOKIE_AGE)
    try:
        terminal_id, enrolment_id = (int(part) for part in (value or "").split(":"))
    except ValueError:
        return None
    enrolment = (
        TerminalEnrolment.objects.select_related("terminal__hall")
        .filter(
            pk=enrolment_id,
            terminal_id=terminal_id,
            used_at__isnull=False,
            revoked_at__isnull=True,
            terminal__active=True,
        )
        .first()
    )
    return enrolment.terminal if enrolment else None


# --- the resident's session ------------------------------------------------------------------------


def showing(terminal: Terminal) -> CardSession | None:
    """The session the kiosk shows now (ended by the server first when its time ran out)."""
    session = services.end_if_idle(services.open_session(terminal))
    return session if session is not None and session.state != CardSession.State.ENDED else None


def last_ended(terminal: Terminal, within_seconds: int = 30) -> CardSession | None:
    since = timezone.now() - timezone.timedelta(seconds=within_seconds)
    return (
        CardSession.objects.filter(terminal=terminal, state=CardSession.State.ENDED, ended_at__gte=since)
        .order_by("-ended_at")
        .first()
    )


def access_session(terminal: Terminal, session_id: int, *, active: bool = True) -> CardSession:
    """The session a kiosk request names, touched: only this terminal's; an ended or idle one is
    refused (Conflict, the end written first); personal requests need the PIN (`active`)."""
    session = (
        CardSession.objects.select_related("person", "terminal__hall").filter(pk=session_id, terminal=terminal).first()
    )
    if session is None:
        raise NotFound(_("本终端没有这次使用,请重新读取身份证。"), code="session_not_found")
    services.touch(session)
    if active and session.state != CardSession.State.ACTIVE:
        raise Forbidden(_("请先输入终端密码。"), code="pin_required")
    return session


def receipt_make(session: CardSession, *, kind: str, title: str, lines: list[tuple[str, str]]) -> KioskReceipt:
    return KioskReceipt.objects.create(
        session=session, kind=kind, title=title[:64], lines=[[str(a), str(b)] for a, b in lines]
    )


def access_receipt(session: CardSession, receipt_id: int) -> KioskReceipt:
    receipt = KioskReceipt.objects.filter(pk=receipt_id, session=session).first()
    if receipt is None:
        raise NotFound(_("未找到该凭条。"), code="receipt_not_found")
    return receipt


def query_matter():
    """The catalog matter whose data-sharing policy covers residents' own queries at a terminal."""
    from matters.models import Matter

    return Matter.objects.filter(code=settings.TERMINAL_QUERY_MATTER).first()
