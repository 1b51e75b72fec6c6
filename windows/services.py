"""The window drives workflow services: a walk-in is registered and, when complete, accepted on
the spot (行政许可法 art. 32); an incomplete one gets the one-time notice."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import applicant_find_or_register
from core.errors import Conflict, Forbidden, Invalid
from matters.models import Target
from workflow import services as workflow_services
from workflow.models import Application, Channel

from .models import ClerkAuthorisation, RosterLog, Seat


@transaction.atomic
def walk_in_register(
    *, clerk, applicant: dict, matters, form_data: dict, theme=None, enterprise=None, files=None,
    received=(), accept_now=True, idempotency_key="", agent=None,
) -> Application:
    """`applicant`: {"real_name", "id_number", "phone"}; `agent`: the same for a 代办人 acting
    for the applicant, or None; `received`: ids of the material
    requirements whose originals the clerk has checked at the window."""
    desk = workflow_services.clerk_desk(clerk, category=matters[0].target if matters else None, matters=matters)
    person = applicant_find_or_register(**applicant)
    # 委托代办 at the window: the agent in front of the clerk, checked against the principal's
    # authorisation exactly as online (application_submit refuses outside it).
    acting = None
    if agent:
        try:
            acting = applicant_find_or_register(real_name=agent.get("real_name", ""), id_number=agent.get("id_number", ""))
        except Invalid as exc:
            raise Invalid(_("代办人身份信息有误。"), code="invalid_agent",
                          fields={f"agent_{k}": v for k, v in exc.fields.items()}) from None
    application = workflow_services.application_submit(
        applicant=person, matters=matters, theme=theme, enterprise=enterprise, form_data=form_data, files=files,
        channel=Channel.WINDOW, created_by=clerk, hall_id=desk.hall_id, received_at_window=received,
        idempotency_key=idempotency_key, agent=acting,
    )
    if accept_now and application.state == Application.State.SUBMITTED and not missing_materials(application):
        application = workflow_services.application_accept(application=application, clerk=clerk)
    return application


def missing_materials(application):
    """Required materials the applicant must bring and has neither uploaded nor handed over."""
    have = set(application.materials.values_list("requirement_id", flat=True))
    return [
        r for m in application.matters.all() for r in m.materials.all()
        if r.required and r.must_be_brought and r.pk not in have
    ]




# --- 统一调配: seats and authorisations --------------------------------------------------------


def _check_administrator(by):
    if not (getattr(by, "role", None) == User.Role.ADMINISTRATOR or getattr(by, "is_superuser", False)):
        raise Forbidden(_("只有系统管理员可以调配窗口人员。"), code="not_an_administrator")


def _check_clerk(clerk):
    if not getattr(clerk, "is_clerk", False):
        raise Invalid(_("只能调配综合窗口人员。"), code="not_a_clerk", fields={"clerk": [_("请选择窗口人员。")]})


@transaction.atomic
def seat_move(*, clerk, window, starts_on: dt.date, by) -> Seat:
    """Seat a clerk at `window` from `starts_on`: the seat they hold that day ends the day before
    and the new one opens (open-ended). Seats never overlap: a seat already planned on or after
    `starts_on` must be dealt with first. Cases in the clerk's hands stay theirs
    (workflow.selectors.cases_in_hand), wherever they sit."""
    _check_administrator(by)
    _check_clerk(clerk)
    if not window.is_active:
        raise Invalid(_("该窗口已停用。"), code="window_inactive", fields={"window": [_("请选择启用的窗口。")]})
    if not isinstance(starts_on, dt.date):
        raise Invalid(_("请填写调配生效日期。"), code="invalid_date", fields={"starts_on": [_("请填写日期。")]})
    User.objects.select_for_update().get(pk=clerk.pk)  # one move of a clerk at a time
    seats = list(Seat.objects.select_for_update().filter(clerk=clerk).order_by("starts_on"))
    later = [s for s in seats if s.starts_on >= starts_on]
    if later:
        raise Conflict(
            _("%(name)s 在 %(day)s 或之后已有排班(%(window)s),不能重叠;请先调整该排班。")
            % {"name": clerk.real_name, "day": starts_on, "window": later[0].window}, code="seat_overlap",
        )
    ended = []
    for seat in seats:
        if seat.ends_on is None or seat.ends_on >= starts_on:
            seat.ends_on = starts_on - dt.timedelta(days=1)
            seat.save(update_fields=["ends_on"])
            ended.append({"seat": seat.pk, "window": str(seat.window), "ends_on": seat.ends_on.isoformat()})
    seat = Seat.objects.create(clerk=clerk, window=window, starts_on=starts_on)
    RosterLog.objects.create(actor=by, clerk=clerk, action="windows.seat.moved", data={
        "ended": ended, "seat": seat.pk, "window": str(window), "hall": window.hall.name,
        "starts_on": starts_on.isoformat(),
    })
    return seat


@transaction.atomic
def clerk_authorise(*, clerk, by, starts_on: dt.date, ends_on=None, matters=(), all_matters=False, category="") -> ClerkAuthorisation:
    """授权: `all_matters` with a `category` (natural/legal, or "" for every category), or the
    matters named, from `starts_on` to `ends_on` (open-ended when None)."""
    _check_administrator(by)
    _check_clerk(clerk)
    matters = list(matters)
    errors = {}
    if not all_matters and not matters:
        errors["matters"] = [_("请选择授权事项,或授权全部事项。")]
    if category and category not in Target.values:
        errors["category"] = [_("请选择事项类别。")]
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = [_("请填写起始日期。")]
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("截止日期不能早于起始日期。")]
    if errors:
        raise Invalid(_("授权信息有误,请按提示修改。"), code="invalid_clerk_authorisation", fields=errors)
    grant = ClerkAuthorisation.objects.create(clerk=clerk, starts_on=starts_on, ends_on=ends_on, granted_by=by,
                                              all_matters=all_matters, category=category if all_matters else "")
    if not all_matters:
        grant.matters.set(matters)
    RosterLog.objects.create(actor=by, clerk=clerk, action="windows.authorisation.granted", data={
        "authorisation": grant.pk, "all_matters": all_matters, "category": grant.category,
        "matters": [m.code for m in matters], "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat() if ends_on else None,
    })
    return grant


@transaction.atomic
def clerk_authorisation_end(*, authorisation: ClerkAuthorisation, by, ends_on: dt.date) -> ClerkAuthorisation:
    _check_administrator(by)
    authorisation = ClerkAuthorisation.objects.select_for_update().get(pk=authorisation.pk)
    if ends_on < authorisation.starts_on - dt.timedelta(days=1):
        raise Invalid(_("截止日期不能早于起始日期的前一天。"), code="invalid_date", fields={"ends_on": [_("请核对日期。")]})
    authorisation.ends_on = ends_on
    authorisation.save(update_fields=["ends_on"])
    RosterLog.objects.create(actor=by, clerk=authorisation.clerk, action="windows.authorisation.ended",
                             data={"authorisation": authorisation.pk, "ends_on": ends_on.isoformat()})
    return authorisation
