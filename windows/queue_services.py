"""The hall's queue (取号 → 叫号 → 办结 / 过号) and appointments (预约 → 签到取号 / 取消 / 爽约).

Every write is one transaction. Numbers come from a locked per-(hall, day, prefix) row; a clerk
takes the next ticket with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite serialises
writers with BEGIN IMMEDIATE), and a slot's `booked` only grows by a conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import IdentityError, mask_phone, validate_phone
from accounts.models import User
from core.errors import Conflict, Forbidden, Invalid, NotFound
from workflow.calendar_store import load_calendar

from . import clock
from .models import TICKET_PREFIXES, Appointment, AppointmentSlot, Ticket, TicketSequence, Window
from .selectors import seats_today

T = Ticket.State
A = Appointment.State
C = Window.Category

# --- taking a number -------------------------------------------------------------------------------


def _draw_sequence(*, hall, day, prefix) -> int:
    TicketSequence.objects.get_or_create(hall=hall, day=day, prefix=prefix)
    TicketSequence.objects.filter(hall=hall, day=day, prefix=prefix).update(last=F("last") + 1)
    return TicketSequence.objects.select_for_update().get(hall=hall, day=day, prefix=prefix).last


def _queue_filter(category, department_id):
    q = Q(category=category)
    if category == C.DEPARTMENT:
        q &= Q(department_id=department_id)
    return q


@transaction.atomic
def ticket_take(*, hall, category, department=None, source=Ticket.Source.TERMINAL, user=None, phone="",
                priority=Ticket.Priority.NORMAL) -> Ticket:
    """A visitor takes a number for one queue of the hall. A signed-in visitor gets at most one
    open ticket per queue and day."""
    if category not in C.values:
        raise Invalid(_("请选择业务类别。"), code="invalid_category", fields={"category": [_("无效的业务类别。")]})
    if category != C.DEPARTMENT:
        department = None
    elif department is None:
        raise Invalid(_("请选择要办理业务的部门窗口。"), code="department_required",
                      fields={"department": [_("部门窗口须选择部门。")]})
    windows = Window.objects.filter(hall=hall, category=category, is_active=True)
    if department is not None:
        windows = windows.filter(department=department)
    if not windows.exists():
        raise Invalid(_("本大厅没有办理该类业务的窗口,请咨询导办人员。"), code="no_such_queue")
    masked = ""
    if phone:
        try:
            masked = mask_phone(validate_phone(phone))
        except IdentityError as exc:
            raise Invalid(str(exc), code="invalid_phone", fields={"phone": [str(exc)]}) from None
    day = clock.today()
    now = clock.now()
    if user is not None and user.is_authenticated:
        User.objects.select_for_update().filter(pk=user.pk).first()  # one request per person at a time
        open_ = Ticket.objects.filter(user=user, hall=hall, day=day, state__in=(T.WAITING, T.CALLED)).filter(
            _queue_filter(category, department.pk if department else None)).first()
        if open_ is not None and source == Ticket.Source.APPOINTMENT and open_.state == T.WAITING:
            # An arrival with an appointment replaces the ordinary number taken before check-in.
            open_.state, open_.finished_at = T.CANCELLED, now
            open_.save(update_fields=["state", "finished_at"])
        elif open_ is not None:
            raise Conflict(_("您已有本类业务的号码 %(number)s,请留意叫号,无需重复取号。") % {"number": open_.number},
                           code="ticket_already_taken")
    else:
        user = None
    prefix = TICKET_PREFIXES[category]
    sequence = _draw_sequence(hall=hall, day=day, prefix=prefix)
    return Ticket.objects.create(
        token=uuid.uuid4(), hall=hall, day=day, category=category, department=department, prefix=prefix,
        sequence=sequence, number=f"{prefix}{sequence:03d}", source=source, user=user, phone_masked=masked,
        priority=priority,
        issued_at=now,
    )


@transaction.atomic
def ticket_cancel(*, user, ticket: Ticket) -> Ticket:
    """The visitor gives up a number still waiting."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not user.is_authenticated or ticket.user_id != user.pk:
        raise NotFound(_("未找到该号码。"), code="ticket_not_found")
    if ticket.state != T.WAITING:
        raise Conflict(_("该号码已叫号或已结束,不能取消。"), code="ticket_not_waiting")
    ticket.state, ticket.finished_at = T.CANCELLED, clock.now()
    ticket.save(update_fields=["state", "finished_at"])
    return ticket


# --- calling ---------------------------------------------------------------------------------------


def clerk_windows(clerk) -> list[Window]:
    """The windows the clerk sits at today (all in one hall); Forbidden when none."""
    if not getattr(clerk, "is_clerk", False):
        raise Forbidden(_("只有窗口工作人员可以叫号。"), code="not_a_clerk")
    windows = [s.window for s in seats_today(clerk, clock.today())]
    if not windows:
        raise Forbidden(_("您今天没有排班窗口,不能叫号。"), code="no_seat_today")
    # Seated in two halls on one day (a data error): the clerk calls in the first hall only.
    return [w for w in windows if w.hall_id == windows[0].hall_id]


def _serves(window: Window, ticket: Ticket) -> bool:
    return window.category == ticket.category and (
        window.category != C.DEPARTMENT or window.department_id == ticket.department_id)


def access_ticket_for_clerk(clerk, token, *, lock=False) -> Ticket:
    """The clerk's own called ticket in their hall today."""
    windows = clerk_windows(clerk)
    qs = Ticket.objects.select_for_update() if lock else Ticket.objects
    try:
        ticket = qs.get(token=token, hall_id=windows[0].hall_id, day=clock.today())
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("本大厅今天没有该号码。"), code="ticket_not_found") from None
    if ticket.state == T.WAITING:
        raise Conflict(_("号码 %(number)s 还在等候,尚未叫号。") % {"number": ticket.number}, code="ticket_not_called")
    if ticket.called_by_id != clerk.pk:
        raise Forbidden(_("该号码不是您叫的号,不能操作。"), code="not_your_ticket")
    if ticket.state != T.CALLED:
        raise Conflict(_("号码 %(number)s 已%(state)s,不能再操作。") % {"number": ticket.number,
                                                              "state": ticket.get_state_display()},
                       code="ticket_not_called")
    return ticket


@transaction.atomic
def ticket_call_next(*, clerk) -> Ticket:
    """Call the next waiting ticket of the queues the clerk's windows serve, in the clerk's hall:
    appointments first, then in the order taken. Two clerks calling at once never get the same
    ticket: each skips rows the other has locked."""
    windows = clerk_windows(clerk)
    current = Ticket.objects.filter(called_by=clerk, state=T.CALLED).first()
    if current is not None:
        raise Conflict(_("请先将当前号码 %(number)s 标记为“办结”或“过号”,再叫下一个号。") % {"number": current.number},
                       code="ticket_in_service")
    queues = Q(pk__in=[])
    for w in windows:
        queues |= _queue_filter(w.category, w.department_id)
    qs = (Ticket.objects.filter(hall_id=windows[0].hall_id, day=clock.today(), state=T.WAITING)
          .filter(queues).order_by("-priority", "issued_at", "pk"))
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    ticket = qs.first()
    if ticket is None:
        raise Conflict(_("当前没有等候的号码。"), code="queue_empty")
    now = clock.now()
    ticket.state = T.CALLED
    ticket.called_at = ticket.announced_at = now
    ticket.called_by = clerk
    ticket.window = next(w for w in windows if _serves(w, ticket))
    try:
        with transaction.atomic():
            ticket.save(update_fields=["state", "called_at", "announced_at", "called_by", "window"])
    except IntegrityError:  # the same clerk's other request called one a moment ago
        raise Conflict(_("您已叫了一个号码,请先办结或标记过号。"), code="ticket_in_service") from None
    return ticket


@transaction.atomic
def ticket_recall(*, clerk, ticket: Ticket) -> Ticket:
    """重呼: the screen and the voice announce the number again."""
    ticket = access_ticket_for_clerk(clerk, ticket.token, lock=True)
    ticket.recall_count += 1
    ticket.announced_at = clock.now()
    ticket.save(update_fields=["recall_count", "announced_at"])
    return ticket


@transaction.atomic
def ticket_finish(*, clerk, ticket: Ticket, outcome: str) -> Ticket:
    """办结 (served) or 过号 (no_show: the visitor did not come; later calls skip the ticket)."""
    if outcome not in (T.SERVED, T.NO_SHOW):
        raise Invalid(_("无效的操作。"), code="invalid_outcome")
    ticket = access_ticket_for_clerk(clerk, ticket.token, lock=True)
    ticket.state = outcome
    ticket.finished_at = clock.now()
    ticket.save(update_fields=["state", "finished_at"])
    return ticket


# --- appointments ------------------------------------------------------------------------------------

# Four ranges a working day, as the district hall's opening hours (8:30–12:00, 14:30–17:30).
SLOT_TIMES = [((8, 30), (10, 0)), ((10, 0), (12, 0)), ((14, 30), (16, 0)), ((16, 0), (17, 30))]
# Places per window and range: about a third of what a window serves, the rest is for walk-ins.
PLACES_PER_WINDOW = 4
SLOT_DAYS = 10  # working days ahead that can be booked
BOOKABLE = (C.NATURAL, C.LEGAL, C.DEPARTMENT)
CHECK_IN_EARLY = dt.timedelta(minutes=30)  # check-in opens this long before the slot starts
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I


def _at(day: dt.date, hm) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(*hm)))


def slot_days(*, start: dt.date, days: int, calendar=None) -> list[dt.date]:
    """The next `days` working days from `start` (included), by the holiday calendar: no slots
    on public holidays, slots on make-up working weekends (调休)."""
    return (calendar or load_calendar()).workdays_from(start, days)


@transaction.atomic
def generate_slots(*, days=SLOT_DAYS, start=None, halls=None) -> int:
    """Slots for every hall and bookable queue over the next working days. Idempotent: existing
    slots (and their bookings) are kept; returns how many were made."""
    from accounts.models import Hall

    dates = slot_days(start=start or clock.today(), days=days)
    before = AppointmentSlot.objects.count()
    rows = []
    for hall in halls if halls is not None else Hall.objects.all():
        counts = {}
        for w in Window.objects.filter(hall=hall, is_active=True, category__in=BOOKABLE):
            key = (w.category, w.department_id if w.category == C.DEPARTMENT else None)
            counts[key] = counts.get(key, 0) + 1
        for (category, department_id), n in counts.items():
            for day in dates:
                for start_hm, end_hm in SLOT_TIMES:
                    rows.append(AppointmentSlot(hall=hall, category=category, department_id=department_id, date=day,
                                                starts_at=_at(day, start_hm), ends_at=_at(day, end_hm),
                                                capacity=n * PLACES_PER_WINDOW))
    AppointmentSlot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return AppointmentSlot.objects.count() - before


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


@transaction.atomic
def appointment_book(*, user, slot: AppointmentSlot) -> Appointment:
    """Book one place. The place is taken by `UPDATE … SET booked = booked + 1 WHERE booked <
    capacity`: of many people booking the last place at once exactly one gets it."""
    if not user.is_authenticated:
        raise Forbidden(_("请先登录再预约。"), code="not_authenticated")
    if not user.is_public:
        raise Forbidden(_("工作人员不能在线预约,请使用群众或企业账号。"), code="staff_cannot_book")
    if slot.starts_at <= clock.now():
        raise Invalid(_("该时段已开始或已结束,请选择其他时段。"), code="slot_started")
    User.objects.select_for_update().filter(pk=user.pk).first()  # one booking request per person at a time
    same_day = Appointment.objects.filter(
        user=user, state=A.BOOKED, slot__hall_id=slot.hall_id, slot__date=slot.date, slot__category=slot.category,
        slot__department_id=slot.department_id,
    ).select_related("slot").first()
    if same_day is not None:
        start = timezone.localtime(same_day.slot.starts_at)
        raise Conflict(_("您当天已预约该类业务(%(time)s,预约码 %(code)s),如需改约请先取消。")
                       % {"time": start.strftime("%H:%M"), "code": same_day.code}, code="already_booked")
    taken = AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise Conflict(_("该时段已约满,请选择其他时段。"), code="slot_full")
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Appointment.objects.create(code=_new_code(), slot=slot, user=user)
        except IntegrityError:
            if Appointment.objects.filter(slot=slot, user=user, state__in=(A.BOOKED, A.CHECKED_IN)).exists():
                raise Conflict(_("您已预约该时段。"), code="already_booked") from None
    raise Conflict(_("预约码生成失败,请重试。"), code="code_collision")


def access_appointment(user, code, *, lock=False) -> Appointment:
    qs = Appointment.objects.select_related("slot", "slot__hall")
    if lock:
        qs = qs.select_for_update(of=("self",))
    appointment = qs.filter(code=(code or "").strip().upper()).first()
    if appointment is None or not user.is_authenticated or appointment.user_id != user.pk:
        raise NotFound(_("未找到该预约。"), code="appointment_not_found")
    return appointment


@transaction.atomic
def appointment_cancel(*, user, appointment: Appointment) -> Appointment:
    """Cancel up to the start of the slot; the place becomes free again."""
    appointment = access_appointment(user, appointment.code, lock=True)
    if appointment.state != A.BOOKED:
        raise Conflict(_("该预约%(state)s,不能取消。") % {"state": appointment.get_state_display()},
                       code="appointment_not_booked")
    if appointment.slot.starts_at <= clock.now():
        raise Invalid(_("预约时段已开始,不能再取消。"), code="slot_started")
    appointment.state, appointment.cancelled_at = A.CANCELLED, clock.now()
    appointment.save(update_fields=["state", "cancelled_at"])
    AppointmentSlot.objects.filter(pk=appointment.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    return appointment


def _check_in_window(appointment, now):
    slot = appointment.slot
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    span = f"{slot.date:%Y-%m-%d} {start:%H:%M}-{end:%H:%M}"
    if slot.date != timezone.localdate(now):
        raise Invalid(_("您预约的是 %(span)s,只能在预约当天签到取号。") % {"span": span}, code="check_in_wrong_day")
    if now < slot.starts_at - CHECK_IN_EARLY:
        opens = timezone.localtime(slot.starts_at - CHECK_IN_EARLY)
        raise Invalid(_("您预约的是 %(span)s,请于 %(opens)s 以后签到取号。") % {"span": span, "opens": f"{opens:%H:%M}"},
                      code="check_in_too_early")
    if now >= slot.ends_at:
        raise Invalid(_("您预约的时段 %(span)s 已结束,请直接取号排队或重新预约。") % {"span": span},
                      code="check_in_too_late")


@transaction.atomic
def appointment_check_in(*, hall, code="", id_number="", user=None) -> Ticket:
    """Arrival at the hall: by booking code, or by the ID number of the signed-in visitor. Gives a
    priority ticket, from 30 minutes before the slot to its end, on the day only."""
    now = clock.now()
    code, id_number = (code or "").strip().upper(), (id_number or "").strip().upper()
    if code:
        appointment = (Appointment.objects.select_for_update(of=("self",)).select_related("slot", "slot__hall", "user")
                       .filter(code=code).first())
        if appointment is None:
            raise NotFound(_("未找到该预约码,请核对后重新输入。"), code="appointment_not_found")
    elif id_number:
        if user is None or not user.is_authenticated or (user.id_number or "").upper() != id_number:
            raise Forbidden(_("凭身份证号码签到须先登录本人账号;也可以输入预约码签到。"), code="id_number_mismatch")
        candidates = list(Appointment.objects.select_for_update(of=("self",)).select_related("slot", "slot__hall", "user")
                          .filter(user=user, state=A.BOOKED, slot__hall=hall, slot__date=timezone.localdate(now))
                          .order_by("slot__starts_at"))
        if not candidates:
            raise NotFound(_("您今天在本大厅没有待签到的预约。"), code="appointment_not_found")
        appointment = next((a for a in candidates if a.slot.starts_at - CHECK_IN_EARLY <= now < a.slot.ends_at),
                           candidates[0])
    else:
        raise Invalid(_("请输入预约码。"), code="code_required", fields={"code": [_("请输入预约码。")]})
    if appointment.slot.hall_id != hall.pk:
        raise Invalid(_("该预约在%(hall)s办理,请到该大厅签到。") % {"hall": appointment.slot.hall.name},
                      code="check_in_wrong_hall")
    if appointment.state == A.CHECKED_IN:
        raise Conflict(_("该预约已签到,您的号码是 %(number)s。") % {"number": appointment.ticket.number if appointment.ticket_id else ""},
                       code="already_checked_in")
    if appointment.state != A.BOOKED:
        raise Conflict(_("该预约%(state)s,不能签到。") % {"state": appointment.get_state_display()},
                       code="appointment_not_booked")
    _check_in_window(appointment, now)
    ticket = ticket_take(hall=hall, category=appointment.slot.category, department=appointment.slot.department,
                         source=Ticket.Source.APPOINTMENT, user=appointment.user,
                         priority=Ticket.Priority.APPOINTMENT)
    appointment.state, appointment.checked_in_at, appointment.ticket = A.CHECKED_IN, now, ticket
    appointment.save(update_fields=["state", "checked_in_at", "ticket"])
    return ticket


@transaction.atomic
def appointments_mark_missed(*, now=None) -> int:
    """Bookings never checked in become 爽约 once their slot has ended."""
    now = now or clock.now()
    return Appointment.objects.filter(state=A.BOOKED, slot__ends_at__lte=now).update(state=A.NO_SHOW)
