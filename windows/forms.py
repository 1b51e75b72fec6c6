"""The walk-in screen's POST, parsed by a Django form instead of by hand: the clerk's decision and
its note or reason, the 容缺 date, the applicant, the 代办人, the enterprise, the idempotency key
and the one form's fields (`field_<key>`, matters.oneform_pages.FIELD_PREFIX). The materials'
marks (one radio per requirement) stay with the requirement rows (windows.views._read_marks).

The other hall pages' POSTs follow below (search, consultations, the terminal, 上门办理, 帮办):
each view hands the form to core.web.forms.checked inside its one `except DomainError`."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.numbers import is_small_int
from core.web.forms import IdListField
from matters.models import Target
from matters.oneform_pages import OneFormPost

from .services import Decision

APPLICANT_FIELDS = ("real_name", "id_number", "phone")


class WalkInForm(OneFormPost):
    decision = forms.CharField(required=False)
    note = forms.CharField(required=False)
    reason = forms.CharField(required=False)
    deferred_until = forms.DateField(required=False, input_formats=["%Y-%m-%d"],
                                     error_messages={"invalid": _("请按“年-月-日”填写补交期限。")})
    idempotency_key = forms.CharField(required=False)
    applicant_real_name = forms.CharField(required=False)
    applicant_id_number = forms.CharField(required=False)
    applicant_phone = forms.CharField(required=False)
    agent_real_name = forms.CharField(required=False)
    agent_id_number = forms.CharField(required=False)
    enterprise = forms.CharField(required=False)
    check_agency = forms.CharField(required=False)

    def clean_decision(self):
        decision = self.cleaned_data["decision"]
        return decision if decision in Decision.SCREEN else Decision.ACCEPT

    def clean_idempotency_key(self):
        try:
            return uuid.UUID(self.cleaned_data["idempotency_key"]).hex
        except ValueError:
            return uuid.uuid4().hex

    def clean_enterprise(self):
        return self.cleaned_data["enterprise"].upper()

    # What the view reads after is_valid() (every field but deferred_until always cleans).

    @property
    def applicant(self) -> dict:
        return {name: self.value(f"applicant_{name}") for name in APPLICANT_FIELDS}

    @property
    def agent(self) -> dict:
        return {"real_name": self.value("agent_real_name"), "id_number": self.value("agent_id_number")}

    @property
    def posted(self) -> dict:
        return {"decision": self.data.get("decision", ""), "note": self.value("note"), "reason": self.value("reason")}


class SearchOpenForm(forms.Form):
    """Opening an application found by the hall search: how it was found (logged on the case). An
    unknown kind counts as found by number, as a forged one was before."""

    kind = forms.CharField(required=False)

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        return kind if kind in ("number", "id_number", "name") else ""


class ConsultationAnswerForm(forms.Form):
    """答复并办结: the answer as typed, as long as the page's box (4000). That one is needed is
    services.consultation_answer's rule."""

    answer = forms.CharField(
        required=False, max_length=4000, strip=False, error_messages={"max_length": _("答复内容不超过4000个字。")}
    )


class ConsultationHandOverForm(forms.Form):
    """移交: the staff member chosen (an id; who may receive is services.consultation_hand_over's
    rule) and the reason, as long as the page's box (200)."""

    to = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        error_messages={k: _("请选择接收的工作人员。") for k in ("invalid", "min_value", "max_value")},
    )
    reason = forms.CharField(
        required=False, max_length=200, strip=False, error_messages={"max_length": _("移交理由不超过200个字。")}
    )


class TerminalForm(forms.Form):
    """取号与签到 (the hall's terminal and the phone page): either `action=check_in` with the booking
    code or the visitor's ID number, or a queue button (`category` or `category-department id`) with
    an optional phone. What a code, a category or a phone must be is windows.queue_services' rule;
    the form splits the queue key and keeps the page's lengths."""

    action = forms.CharField(required=False)
    code = forms.CharField(required=False, max_length=8, error_messages={"max_length": _("预约码为8位,请核对。")})
    id_number = forms.CharField(
        required=False, max_length=18, error_messages={"max_length": _("身份证号码为18位,请核对。")}
    )
    queue = forms.RegexField(
        required=False, regex=r"^[a-z_]{1,32}(-[0-9]{1,9})?$",
        error_messages={"invalid": _("请选择业务类别。")},
    )
    phone = forms.CharField(required=False, max_length=11, error_messages={"max_length": _("请填写11位手机号码。")})

    @property
    def check_in(self) -> bool:
        return self.data.get("action") == "check_in"

    def clean(self):
        data = super().clean()
        category, _sep, department = (data.get("queue") or "").partition("-")
        data["category"], data["department_id"] = category, int(department) if department else None
        return data


def _text(max_length, message):
    return forms.CharField(required=False, max_length=max_length, error_messages={"max_length": message})


class HomeVisitBookForm(forms.Form):
    """预约上门办理: the page's fields with its lengths; the preferred day a date. Who may book, the
    days allowed, the person's details and the hall are windows.home_visits' rules."""

    for_self = forms.CharField(required=False)
    phone = _text(13, _("请填写11位手机号码。"))
    hall = forms.CharField(required=False, max_length=32)
    preferred_date = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": _("请按“年-月-日”填写希望上门的日期。")}
    )
    reason = forms.CharField(required=False, max_length=32)
    reason_note = _text(255, _("情况说明不超过255个字。"))
    address = _text(200, _("上门地址不超过200个字。"))
    person_name = _text(64, _("姓名不超过64个字。"))
    person_id_number = _text(18, _("身份证号码为18位,请核对。"))
    relation = _text(16, _("与本人关系不超过16个字。"))


class HomeVisitAssignForm(forms.Form):
    """安排上门: the visiting clerk (an id; none means oneself), the start (date and time) and the
    minutes. Who may go and when is windows.home_visits.home_visit_assign's rule."""

    clerk = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1,
        error_messages={k: _("请选择上门人员。") for k in ("invalid", "min_value", "max_value")},
    )
    starts_at = forms.DateTimeField(
        required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": _("请按“年-月-日 时:分”填写上门时间。")},
    )
    minutes = forms.IntegerField(
        required=False, min_value=1, max_value=480, error_messages={k: _("请选择上门时长。") for k in (
            "invalid", "min_value", "max_value")},
    )


class HomeVisitNoteForm(forms.Form):
    """取消 (reason) and 上门未遇 (note), up to the page's 255 characters."""

    reason = _text(255, _("原因不超过255个字。"))
    note = _text(255, _("说明不超过255个字。"))


class HelpDeskPersonForm(forms.Form):
    """帮办: the citizen's ID number typed by the clerk (the one form's fields are OneFormPost's)."""

    id_number = _text(18, _("身份证号码为18位,请核对。"))


class HelpDeskDraftForm(forms.Form):
    """帮办 draft: 重发确认码, 作废, or 确认 with the six-digit code the citizen reads out (checked
    against the kept HMAC by windows.help_desk)."""

    action = forms.ChoiceField(
        required=False, choices=[("", ""), ("resend", "resend"), ("cancel", "cancel"), ("confirm", "confirm")],
        error_messages={"invalid_choice": _("未知的操作。")},
    )
    code = _text(6, _("确认码为6位数字。"))


class ConsultationNewForm(forms.Form):
    """登记咨询: the page's fields with its lengths; the hall an id (a forged one means none, as the
    hall is optional) and the matter a code. The channel and what is required are
    services.consultation_open's rules."""

    channel = forms.CharField(required=False, max_length=16)
    asker_name = _text(64, _("咨询人姓名不超过64个字。"))
    asker_phone = _text(13, _("请填写正确的联系电话。"))
    asker_id_number = _text(18, _("身份证号码为18位,请核对。"))
    topic = _text(64, _("咨询主题不超过64个字。"))
    question = _text(2000, _("咨询内容不超过2000个字。"))
    hall = forms.CharField(required=False)
    matter = forms.CharField(required=False, max_length=32)

    def clean_hall(self):
        value = self.cleaned_data["hall"]
        return int(value) if is_small_int(value) else None


_DATE = {"invalid": _("请填写有效的日期。")}


class AgentRecordForm(forms.Form):
    """登记委托代办 at the window: the principal present, the 代办人, the enterprise, the 委托书's
    matters, its term, the clerk's check of the signed letter and a note, with the page's lengths.
    Who the people are, which matters fit and the term's limits are accounts.services' rules."""

    principal_real_name = _text(30, _("委托人姓名不能超过30个字。"))
    principal_id_number = _text(18, _("身份证号码应为18位。"))
    agent_name = _text(30, _("代办人姓名不能超过30个字。"))
    agent_id_number = _text(18, _("身份证号码应为18位。"))
    enterprise = _text(18, _("统一社会信用代码应为18位。"))
    matters = IdListField()
    starts_on = forms.DateField(required=False, error_messages=_DATE)
    ends_on = forms.DateField(required=False, error_messages=_DATE)
    letter_checked = forms.BooleanField(required=False)
    note = _text(200, _("委托说明不能超过200个字。"))

    def clean_enterprise(self):
        return self.cleaned_data["enterprise"].strip().upper()


class StaffingForm(forms.Form):
    """统一调配's three actions on one page: end an authorisation on a date, move a clerk to a
    window from a date, grant a clerk matters (or all of a category). The ids are looked up by
    the view, the rules are windows.services'."""

    ACTIONS = ("end", "move", "authorise")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS],
                               error_messages={"required": _("未知的操作。"), "invalid_choice": _("未知的操作。")})
    clerk = forms.IntegerField(required=False, min_value=1, error_messages={"invalid": _("请选择窗口人员。")})
    authorisation = forms.IntegerField(required=False, min_value=1, error_messages={"invalid": _("未找到该授权。")})
    window = forms.IntegerField(required=False, min_value=1, error_messages={"invalid": _("请选择窗口。")})
    starts_on = forms.DateField(required=False, error_messages=_DATE)
    ends_on = forms.DateField(required=False, error_messages=_DATE)
    matters = IdListField()
    all_matters = forms.BooleanField(required=False)
    category = forms.ChoiceField(required=False, choices=[("", ""), *Target.choices],
                                 error_messages={"invalid_choice": _("办件类别无效。")})
