"""上门办理 (三.二.3): booking a home visit, assigning it as a slot of a clerk's day, cancelling,
recording that nobody was home, and receiving the materials at home — which is a walk-in
(windows.services.walk_in_* with `WalkIn.home_visit`), so that the marks, the one-time notice and
the refusal are those of a window.

Who may do what:
- book: a signed-in citizen, for a matter the catalog marks `home_visit` (natural persons), for
  themselves or for someone who cannot come (name, ID number, relation), with a reason, the
  address and a phone number;
- see: the citizen who booked and the person it is for (when registered); the clerks seated
  today at the hall it was booked at, and the hall's heads (`HallHead`);
- assign: a hall head (any clerk of the hall who may take the matter that day) or a clerk
  herself; the clerk must be seated at the hall on the visit's day at a window of the matter's
  category and authorised (授权) for the matter; the visit lies within opening hours of a working
  day of the holiday calendar and overlaps none of her other visits;
- receive / no-show: the assigned clerk, on the visit's day;
- cancel: the citizen before the visit starts; the hall head or the assigned clerk with a reason.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import IdentityError, mask_name, validate_id_number, validate_phone
from accounts.models import User
from core.errors import Conflict, Forbidden, Invalid, NotFound
from notifications.models import Kind
from notifications.services import notify
from workflow.calendar_store import load_calendar

from . import clock
from .models import HallHead, HomeVisit, HomeVisitEvent, Seat
from .queue_services import CODE_ALPHABET, SLOT_TIMES
from .selectors import desk_for_clerk

V = HomeVisit.State
VISIT_MINUTES = (30, 60, 90, 120)
DEFAULT_MINUTES = 60
BOOK_DAYS_AHEAD = 30  # how far ahead a visit may be asked for


def opening_ranges() -> list[tuple[dt.time, dt.time]]:
    """The hall's opening hours as joined ranges of the appointment slots (8:30–12:00, 14:30–17:30)."""
    ranges: list[list[dt.time]] = []
    for (sh, sm), (eh, em) in SLOT_TIMES:
        start, end = dt.time(sh, sm), dt.time(eh, em)
        if ranges and ranges[-1][1] == start:
            ranges[-1][1] = end
        else:
            ranges.append([start, end])
    return [(a, b) for a, b in ranges]


def _log(visit, *, actor, action, note="", data=None):
    HomeVisitEvent.objects.create(visit=visit, actor=actor, action=action, note=note[:255], data=data or {})


# --- reads -----------------------------------------------------------------------------------------


def halls_of_clerk(clerk, day: dt.date) -> set[int]:
    """The halls whose home visits a clerk reads: where she sits on `day`, and where she is head."""
    if not getattr(clerk, "is_clerk", False):
        return set()
    seated = set(
        Seat.objects.on(day).filter(clerk=clerk, window__is_active=True).values_list("window__hall_id", flat=True)
    )
    return seated | set(HallHead.objects.filter(clerk=clerk).values_list("hall_id", flat=True))


def is_head(clerk, hall_id) -> bool:
    return getattr(clerk, "is_clerk", False) and HallHead.objects.filter(clerk=clerk, hall_id=hall_id).exists()


def home_visits_for(user):
    """The visits a person reads: a citizen's own (booked by them or for them); a clerk's halls'."""
    qs = HomeVisit.objects.select_related("matter", "hall", "clerk", "application")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_public:
        return qs.filter(Q(booked_by=user) | Q(person=user))
    if user.is_clerk:
        return qs.filter(hall_id__in=halls_of_clerk(user, clock.today()))
    return qs.none()


def access_home_visit(user, code: str, *, lock=False) -> HomeVisit:
    qs = home_visits_for(user)
    if lock:
        qs = qs.select_for_update(of=("self",))
    visit = qs.filter(code=code).first()
    if visit is None:
        raise NotFound(_("未找到该上门办理预约。"), code="home_visit_not_found")
    return visit


def clerks_for(visit: HomeVisit, day: dt.date) -> list[User]:
    """The clerks who could take the visit on `day`: seated at its hall at a window of the
    matter's category and authorised for the matter."""
    ids = set(
        Seat.objects.on(day)
        .filter(window__hall_id=visit.hall_id, window__is_active=True)
        .values_list("clerk_id", flat=True)
    )
    people = []
    for clerk in User.objects.filter(pk__in=ids, role=User.Role.CLERK, is_active=True).order_by("real_name"):
        if may_take(clerk, visit, day) is None:
            people.append(clerk)
    return people


def day_of(clerk, day: dt.date):
    """The clerk's scheduled visits on `day` (her day's slots taken by visits)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (
        HomeVisit.objects.filter(
            clerk=clerk, state=V.SCHEDULED, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        )
        .select_related("matter")
        .order_by("starts_at")
    )


# --- booking -------------------------------------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


@transaction.atomic
def home_visit_book(
    *,
    user,
    matter,
    hall,
    reason: str,
    address: str,
    phone: str,
    preferred_date,
    reason_note: str = "",
    for_self: bool = True,
    person_name: str = "",
    person_id_number: str = "",
    relation: str = "",
) -> HomeVisit:
    if not getattr(user, "is_authenticated", False):
        raise Forbidden(_("请先登录再预约。"), code="not_authenticated")
    if not user.is_public:
        raise Forbidden(_("工作人员不能预约上门办理,请使用群众账号。"), code="staff_cannot_book")
    if matter is None or not matter.is_active or not matter.home_visit or matter.target != "natural":
        raise Invalid(_("该事项不提供上门办理。"), code="no_home_visit")
    errors = {}
    if reason not in HomeVisit.Reason.values:
        errors["reason"] = [_("请选择需要上门办理的原因。")]
    if reason == HomeVisit.Reason.OTHER and not (reason_note or "").strip():
        errors["reason_note"] = [_("请说明特殊困难。")]
    address = (address or "").strip()
    if not (6 <= len(address) <= 200):
        errors["address"] = [_("请填写详细的上门地址(镇、村或街道、门牌号)。")]
    try:
        phone = validate_phone(phone or "")
    except IdentityError as exc:
        errors["phone"] = [str(exc)]
    if hall is None:
        errors["hall"] = [_("请选择负责上门的大厅。")]
    today = clock.today()
    calendar = load_calendar()
    if not isinstance(preferred_date, dt.date):
        errors["preferred_date"] = [_("请填写希望上门的日期。")]
    elif not (today < preferred_date <= today + dt.timedelta(days=BOOK_DAYS_AHEAD)):
        errors["preferred_date"] = [_("请选择明天起 %(n)s 天内的日期。") % {"n": BOOK_DAYS_AHEAD}]
    elif not calendar.is_workday(preferred_date):
        errors["preferred_date"] = [_("该日为节假日或休息日,请选择工作日。")]
    if for_self:
        person_name, person_id_number, relation, person = user.real_name, user.id_number or "", _("本人"), user
        if not person_id_number:
            errors["person_id_number"] = [_("您的账号尚未实名,请先完成实名认证。")]
    else:
        person_name, relation = (person_name or "").strip(), (relation or "").strip()
        if not (1 <= len(person_name) <= 64):
            errors["person_name"] = [_("请填写办事人姓名。")]
        if not (1 <= len(relation) <= 16):
            errors["relation"] = [_("请填写您与办事人的关系。")]
        try:
            person_id_number = validate_id_number(person_id_number or "")
        except IdentityError as exc:
            errors["person_id_number"] = [str(exc)]
        person = (
            User.objects.filter(id_number=person_id_number, role=User.Role.PUBLIC).first()
            if "person_id_number" not in errors
            else None
        )
        if person is not None and person.real_name != person_name:
            errors["person_name"] = [_("姓名与该身份证号码登记的姓名不一致。")]
    if errors:
        raise Invalid(_("预约信息有 %(n)s 处需要修改。") % {"n": len(errors)}, code="invalid_home_visit", fields=errors)
    visit = HomeVisit.objects.create(
        code=_new_code(),
        matter=matter,
        hall=hall,
        booked_by=user,
        person=person,
        person_name=person_name,
        person_id_number=person_id_number,
        relation=relation,
        reason=reason,
        reason_note=(reason_note or "").strip(),
        address=address,
        phone=phone,
        preferred_date=preferred_date,
    )
    _log(
        visit,
        actor=user,
        action="windows.home_visit.booked",
        note=_("预约上门办理 %(matter)s,希望 %(day)s") % {"matter": matter.name, "day": preferred_date},
        data={"reason": reason, "for_self": for_self},
    )
    return visit


# --- assigning -------------------------------------------------------------------------------------


def may_take(clerk, visit, day) -> Forbidden | None:
    """None when `clerk` may take `visit` on `day`, else why not."""
    if not getattr(clerk, "is_clerk", False) or not clerk.is_active:
        return Forbidden(_("只能安排窗口人员上门。"), code="not_a_clerk")
    desk = desk_for_clerk(clerk, day)
    if desk is None or not Seat.objects.on(day).filter(clerk=clerk, window__hall_id=visit.hall_id).exists():
        return Forbidden(_("%(name)s 当日不在本大厅排班。") % {"name": clerk.real_name}, code="not_seated_at_hall")
    if visit.matter.target not in desk.categories:
        return Forbidden(
            _("%(name)s 当日所在窗口不受理该类别的事项。") % {"name": clerk.real_name}, code="wrong_window_category"
        )
    if not desk.authorised_for([visit.matter_id]):
        return Forbidden(
            _("%(name)s 未获授权受理“%(matter)s”。") % {"name": clerk.real_name, "matter": visit.matter.name},
            code="clerk_not_authorised",
        )
    return None


def _check_slot(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = local_start.date()
    if starts_at <= clock.now():
        raise Invalid(_("上门时间须晚于现在。"), code="visit_in_past", fields={"starts_at": [_("请选择以后的时间。")]})
    if not load_calendar().is_workday(day):
        raise Invalid(
            _("%(day)s 为节假日或休息日,不安排上门。") % {"day": day},
            code="visit_on_holiday",
            fields={"starts_at": [_("请选择工作日。")]},
        )
    inside = local_end.date() == day and any(
        a <= local_start.time() and local_end.time() <= b for a, b in opening_ranges()
    )
    if not inside:
        hours = "、".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in opening_ranges())
        raise Invalid(
            _("上门时间须在办公时间内(%(hours)s)。") % {"hours": hours},
            code="visit_outside_hours",
            fields={"starts_at": [_("请选择办公时间内的时段。")]},
        )


@transaction.atomic
def home_visit_assign(
    *, visit: HomeVisit, by, clerk, starts_at: dt.datetime, minutes: int = DEFAULT_MINUTES
) -> HomeVisit:
    """Assign (or move) the visit to `clerk` from `starts_at` for `minutes`: by the hall's head,
    or by the clerk herself. Two visits of one clerk never overlap: the clerk's row is locked
    while her day is checked, so two heads assigning at once cannot both win."""
    visit = HomeVisit.objects.select_for_update().select_related("matter", "hall").get(pk=visit.pk)
    head = is_head(by, visit.hall_id)
    if not head and not (
        getattr(by, "is_clerk", False)
        and by.pk == getattr(clerk, "pk", None)
        and visit.hall_id in halls_of_clerk(by, clock.today())
    ):
        raise Forbidden(_("只有大厅负责人或受理该事项的窗口人员本人可以安排上门。"), code="may_not_assign")
    if visit.state not in (V.REQUESTED, V.SCHEDULED):
        raise Conflict(_("该预约已%(state)s,不能再安排。") % {"state": visit.get_state_display()}, code="visit_closed")
    if visit.state == V.SCHEDULED and not head:
        raise Forbidden(_("已安排的上门只能由大厅负责人调整。"), code="may_not_reassign")
    if minutes not in VISIT_MINUTES:
        raise Invalid(_("请选择上门时长。"), code="invalid_minutes", fields={"minutes": [_("请选择上门时长。")]})
    if not isinstance(starts_at, dt.datetime):
        raise Invalid(_("请填写上门时间。"), code="invalid_start", fields={"starts_at": [_("请填写上门时间。")]})
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    _check_slot(starts_at, ends_at)
    refusal = may_take(clerk, visit, timezone.localdate(starts_at))
    if refusal is not None:
        raise refusal
    User.objects.select_for_update().get(pk=clerk.pk)  # one change of a clerk's day at a time
    clash = (
        HomeVisit.objects.filter(clerk=clerk, state=V.SCHEDULED, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=visit.pk)
        .first()
    )
    if clash is not None:
        raise Conflict(
            _("%(name)s 在 %(start)s–%(end)s 已有上门安排,时间不能重叠。")
            % {
                "name": clerk.real_name,
                "start": timezone.localtime(clash.starts_at).strftime("%m-%d %H:%M"),
                "end": timezone.localtime(clash.ends_at).strftime("%H:%M"),
            },
            code="visit_overlap",
        )
    before = {"clerk": visit.clerk_id, "starts_at": visit.starts_at.isoformat() if visit.starts_at else None}
    visit.clerk, visit.assigned_by, visit.starts_at, visit.ends_at = clerk, by, starts_at, ends_at
    visit.state = V.SCHEDULED
    visit.save(update_fields=["clerk", "assigned_by", "starts_at", "ends_at", "state"])
    when = timezone.localtime(starts_at)
    _log(
        visit,
        actor=by,
        action="windows.home_visit.scheduled",
        note=_("安排 %(name)s 于 %(when)s 上门") % {"name": clerk.real_name, "when": when.strftime("%Y-%m-%d %H:%M")},
        data={"clerk": clerk.pk, "starts_at": starts_at.isoformat(), "minutes": minutes, "before": before},
    )
    body = _(
        "%(matter)s:%(hall)s 工作人员 %(clerk)s 将于 %(when)s–%(end)s 上门办理,请办事人 %(person)s 备齐材料原件和身份证,"
        "保持电话畅通。预约码 %(code)s。"
    ) % {
        "matter": visit.matter.name,
        "hall": visit.hall.name,
        "clerk": mask_name(clerk.real_name),
        "when": when.strftime("%Y-%m-%d %H:%M"),
        "end": timezone.localtime(ends_at).strftime("%H:%M"),
        "person": visit.person_name,
        "code": visit.code,
    }
    for person in {visit.booked_by, visit.person} - {None}:
        notify(
            recipient=person,
            kind=Kind.HOME_VISIT,
            title=_("上门办理已安排"),
            body=body,
            link=reverse("portal:my_appointments"),
            dedupe_key=f"home_visit:{visit.pk}:{starts_at.isoformat()}:{clerk.pk}",
        )
    return visit


# --- closing without a case --------------------------------------------------------------------


@transaction.atomic
def home_visit_cancel(*, visit: HomeVisit, by, reason: str = "") -> HomeVisit:
    visit = HomeVisit.objects.select_for_update().select_related("matter", "hall").get(pk=visit.pk)
    citizen = by.pk in (visit.booked_by_id, visit.person_id)
    staff = is_head(by, visit.hall_id) or (visit.clerk_id is not None and visit.clerk_id == by.pk)
    if not (citizen or staff):
        raise Forbidden(_("只有预约人、上门人员或大厅负责人可以取消。"), code="may_not_cancel")
    if not visit.is_open:
        raise Conflict(_("该预约已%(state)s,不能取消。") % {"state": visit.get_state_display()}, code="visit_closed")
    if citizen and not staff and visit.starts_at is not None and visit.starts_at <= clock.now():
        raise Conflict(_("上门时间已到,不能在网上取消,请致电大厅。"), code="visit_started")
    reason = (reason or "").strip()
    if staff and not citizen and not reason:
        raise Invalid(_("请说明取消原因。"), code="reason_required", fields={"reason": [_("请说明取消原因。")]})
    visit.state, visit.closed_note = V.CANCELLED, reason[:255]
    visit.save(update_fields=["state", "closed_note"])
    _log(visit, actor=by, action="windows.home_visit.cancelled", note=reason)
    if staff and not citizen:
        for person in {visit.booked_by, visit.person} - {None}:
            notify(
                recipient=person,
                kind=Kind.HOME_VISIT,
                title=_("上门办理已取消"),
                body=_("%(matter)s 的上门办理已由大厅取消:%(reason)s")
                % {"matter": visit.matter.name, "reason": reason},
                link=reverse("portal:my_appointments"),
                dedupe_key=f"home_visit:{visit.pk}:cancelled",
            )
    return visit


@transaction.atomic
def home_visit_no_show(*, visit: HomeVisit, clerk, note: str = "") -> HomeVisit:
    """The assigned clerk came and nobody was home (上门未遇), once the visit's time has begun."""
    visit = HomeVisit.objects.select_for_update().get(pk=visit.pk)
    if visit.clerk_id != clerk.pk:
        raise Forbidden(_("只有上门人员可以登记上门未遇。"), code="not_the_visiting_clerk")
    if visit.state != V.SCHEDULED:
        raise Conflict(_("该预约已%(state)s。") % {"state": visit.get_state_display()}, code="visit_closed")
    if visit.starts_at > clock.now():
        raise Conflict(_("上门时间未到,不能登记未遇。"), code="visit_not_started")
    visit.state, visit.closed_note = V.NO_SHOW, (note or "").strip()[:255]
    visit.save(update_fields=["state", "closed_note"])
    _log(visit, actor=clerk, action="windows.home_visit.no_show", note=visit.closed_note)
    return visit


# --- at the visit: the walk-in's checks and its link ------------------------------------------------


def visit_for_receipt(clerk, visit_id: int, *, id_number: str) -> HomeVisit:
    """The visit a clerk receives materials for (locked): hers, scheduled, today, and for the
    person whose ID card she holds. Called by windows.services before anything is written."""
    visit = HomeVisit.objects.select_for_update().select_related("matter").filter(pk=visit_id).first()
    if visit is None or visit.clerk_id != clerk.pk:
        raise Forbidden(_("只有安排上门的窗口人员可以收件。"), code="not_the_visiting_clerk")
    if visit.state != V.SCHEDULED:
        raise Conflict(_("该上门预约已%(state)s。") % {"state": visit.get_state_display()}, code="visit_closed")
    if timezone.localdate(visit.starts_at) != clock.today():
        raise Conflict(
            _("只能在上门当日收件(安排在 %(day)s)。") % {"day": timezone.localdate(visit.starts_at)},
            code="not_the_visit_day",
        )
    try:
        number = validate_id_number(id_number or "")
    except IdentityError:
        number = ""
    if number != visit.person_id_number:
        raise Invalid(
            _("申请人身份证号码与预约的办事人不一致。"),
            code="not_the_visit_person",
            fields={"applicant_id_number": [_("请核对办事人身份证。")]},
        )
    return visit


def visit_received(*, visit: HomeVisit, clerk, application) -> HomeVisit:
    """Inside the walk-in's transaction: the visit is done and names its case."""
    visit.state, visit.application = V.RECEIVED, application
    visit.save(update_fields=["state", "application"])
    _log(
        visit,
        actor=clerk,
        action="windows.home_visit.received",
        note=_("上门收件,办件 %(number)s") % {"number": application.number},
        data={"application": application.number},
    )
    return visit
