"""The window drives workflow services: a walk-in is registered and, in the same transaction,
accepted on the spot when complete (行政许可法 art. 32), given the one-time notice listing
everything missing (一次性告知), or refused with reasons. Consultations (首问责任) live in
windows.consultations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import IdentityError, validate_id_number, validate_phone
from accounts.models import User
from accounts.services import applicant_find_or_register
from core.errors import Conflict, Forbidden, Invalid
from matters.models import MaterialRequirement, Target
from matters.oneform import clean_form_data, form_fields, material_requirements
from workflow import rules
from workflow import services as workflow_services
from workflow.calendar_store import load_calendar
from workflow.models import Application, Source

from .models import ClerkAuthorisation, Consultation, ConsultationEvent, RosterLog, Seat
from .selectors import seats_today

# Keys of the one form that the applicant's identity answers; the walk-in screen does not ask
# them again and fills them from the person found or registered (asked once).
APPLICANT_KEYS = {
    "applicant_name": "real_name", "real_name": "real_name", "name": "real_name",
    "id_number": "id_number", "applicant_id_number": "id_number",
    "contact_phone": "phone", "phone": "phone", "applicant_phone": "phone",
}


class Decision:
    ACCEPT = "accept"  # accept on the spot; refused (nothing saved) while anything is missing
    SUPPLEMENT = "supplement"  # register and issue the one-time notice of everything missing
    REFUSE = "refuse"  # register and refuse to accept, with reasons
    ACCEPT_IF_COMPLETE = "accept_if_complete"  # the API's `accept: true`: accept, or register only
    REGISTER = "register"  # register only (the API's `accept: false`)

    SCREEN = (ACCEPT, SUPPLEMENT, REFUSE)


def missing_requirements(requirements, *, provided, required_ids=frozenset(), exempt=None) -> list[MaterialRequirement]:
    """Pure: the required materials the applicant must bring that are not in `provided` (ids of
    requirements uploaded, checked at the window or deferred). `exempt`: 免提交 outcomes by
    requirement id (exchange.exemptions): obtained is provided, not obtained must be brought."""
    exempt = exempt or {}

    def must_bring(r):
        outcome = exempt.get(r.pk)
        return not outcome.obtained if outcome is not None else r.source == MaterialRequirement.Source.APPLICANT

    return [r for r in requirements if (r.required or r.pk in required_ids) and must_bring(r) and r.pk not in provided]


def walk_in_person(*, real_name="", id_number="", phone="") -> User:
    """The applicant by ID number; a person already registered needs no name typed (the clerk
    holds the ID card), a typed name must match. Unknown: registered (name required)."""
    try:
        number = validate_id_number(id_number)
    except IdentityError:
        number = None
    if number and not (real_name or "").strip():
        person = User.objects.filter(id_number=number).first()
        if person is not None:
            return person
    return applicant_find_or_register(real_name=real_name, id_number=id_number, phone=phone)


def fill_applicant_keys(fields, values: dict, person) -> dict:
    """The one form's values with the applicant's own keys (name, ID number, phone) filled from
    the person where the screen left them empty."""
    filled = dict(values)
    for field in fields:
        attr = APPLICANT_KEYS.get(field.key)
        if attr and not str(filled.get(field.key, "")).strip():
            filled[field.key] = getattr(person, attr) or ""
    return filled


@dataclass(frozen=True)
class WalkIn:
    """What a clerk registers at a window, parsed by the walk-in form (windows.forms) or the API's
    serializer: `applicant` {"real_name", "id_number", "phone"} (name optional for a person
    already registered); `received`: requirement ids whose originals the clerk checked;
    `deferred`: deferrable requirement ids accepted with the material to follow by
    `deferred_until` (容缺); `agent` {"real_name", "id_number"} of a 代办人 acting for the
    applicant (委托代办), checked against the principal's authorisation exactly as online.
    Replaying the same `idempotency_key` returns the first application unchanged."""

    applicant: dict
    matters: list
    form_data: dict
    theme: object = None
    enterprise: object = None
    files: dict | None = None
    received: tuple = ()
    deferred: tuple = ()
    deferred_until: dt.date | None = None
    requirements: list | None = None
    required_ids: frozenset = frozenset()
    situation: dict | None = None
    agent: dict | None = None
    idempotency_key: str = ""
    home_visit: int | None = None  # 上门办理: the visit (windows.home_visits) the clerk receives at home


@dataclass
class _Prepared:
    person: object
    acting: object
    hall_id: int | None
    requirements: list
    uploaded: set
    missing: list
    form_data: dict
    existing: Application | None = None
    visit: object = None


def _prepare(clerk, walk_in: WalkIn) -> _Prepared:
    """The shared core, before anything is written: the clerk's desk, the person (found or
    registered), the 代办人, an earlier answer to the same key, what is missing."""
    matters = list(walk_in.matters)
    desk = rules.clerk_desk(clerk, category=matters[0].target if matters else None, matters=matters)
    visit = None
    if walk_in.home_visit is not None:
        from .home_visits import visit_for_receipt

        visit = visit_for_receipt(clerk, walk_in.home_visit, id_number=walk_in.applicant.get("id_number", ""))
    person = walk_in_person(**walk_in.applicant)
    acting = None
    if walk_in.agent:
        try:
            acting = applicant_find_or_register(real_name=walk_in.agent.get("real_name", ""),
                                                id_number=walk_in.agent.get("id_number", ""))
        except Invalid as exc:
            raise Invalid(_("代办人身份信息有误。"), code="invalid_agent",
                          fields={f"agent_{k}": v for k, v in exc.fields.items()}) from None
    existing = None
    if walk_in.idempotency_key:
        existing = Application.objects.filter(applicant=person, idempotency_key=walk_in.idempotency_key).first()
    requirements = list(walk_in.requirements) if walk_in.requirements is not None else material_requirements(matters)
    uploaded = {r.pk for r in requirements if f"material_{r.pk}" in (walk_in.files or {})}
    provided = uploaded | set(walk_in.received) | set(walk_in.deferred)
    exempt = workflow_services.exemption_outcomes(applicant=person, enterprise=walk_in.enterprise, matters=matters,
                                                  requirements=requirements)
    missing = missing_requirements(requirements, provided=provided, required_ids=frozenset(walk_in.required_ids),
                                   exempt=exempt.materials)
    form_data = fill_applicant_keys(form_fields(matters), walk_in.form_data, person)
    return _Prepared(person=person, acting=acting, hall_id=desk.hall_id, requirements=requirements,
                     uploaded=uploaded, missing=missing, form_data=form_data, existing=existing, visit=visit)


def _register(clerk, walk_in: WalkIn, prepared: _Prepared) -> Application:
    """The shared core's write: the application submitted at the clerk's hall."""
    submission = workflow_services.Submission(
        applicant=prepared.person, matters=list(walk_in.matters), theme=walk_in.theme, enterprise=walk_in.enterprise,
        form_data=prepared.form_data, files=walk_in.files, idempotency_key=walk_in.idempotency_key,
        requirements=prepared.requirements, required_ids=walk_in.required_ids, situation=walk_in.situation,
        agent=prepared.acting, source=Source.HOME_VISIT if prepared.visit is not None else Source.NONE,
    )
    application = workflow_services.application_receive_at_window(
        submission=submission, clerk=clerk, hall_id=prepared.hall_id,
        received=sorted(set(walk_in.received) - prepared.uploaded),
    )
    if prepared.visit is not None:
        from .home_visits import visit_received

        visit_received(visit=prepared.visit, clerk=clerk, application=application)
    return application


def _accept(clerk, walk_in: WalkIn, prepared: _Prepared, application: Application) -> Application:
    return workflow_services.application_accept(
        application=application, clerk=clerk,
        deferred=sorted(set(walk_in.deferred) - prepared.uploaded - set(walk_in.received)),
        deferred_until=walk_in.deferred_until,
    )


@transaction.atomic
def walk_in_accept(*, clerk, walk_in: WalkIn) -> Application:
    """Register and accept on the spot (行政许可法 art. 32); refused with every missing material
    named (and the form's own problems counted), nothing saved, while a required one is missing."""
    from matters.oneform_pages import duplicated_names, material_label  # labels as the screens show them

    prepared = _prepare(clerk, walk_in)
    if prepared.existing is not None:
        return prepared.existing  # a second click or a retry: the first answer stands
    if prepared.missing:
        twice = duplicated_names(prepared.requirements)
        names = "、".join(material_label(r, twice) for r in prepared.missing)
        fields = {f"material_{r.pk}": [_("未收取")] for r in prepared.missing}
        message = _("材料不齐全,不能当场受理。尚缺 %(n)s 项:%(names)s。请补齐,或出具一次性补正告知。") % {
            "n": len(prepared.missing), "names": names}
        try:  # the form's own problems too, so that the clerk sees everything at once, counted
            clean_form_data(form_fields(list(walk_in.matters)), prepared.form_data)
        except Invalid as exc:
            fields.update(exc.fields)
            message += _("表单另有 %(n)s 处需要修改。") % {"n": len(exc.fields)}
        raise Invalid(message, code="materials_missing", fields=fields)
    return _accept(clerk, walk_in, prepared, _register(clerk, walk_in, prepared))


@transaction.atomic
def walk_in_supplement(*, clerk, walk_in: WalkIn, note: str = "", labels: dict | None = None) -> Application:
    """Register and issue the one-time notice (一次性告知) of everything missing; `labels` maps
    requirement id → the label the clerk saw. With nothing missing, only a note justifies it."""
    from matters.oneform_pages import duplicated_names, material_label

    note = (note or "").strip()
    prepared = _prepare(clerk, walk_in)
    if prepared.existing is not None:
        return prepared.existing
    if not prepared.missing and not note:
        raise Invalid(_("材料已齐全,无需补正,请直接受理。"), code="nothing_missing")
    application = _register(clerk, walk_in, prepared)
    twice = duplicated_names(prepared.requirements)
    labels = labels or {}
    items = [{"material": labels.get(r.pk) or material_label(r, twice), "reason": _("未提交")}
             for r in prepared.missing]
    if note and not items:
        items = [{"material": note[:128], "reason": ""}]
    workflow_services.application_request_supplement(application=application, clerk=clerk, items=items, note=note)
    return Application.objects.get(pk=application.pk)


@transaction.atomic
def walk_in_refuse(*, clerk, walk_in: WalkIn, reason: str) -> Application:
    """Register and refuse to accept, with reasons (不予受理)."""
    if not (reason or "").strip():
        raise Invalid(_("不予受理须说明理由。"), code="reason_required", fields={"reason": [_("请填写不予受理的理由。")]})
    prepared = _prepare(clerk, walk_in)
    if prepared.existing is not None:
        return prepared.existing
    application = _register(clerk, walk_in, prepared)
    return workflow_services.application_refuse(application=application, clerk=clerk, reason=reason)


@transaction.atomic
def walk_in_receive(*, clerk, walk_in: WalkIn, accept_if_complete: bool) -> Application:
    """The API's receipt (`accept: true/false`): register only, or accept when nothing is missing
    and register only otherwise (the notice or refusal follows as its own step)."""
    prepared = _prepare(clerk, walk_in)
    if prepared.existing is not None:
        return prepared.existing
    application = _register(clerk, walk_in, prepared)
    if accept_if_complete and not prepared.missing:
        return _accept(clerk, walk_in, prepared, application)
    return application


# --- 首问责任 consultations ----------------------------------------------------------------------

# Working days to answer, after the day the question was asked (that day is not counted): an
# answer owed at the window or on the phone is due the next working day; a question received
# online (message, e-mail) within three working days. Change here; documented in decisions.md.
CONSULTATION_ANSWER_DAYS = {
    Consultation.Channel.WINDOW: 1,
    Consultation.Channel.PHONE: 1,
    Consultation.Channel.ONLINE: 3,
}
STAFF_ROLES = (User.Role.CLERK, User.Role.REVIEWER, User.Role.ADMINISTRATOR)


def _consultation_district(hall, matter, staff) -> str:
    """A consultation is numbered after the hall that records it, else the matter's department,
    else the staff member's department, else the city's first district."""
    from accounts.models import Region

    for region_of in (lambda: hall.region, lambda: matter.department.region, lambda: staff.department.region):
        try:
            return region_of().district_code
        except AttributeError:
            continue
    first = Region.objects.filter(level=Region.Level.DISTRICT).order_by("code").first()
    return first.district_code if first is not None else "441803"


def _check_staff(user, *, action):
    if getattr(user, "role", None) == User.Role.SUPERVISOR:
        raise Forbidden(_("督查人员只能查看咨询,不能%(action)s。") % {"action": action}, code="supervisor_read_only")
    if getattr(user, "role", None) not in STAFF_ROLES:
        raise Forbidden(_("只有工作人员可以%(action)s。") % {"action": action}, code="not_staff")


def _locked_open(consultation, *, staff, action) -> Consultation:
    _check_staff(staff, action=action)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not consultation.is_open:
        raise Conflict(_("该咨询已答复办结,不能再%(action)s。") % {"action": action}, code="consultation_closed")
    if consultation.owner_id != staff.pk:
        raise Forbidden(_("只有当前责任人可以%(action)s。") % {"action": action}, code="not_owner")
    return consultation


def _log(consultation, *, action, actor, at, from_owner=None, to_owner=None, note=""):
    return ConsultationEvent.objects.create(consultation=consultation, action=action, actor=actor, from_owner=from_owner,
                                            to_owner=to_owner, note=note, created_at=at)


@transaction.atomic
def consultation_open(
    *, staff, channel: str, topic: str, question: str, asker=None, asker_name="", asker_phone="",
    asker_id_number="", hall=None, matter=None,
) -> Consultation:
    """Record a question; the staff member who records it owns the answer (首问责任).

    The person asking: a signed-in citizen (`asker`), or a name with an optional phone and ID
    number (both validated); a registered ID number links the consultation to that citizen's
    account, so they read the answer online. `hall` defaults to the clerk's hall today."""
    _check_staff(staff, action=_("登记咨询"))
    errors = {}
    if channel not in Consultation.Channel.values:
        errors["channel"] = [_("请选择咨询渠道。")]
    topic, question = (topic or "").strip(), (question or "").strip()
    if not topic:
        errors["topic"] = [_("请填写咨询主题。")]
    elif len(topic) > 64:
        errors["topic"] = [_("咨询主题不超过64个字。")]
    if not question:
        errors["question"] = [_("请填写咨询内容。")]
    asker_name = (asker.real_name if asker is not None else (asker_name or "").strip())
    if not (1 <= len(asker_name) <= 64):
        errors["asker_name"] = [_("请填写咨询人姓名。")]
    phone = (asker_phone or "").strip() or (asker.phone if asker is not None else "")
    if phone:
        try:
            phone = validate_phone(phone)
        except IdentityError as exc:
            errors["asker_phone"] = [str(exc)]
    id_number = (asker_id_number or "").strip() or (asker.id_number or "" if asker is not None else "")
    if id_number:
        try:
            id_number = validate_id_number(id_number)
        except IdentityError as exc:
            errors["asker_id_number"] = [str(exc)]
    if channel == Consultation.Channel.PHONE and not phone and "asker_phone" not in errors:
        errors["asker_phone"] = [_("电话咨询须留联系电话,以便答复。")]
    if errors:
        raise Invalid(_("咨询登记有 %(n)s 处需要处理。") % {"n": len(errors)}, code="invalid_consultation", fields=errors)
    if asker is None and id_number:
        asker = User.objects.filter(id_number=id_number, role=User.Role.PUBLIC).first()
        if asker is not None and asker.real_name != asker_name:
            raise Invalid(_("姓名与该身份证号码登记的姓名不一致。"), code="name_mismatch",
                          fields={"asker_name": [_("请核对咨询人姓名。")]})
    if hall is None and staff.role == User.Role.CLERK:
        seats = list(seats_today(staff, timezone.localdate()))
        hall = seats[0].window.hall if seats else None
    now = timezone.now()
    opened_on = timezone.localdate(now)
    consultation = Consultation(
        number=workflow_services.next_application_number(type_code="ZX", day=opened_on,
                                                         district_code=_consultation_district(hall, matter, staff)),
        channel=channel, hall=hall, asker=asker, asker_name=asker_name, asker_phone=phone, asker_id_number=id_number,
        topic=topic, matter=matter, question=question, recorded_by=staff, owner=staff, opened_at=now,
        due_on=load_calendar().add_workdays(opened_on, CONSULTATION_ANSWER_DAYS[channel]),
    )
    consultation.save()
    _log(consultation, action=ConsultationEvent.Action.OPENED, actor=staff, at=now, to_owner=staff, note=question)
    return consultation


@transaction.atomic
def consultation_hand_over(*, consultation: Consultation, staff, to, reason: str) -> Consultation:
    """The owner hands the question to another staff member, who owns it from this moment (no
    acceptance step: it appears in their list at once); the hand-over is recorded."""
    consultation = _locked_open(consultation, staff=staff, action=_("移交"))
    reason = (reason or "").strip()
    errors = {}
    if to is None or to.role not in STAFF_ROLES or not to.is_active:
        errors["to"] = [_("请选择接收的工作人员。")]
    elif to.pk == staff.pk:
        errors["to"] = [_("不能移交给自己。")]
    if not reason:
        errors["reason"] = [_("请说明移交理由。")]
    if errors:
        raise Invalid(_("移交信息有误。"), code="invalid_handover", fields=errors)
    previous = consultation.owner
    consultation.owner = to
    consultation.save(update_fields=["owner"])
    _log(consultation, action=ConsultationEvent.Action.HANDED_OVER, actor=staff, at=timezone.now(), from_owner=previous,
         to_owner=to, note=reason)
    return consultation


@transaction.atomic
def consultation_answer(*, consultation: Consultation, staff, answer: str) -> Consultation:
    """The owner records the answer given; the consultation is closed (已答复) and frozen."""
    consultation = _locked_open(consultation, staff=staff, action=_("答复"))
    answer = (answer or "").strip()
    if not answer:
        raise Invalid(_("请填写答复内容。"), code="answer_required", fields={"answer": [_("请填写答复内容。")]})
    consultation.close()
    now = timezone.now()
    consultation.answer, consultation.answered_by, consultation.answered_at = answer, staff, now
    consultation.save()
    _log(consultation, action=ConsultationEvent.Action.ANSWERED, actor=staff, at=now, from_owner=staff, note=answer)
    return consultation


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


# --- edits made in /admin/ (统一调配 by hand): the same log as the screens ----------------------

def _seat_data(seat: Seat) -> dict:
    return {"clerk": seat.clerk_id, "window": str(seat.window), "hall": seat.window.hall.name,
            "starts_on": seat.starts_on.isoformat(), "ends_on": seat.ends_on.isoformat() if seat.ends_on else None}


def seat_overlap(*, clerk_id: int, starts_on: dt.date, ends_on: dt.date | None, exclude_pk=None) -> Seat | None:
    """Another seat of the clerk that shares a day with [starts_on, ends_on] (None: open-ended)."""
    others = Seat.objects.filter(clerk_id=clerk_id).exclude(pk=exclude_pk).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        others = others.filter(starts_on__lte=ends_on)
    return others.select_related("window").first()


@transaction.atomic
def seat_admin_save(*, seat: Seat, by) -> Seat:
    """An administrator adds or edits a seat in the admin: the seat may not overlap another of
    the clerk's, and the roster log gets the seat as it was and as it is."""
    _check_administrator(by)
    _check_clerk(seat.clerk)
    User.objects.select_for_update().get(pk=seat.clerk_id)  # one change of a clerk's seats at a time
    before = Seat.objects.select_for_update().select_related("window__hall").filter(pk=seat.pk).first() if seat.pk else None
    if seat.ends_on is not None and seat.ends_on < seat.starts_on:
        raise Invalid(_("截止日期不能早于起始日期。"), code="invalid_date", fields={"ends_on": [_("请核对日期。")]})
    clash = seat_overlap(clerk_id=seat.clerk_id, starts_on=seat.starts_on, ends_on=seat.ends_on, exclude_pk=seat.pk)
    if clash is not None:
        raise Conflict(_("与该人员的另一排班(%(window)s,%(day)s 起)重叠,请先调整该排班。")
                       % {"window": clash.window, "day": clash.starts_on}, code="seat_overlap")
    seat.save()
    RosterLog.objects.create(actor=by, clerk=seat.clerk, action="windows.seat.edited" if before else "windows.seat.added",
                             data={"seat": seat.pk, "before": _seat_data(before) if before else None,
                                   "after": _seat_data(seat), "via": "admin"})
    return seat


@transaction.atomic
def seat_admin_delete(*, seat: Seat, by) -> None:
    _check_administrator(by)
    seat = Seat.objects.select_for_update().select_related("window__hall", "clerk").get(pk=seat.pk)
    RosterLog.objects.create(actor=by, clerk=seat.clerk, action="windows.seat.deleted",
                             data={"seat": seat.pk, "before": _seat_data(seat), "via": "admin"})
    seat.delete()


def _grant_data(grant: ClerkAuthorisation, matters=None) -> dict:
    matters = grant.matters.all() if matters is None else matters
    return {"clerk": grant.clerk_id, "all_matters": grant.all_matters, "category": grant.category,
            "matters": sorted(m.code for m in matters), "starts_on": grant.starts_on.isoformat(),
            "ends_on": grant.ends_on.isoformat() if grant.ends_on else None}


@transaction.atomic
def clerk_authorisation_admin_save(*, authorisation: ClerkAuthorisation, matters, by) -> ClerkAuthorisation:
    """An administrator adds or edits an authorisation in the admin (the row and its matters in
    one step), logged with the grant as it was and as it is."""
    _check_administrator(by)
    _check_clerk(authorisation.clerk)
    matters = list(matters)
    before = None
    if authorisation.pk:
        old = ClerkAuthorisation.objects.select_for_update().filter(pk=authorisation.pk).first()
        before = _grant_data(old) if old else None
    if not authorisation.all_matters and not matters:
        raise Invalid(_("请选择授权事项,或授权全部事项。"), code="invalid_clerk_authorisation",
                      fields={"matters": [_("请选择授权事项,或授权全部事项。")]})
    if authorisation.ends_on is not None and authorisation.ends_on < authorisation.starts_on:
        raise Invalid(_("截止日期不能早于起始日期。"), code="invalid_date", fields={"ends_on": [_("请核对日期。")]})
    if not authorisation.all_matters:
        authorisation.category = ""
    if authorisation.granted_by_id is None:
        authorisation.granted_by = by
    authorisation.save()
    authorisation.matters.set([] if authorisation.all_matters else matters)
    RosterLog.objects.create(
        actor=by, clerk=authorisation.clerk,
        action="windows.authorisation.edited" if before else "windows.authorisation.granted",
        data={"authorisation": authorisation.pk, "before": before, "after": _grant_data(authorisation), "via": "admin"})
    return authorisation


@transaction.atomic
def clerk_authorisation_admin_delete(*, authorisation: ClerkAuthorisation, by) -> None:
    _check_administrator(by)
    grant = ClerkAuthorisation.objects.select_for_update().select_related("clerk").get(pk=authorisation.pk)
    RosterLog.objects.create(actor=by, clerk=grant.clerk, action="windows.authorisation.deleted",
                             data={"authorisation": grant.pk, "before": _grant_data(grant), "via": "admin"})
    grant.delete()
