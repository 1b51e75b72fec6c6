"""投诉举报: complaints and reports from anyone, with a deadline.

    submitted ─┬─ department known ──→ open (the department) ──reply──→ replied ─┬─ accept ──→ closed
               └─ unknown ─→ routing (政务服务中心) ──route──↗                    └─ escalate (once) ──→ escalated
    a supervisor may close any complaint not closed, with a note (their answer to an escalated one)

The clock: `due` = `COMPLAINT_DAYS` working days after the day of submission (the day itself not
counted) while it is routed and answered; an escalation sets a new `due` the same number of
working days after the day of escalation. It runs in `routing`, `open` and `escalated`; the sweep
raises yellow and red cards on it (trigger "complaint") for the department, or for the centre
while it routes or after an escalation.

Anyone may complain, signed in or not. Anonymous complainants get the query code (12 random
characters, ~60 bits) and follow, accept or escalate with it; anonymous submissions are limited
per address (`SUBMIT_LIMIT` an hour), look-ups of a wrong code too.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.identity import IdentityError, validate_phone
from accounts.models import Department
from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from core.numbers import is_small_int
from core.throttle import FailureThrottle
from workflow.calendar_store import load_calendar
from workflow.models import Application

from .models import Complaint
from .ratings import log

COMPLAINT_DAYS = 10  # working days for the department's answer (again after an escalation)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
CODE_LENGTH = 12
SUBJECT_MAX = 80
CONTENT_MAX = 2000
REPLY_MAX = 2000
SUBMIT_LIMIT = 5  # anonymous submissions per address and hour
submit_throttle = FailureThrottle("complaint-submit", limit=SUBMIT_LIMIT, window=3600)
lookup_throttle = FailureThrottle("complaint-code", limit=10, window=900)

S = Complaint.State


class TooMany(DomainError):
    """Too many anonymous submissions or wrong codes from one address (429)."""

    status = 429
    default_code = "too_many_requests"


TOO_MANY_SUBMISSIONS = _lazy("提交过于频繁,请一小时后再试,或拨打12345热线。")
TOO_MANY_LOOKUPS = _lazy("查询失败次数过多,请稍后再试。")


def _due_after(day):
    return load_calendar().add_workdays(day, COMPLAINT_DAYS)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:32]


@transaction.atomic
def complaint_submit(*, user=None, kind: str = Complaint.Kind.COMPLAINT, department_id=None,
                     application_number: str = "", subject: str, content: str, contact_name: str = "",
                     contact_phone: str = "", intermediary_id=None) -> Complaint:
    """A complaint from anyone (`user` None or anonymous: an anonymous one). The department is
    the one named, or that of the application named when it has exactly one; otherwise the
    centre routes it. A complaint about an intermediary (中介机构, approved in the market) names
    no department: it goes to the centre, which supervises the market (it checks intermediaries
    and keeps the blacklist), on the same clock. Nothing is written unless everything is valid."""
    user = user if getattr(user, "is_authenticated", False) else None
    errors = {}
    if kind not in Complaint.Kind.values:
        errors["kind"] = [_("请选择投诉或举报。")]
    subject, content = (subject or "").strip(), (content or "").strip()
    if not subject:
        errors["subject"] = [_("请填写标题。")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [_("标题不超过 %(n)s 个字。") % {"n": SUBJECT_MAX}]
    if len(content) < 10:
        errors["content"] = [_("请把情况说清楚(至少10个字)。")]
    elif len(content) > CONTENT_MAX:
        errors["content"] = [_("内容不超过 %(n)s 个字。") % {"n": CONTENT_MAX}]
    department = None
    if department_id not in (None, ""):
        department = Department.objects.filter(pk=department_id).first() if is_small_int(str(department_id)) else None
        if department is None:
            errors["department"] = [_("请从列表中选择部门。")]
    intermediary = None
    if intermediary_id not in (None, ""):
        from market.models import Intermediary

        intermediary = Intermediary.objects.approved().filter(pk=intermediary_id).first() \
            if is_small_int(str(intermediary_id)) else None
        if intermediary is None:
            errors["intermediary"] = [_("请从中介超市名录中选择中介机构。")]
        elif department is not None:
            errors["department"] = [_("投诉中介机构时不选部门,由政务服务中心(中介超市监管)办理。")]
    application = None
    number = (application_number or "").strip()
    if number:
        application = Application.objects.filter(number=number).first()
        if application is None:
            errors["application_number"] = [_("未找到该办件编号,请核对或留空。")]
    contact_name = (contact_name or "").strip()[:32]
    contact_phone = (contact_phone or "").strip()
    if contact_phone:
        try:
            contact_phone = validate_phone(contact_phone)
        except IdentityError as exc:
            errors["contact_phone"] = [str(exc)]
    if errors:
        raise Invalid(_("投诉有 %(n)s 处需要修改。") % {"n": len(errors)}, code="invalid_complaint", fields=errors)
    if department is None and application is not None and intermediary is None:
        departments = set(application.subcases.values_list("department_id", flat=True))
        if len(departments) == 1:
            department = Department.objects.get(pk=departments.pop())
    now = timezone.now()
    today = timezone.localdate(now)
    complaint = Complaint.objects.create(
        code=new_code(), kind=kind, complainant=user, contact_name=contact_name, contact_phone=contact_phone,
        department=department, application=application, intermediary=intermediary, subject=subject, content=content,
        state=S.OPEN if department else S.ROUTING, submitted_on=today, due=_due_after(today),
        routed_at=now if department else None,
    )
    log(actor=user, complaint=complaint, action="supervision.complaint.submitted",
        note=_("转 %(to)s 办理,期限 %(due)s") % {"to": complaint.responsible, "due": complaint.due})
    return complaint


def _locked(complaint):
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


def _require_supervisor(user):
    if not getattr(user, "is_supervisor", False):
        raise Forbidden(_("只有督查人员可以分派、办结投诉。"), code="not_a_supervisor")


@transaction.atomic
def complaint_route(*, complaint: Complaint, supervisor, department_id) -> Complaint:
    """The centre sends a complaint it received without a known department to one."""
    _require_supervisor(supervisor)
    complaint = _locked(complaint)
    if complaint.state != S.ROUTING:
        raise Conflict(_("该投诉已分派。"), code="already_routed")
    department = Department.objects.filter(pk=department_id).first() if is_small_int(str(department_id or "")) else None
    if department is None:
        raise Invalid(_("请选择承办部门。"), code="department_required", fields={"department": [_("请选择部门。")]})
    complaint.department, complaint.state = department, S.OPEN
    complaint.routed_by, complaint.routed_at = supervisor, timezone.now()
    complaint.save()
    log(actor=supervisor, complaint=complaint, action="supervision.complaint.routed", note=department.name)
    return complaint


def may_reply(user, complaint: Complaint) -> bool:
    return bool(getattr(user, "is_reviewer", False) and complaint.department_id
                and user.department_id == complaint.department_id)


def _set_upheld(complaint, upheld):
    """投诉属实: only for a complaint about an intermediary (it counts in its credit score)."""
    if upheld is None:
        return
    if upheld and not complaint.intermediary_id:
        raise Invalid(_("只有对中介机构的投诉需要认定是否属实。"), code="upheld_not_applicable",
                      fields={"upheld": [_("该投诉不涉及中介机构。")]})
    complaint.upheld = bool(upheld)


@transaction.atomic
def complaint_reply(*, complaint: Complaint, user, reply: str, upheld: bool | None = None) -> Complaint:
    """The department answers; the clock stops and the complainant accepts or escalates."""
    complaint = _locked(complaint)
    if not may_reply(user, complaint):
        raise Forbidden(_("只有被投诉部门的工作人员可以答复。"), code="not_responsible")
    if complaint.state != S.OPEN:
        raise Conflict(_("该投诉当前不能答复(%(state)s)。") % {"state": complaint.get_state_display()},
                       code="not_open")
    reply = (reply or "").strip()
    if not reply:
        raise Invalid(_("请填写答复。"), code="reply_required", fields={"reply": [_("请填写答复。")]})
    if len(reply) > REPLY_MAX:
        raise Invalid(_("答复不超过 %(n)s 个字。") % {"n": REPLY_MAX}, code="reply_too_long",
                      fields={"reply": [_("内容过长。")]})
    _set_upheld(complaint, upheld)
    complaint.reply, complaint.replied_by, complaint.replied_at, complaint.state = reply, user, timezone.now(), S.REPLIED
    complaint.save()
    log(actor=user, complaint=complaint, action="supervision.complaint.replied",
        note=_("(认定属实)%(reply)s") % {"reply": reply} if complaint.upheld else reply)
    return complaint


def _check_complainant(complaint, user, code):
    """The complainant acts: signed in as them, or with the query code."""
    if code and secrets.compare_digest(normalise_code(code), complaint.code):
        return
    if complaint.complainant_id and getattr(user, "pk", None) == complaint.complainant_id:
        return
    raise Forbidden(_("只有投诉人可以确认或提请督查。"), code="not_the_complainant")


@transaction.atomic
def complaint_accept(*, complaint: Complaint, user=None, code: str = "") -> Complaint:
    """The complainant accepts the answer: closed."""
    complaint = _locked(complaint)
    _check_complainant(complaint, user, code)
    if complaint.state != S.REPLIED:
        raise Conflict(_("只有已答复的投诉可以确认办结。"), code="not_replied")
    complaint.state, complaint.closed_at = S.CLOSED, timezone.now()
    complaint.close_note = _("投诉人认可答复")
    complaint.save()
    log(actor=user, complaint=complaint, action="supervision.complaint.accepted")
    return complaint


@transaction.atomic
def complaint_escalate(*, complaint: Complaint, reason: str, user=None, code: str = "") -> Complaint:
    """The complainant is not satisfied: once, to the supervisors, with a new deadline."""
    complaint = _locked(complaint)
    _check_complainant(complaint, user, code)
    if complaint.escalated_at is not None:
        raise Conflict(_("每件投诉只能提请督查一次。"), code="already_escalated")
    if complaint.state != S.REPLIED:
        raise Conflict(_("部门答复后才能提请督查。"), code="not_replied")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("请说明不满意的原因。"), code="reason_required", fields={"reason": [_("请填写原因。")]})
    now = timezone.now()
    complaint.state, complaint.escalated_at = S.ESCALATED, now
    complaint.escalation_reason = reason[:REPLY_MAX]
    complaint.due = _due_after(timezone.localdate(now))
    complaint.save()
    log(actor=user, complaint=complaint, action="supervision.complaint.escalated",
        note=_("%(reason)s(新期限 %(due)s)") % {"reason": reason, "due": complaint.due})
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, supervisor, note: str, upheld: bool | None = None) -> Complaint:
    """A supervisor closes a complaint with a note (their answer to an escalated complaint)."""
    _require_supervisor(supervisor)
    complaint = _locked(complaint)
    if complaint.state == S.CLOSED:
        raise Conflict(_("该投诉已办结。"), code="already_closed")
    note = (note or "").strip()
    if not note:
        raise Invalid(_("请填写办结说明。"), code="note_required", fields={"note": [_("请填写办结说明。")]})
    _set_upheld(complaint, upheld)
    complaint.state, complaint.closed_at, complaint.closed_by = S.CLOSED, timezone.now(), supervisor
    complaint.close_note = note[:REPLY_MAX]
    complaint.save()
    log(actor=supervisor, complaint=complaint, action="supervision.complaint.closed",
        note=_("(认定属实)%(note)s") % {"note": note} if complaint.upheld else note)
    return complaint


def access_complaint_by_code(code: str) -> Complaint:
    code = normalise_code(code)
    found = Complaint.objects.select_related("department", "application").filter(code=code).first() \
        if len(code) == CODE_LENGTH else None
    if found is None:
        raise NotFound(_("未查到该查询码对应的投诉,请核对后重试。"), code="complaint_not_found")
    return found
