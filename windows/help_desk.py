"""帮办 (三.三): a clerk at a help-desk window (帮办窗口) fills in an online application together
with a citizen who is present; the citizen confirms it on the spot with a code sent to them, and
only then is it submitted as the citizen's own online application
(workflow.services.application_submit_assisted), whose log names the clerk who helped.

The code goes out through the project's notification path (notifications.notify, kind
确认验证码, which nobody can switch off). There is no SMS gateway yet: the code is read in the
citizen's message centre (消息中心) on their phone, as the demo shows. The code is six digits,
kept only as an HMAC, valid for `CODE_MINUTES`; `MAX_TRIES` wrong codes void it, and at most
`MAX_CODES` codes are sent per draft."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from matters.models import MaterialRequirement
from matters.oneform import clean_form_data, form_fields, material_requirements
from notifications.models import Kind
from notifications.services import notify
from workflow import services as workflow_services
from workflow.uploads import inspect_upload

from . import clock
from .models import HelpDeskDraft, HelpDeskFile, Seat, Window

CODE_MINUTES = 5
MAX_TRIES = 5
MAX_CODES = 3
D = HelpDeskDraft.State


def help_desk_hall(clerk):
    """The hall where the clerk sits at a 帮办 window today, or Forbidden."""
    if not getattr(clerk, "is_clerk", False):
        raise Forbidden(_("只有窗口人员可以帮办。"), code="not_a_clerk")
    seat = (
        Seat.objects.on(clock.today())
        .filter(clerk=clerk, window__is_active=True, window__category=Window.Category.ASSIST)
        .select_related("window__hall")
        .first()
    )
    if seat is None:
        raise Forbidden(_("您今天不在帮办窗口排班,不能帮办填报。"), code="not_a_help_desk")
    return seat.window.hall


def drafts_for(clerk):
    """A clerk reads the drafts she filled in."""
    if not getattr(clerk, "is_clerk", False):
        return HelpDeskDraft.objects.none()
    return HelpDeskDraft.objects.filter(clerk=clerk).select_related("applicant", "matter", "application")


def access_draft(clerk, pk, *, lock=False) -> HelpDeskDraft:
    qs = drafts_for(clerk)
    if lock:
        qs = qs.select_for_update(of=("self",))
    draft = qs.filter(pk=pk).first()
    if draft is None:
        raise NotFound(_("未找到该帮办填报。"), code="help_desk_draft_not_found")
    return draft


def _digest(draft_pk: int, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"helpdesk:{draft_pk}:{code}".encode(), hashlib.sha256).hexdigest()


def _send_code(draft: HelpDeskDraft) -> None:
    code = f"{secrets.randbelow(10**6):06d}"
    draft.code_hash = _digest(draft.pk, code)
    draft.code_expires_at = clock.now() + dt.timedelta(minutes=CODE_MINUTES)
    draft.tries = 0
    draft.save(update_fields=["code_hash", "code_expires_at", "tries", "codes_sent"])
    notify(
        recipient=draft.applicant,
        kind=Kind.CONFIRMATION_CODE,
        title=_("帮办申请确认码"),
        body=_(
            "您正在%(hall)s帮办窗口由工作人员协助申请“%(matter)s”。确认码 %(code)s,%(n)s 分钟内有效。"
            "核对无误后请将确认码告诉工作人员;如非您本人在场办理,请勿告知任何人。"
        )
        % {"hall": draft.hall.name, "matter": draft.matter.name, "code": code, "n": CODE_MINUTES},
        link=reverse("portal:messages"),
        dedupe_key=f"helpdesk:{draft.pk}:{draft.codes_sent}",
    )


@transaction.atomic
def help_desk_start(*, clerk, id_number: str, matter, form_data: dict, files: dict) -> HelpDeskDraft:
    """The clerk's filled-in form and scanned materials, kept until the citizen confirms; the
    first code is sent. The applicant must have an account with a phone number (the code goes
    to them); the form and the materials are checked as the online submission will check them."""
    hall = help_desk_hall(clerk)
    number = (id_number or "").strip().upper()
    applicant = User.objects.filter(id_number=number, role=User.Role.PUBLIC, is_active=True).first() if number else None
    if applicant is None:
        raise Invalid(
            _("未找到该身份证号码的群众账号。请先协助其注册(或在综合窗口登记)后再帮办。"),
            code="applicant_unknown",
            fields={"id_number": [_("未找到该账号。")]},
        )
    if not applicant.phone:
        raise Invalid(
            _("该账号没有登记手机号码,无法发送确认码。"),
            code="applicant_no_phone",
            fields={"id_number": [_("账号无手机号码。")]},
        )
    if matter is None or not matter.is_active or matter.target != "natural" or matter.online_depth < 3:
        raise Invalid(_("该事项不能网上申请,请引导到综合窗口办理。"), code="not_online")
    errors = {}
    try:
        cleaned = clean_form_data(form_fields([matter]), form_data)
    except Invalid as exc:
        errors.update(exc.fields)
        cleaned = None
    kept = []
    for requirement in material_requirements([matter]):
        field = f"material_{requirement.pk}"
        upload = files.get(field)
        if upload is None:
            if requirement.required and requirement.source == MaterialRequirement.Source.APPLICANT:
                errors[field] = [_("请扫描上传。")]
            continue
        try:
            inspect_upload(upload, field=field)
        except Invalid as exc:
            errors.update(exc.fields)
            continue
        kept.append((requirement, upload))
    if errors:
        raise Invalid(_("表单有 %(n)s 处需要修改。") % {"n": len(errors)}, code="invalid_form", fields=errors)
    draft = HelpDeskDraft.objects.create(
        clerk=clerk,
        hall=hall,
        applicant=applicant,
        matter=matter,
        form_data=cleaned,
        code_hash="",
        code_expires_at=clock.now(),
        idempotency_key=uuid.uuid4().hex,
    )
    for requirement, upload in kept:
        HelpDeskFile.objects.create(draft=draft, requirement=requirement, file=upload, original_name=upload.name[:255])
    _send_code(draft)
    return draft


@transaction.atomic
def help_desk_resend(*, clerk, draft: HelpDeskDraft) -> HelpDeskDraft:
    draft = access_draft(clerk, draft.pk, lock=True)
    if draft.state != D.AWAITING:
        raise Conflict(_("该帮办填报已%(state)s。") % {"state": draft.get_state_display()}, code="draft_closed")
    if draft.codes_sent >= MAX_CODES:
        raise Conflict(_("确认码已发送 %(n)s 次,请作废后重新填报。") % {"n": MAX_CODES}, code="too_many_codes")
    draft.codes_sent += 1
    _send_code(draft)
    return draft


@transaction.atomic
def help_desk_cancel(*, clerk, draft: HelpDeskDraft) -> HelpDeskDraft:
    draft = access_draft(clerk, draft.pk, lock=True)
    if draft.state != D.AWAITING:
        raise Conflict(_("该帮办填报已%(state)s。") % {"state": draft.get_state_display()}, code="draft_closed")
    draft.state = D.CANCELLED
    draft.save(update_fields=["state"])
    return draft


def help_desk_confirm(*, clerk, draft: HelpDeskDraft, code: str):
    """The citizen's code, typed by the clerk (or by the citizen on the clerk's screen): right,
    unexpired and within the tries, the draft is submitted as the citizen's online application;
    a wrong code counts (the count is kept even though the call is refused)."""
    outcome = _confirm(clerk=clerk, draft=draft, code=(code or "").strip())
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


@transaction.atomic
def _confirm(*, clerk, draft, code):
    help_desk_hall(clerk)
    draft = access_draft(clerk, draft.pk, lock=True)
    if draft.state == D.SUBMITTED:
        return draft.application  # a second click: the first answer stands
    if draft.state != D.AWAITING:
        return Conflict(_("该帮办填报已作废。"), code="draft_closed")
    if draft.tries >= MAX_TRIES:
        return Conflict(_("确认码错误次数过多,已失效,请重新发送确认码。"), code="too_many_tries")
    if clock.now() >= draft.code_expires_at:
        return Conflict(_("确认码已过期(%(n)s 分钟内有效),请重新发送。") % {"n": CODE_MINUTES}, code="code_expired")
    if not hmac.compare_digest(draft.code_hash, _digest(draft.pk, code)):
        draft.tries += 1
        draft.save(update_fields=["tries"])
        left = MAX_TRIES - draft.tries
        return Invalid(
            _("确认码不正确,还可再试 %(n)s 次。") % {"n": left}
            if left
            else _("确认码不正确,已失效,请重新发送确认码。"),
            code="wrong_code",
            fields={"code": [_("确认码不正确。")]},
        )
    files = {f"material_{f.requirement_id}": File(f.file.open("rb"), name=f.original_name) for f in draft.files.all()}
    application = workflow_services.application_submit_assisted(
        submission=workflow_services.Submission(
            applicant=draft.applicant,
            matters=[draft.matter],
            form_data=draft.form_data,
            files=files,
            idempotency_key=draft.idempotency_key,
        ),
        helper=clerk,
    )
    draft.state, draft.application = D.SUBMITTED, application
    draft.save(update_fields=["state", "application"])
    return application
