"""The POSTs of the feedback pages (ratings, complaints, follow-ups and appeals) parsed by Django
forms (see core.web.forms): a form checks what a posted value must be to mean anything (a known
action, an id, a time, the page's lengths), the services keep the rules and their messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BAD_REASONS, COMMENT_MAX, Complaint

MAX_ID = 2**31 - 1
UNKNOWN_ACTION = _("未知的操作。")


def _text(max_length, message):
    return forms.CharField(required=False, max_length=max_length, strip=False, error_messages={"max_length": message})


def _id(message):
    return forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={k: message for k in ("invalid", "min_value", "max_value")},
    )


def _action(*names):
    return forms.ChoiceField(
        choices=[(n, n) for n in names], error_messages={"required": UNKNOWN_ACTION, "invalid_choice": UNKNOWN_ACTION}
    )


class RatingForm(forms.Form):
    """服务评价: the level (its scale is ratings.rating_submit's rule), the comment and the ticked
    reasons of a bad rating (among the page's)."""

    level = forms.CharField(required=False, max_length=16)
    comment = _text(COMMENT_MAX, _("评价内容不超过%(n)s个字。") % {"n": COMMENT_MAX})
    reasons = forms.MultipleChoiceField(
        required=False,
        choices=list(BAD_REASONS.items()),
        error_messages={"invalid_choice": _("所选原因无效,请刷新页面后重新选择。")},
    )


class ComplaintForm(forms.Form):
    """投诉举报: the fields of the page, with its lengths; the department an id among the listed."""

    kind = forms.TypedChoiceField(
        required=False,
        choices=Complaint.Kind.choices,
        empty_value=Complaint.Kind.COMPLAINT,
        error_messages={"invalid_choice": _("请选择投诉或举报。")},
    )
    department = _id(_("请选择部门。"))
    intermediary = _id(_("请从中介超市名录中选择中介机构。"))
    application_number = _text(32, _("办件编号不超过32位。"))
    subject = _text(80, _("标题不超过80个字。"))
    content = _text(2000, _("内容不超过2000个字。"))
    contact_name = _text(32, _("联系人不超过32个字。"))
    contact_phone = _text(16, _("联系电话不超过16位。"))


class ComplaintCodeForm(forms.Form):
    """The query code typed (or in the link): normalised as complaints.normalise_code does; a code
    that finds nothing is the page's 404, never a form error."""

    code = forms.CharField(required=False)

    @property
    def normalised(self) -> str:
        from .complaints import normalise_code

        value = self.data.get("code", "")
        return normalise_code(value if isinstance(value, str) else "")


class ComplaintStatusForm(forms.Form):
    """The complainant's 满意办结 or 提请督查 (with a reason)."""

    action = _action("accept", "escalate")
    reason = _text(2000, _("理由不超过2000个字。"))


class FollowupForm(forms.Form):
    """整改回访 page: 回访 (method, summary, time, satisfied), 办结 (reply), 申诉 (kind, statement; the
    evidence is a file) and the supervisor's 审核 (accept or uphold, reason)."""

    action = _action("call_back", "close", "appeal", "decide")
    method = forms.CharField(required=False, max_length=16)
    summary = _text(2000, _("回访情况不超过2000个字。"))
    called_at = forms.DateTimeField(
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": _("请按“年-月-日 时:分”填写。")},
    )
    satisfied = forms.TypedChoiceField(
        required=False,
        choices=[("", ""), ("yes", "yes"), ("no", "no")],
        coerce=lambda v: {"yes": True, "no": False}[v],
        empty_value=None,
        error_messages={"invalid_choice": _("请选择群众是否认可。")},
    )
    reply = _text(2000, _("整改情况不超过2000个字。"))
    kind = forms.CharField(required=False, max_length=16)
    statement = _text(2000, _("申诉理由不超过2000个字。"))
    decision = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("accept", "accept"), ("uphold", "uphold")],
        error_messages={"invalid_choice": _("请选择申诉成立或不成立。")},
    )
    reason = _text(2000, _("审核意见不超过2000个字。"))


class ComplaintStaffForm(forms.Form):
    """投诉详情 for staff: 答复, the centre's 分派 (a department id) and 办结 (a note)."""

    action = _action("reply", "route", "close")
    reply = _text(2000, _("答复不超过2000个字。"))
    department = _id(_("请选择部门。"))
    note = _text(2000, _("办结说明不超过2000个字。"))
    upheld = forms.TypedChoiceField(
        required=False,
        choices=[("", ""), ("yes", "yes"), ("no", "no")],
        coerce=lambda v: {"yes": True, "no": False}[v],
        empty_value=None,
        error_messages={"invalid_choice": _("请选择投诉是否属实。")},
    )
