"""The POSTs of the case pages, parsed by Django forms instead of by hand.

A form checks what a posted value must be to mean anything (an id, a date, a known choice, a
length the page allows) and hands cleaned values to one service, which keeps the rules of the
domain and their Chinese messages (the API reaches the same services). A bad post is refused by
`core.web.forms.checked` as an `Invalid`, so a page shows it like a service's refusal: message
on top, errors beside the fields, the form re-rendered with what was typed, nothing changed."""

from __future__ import annotations

import uuid

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from core.web.forms import IdListField
from matters.oneform_pages import OneFormPost

from .models import DeliveryMethod

MAX_ID = 2**31 - 1


class _RawValues:
    """`raw(name)`: the value as posted (for re-rendering the page), `value(name)`: as cleaned."""

    def raw(self, name) -> str:
        value = self.data.get(self.add_prefix(name), "")
        return value if isinstance(value, str) else ""


class DeliveryForm(_RawValues, forms.Form):
    """统一窗口出件: how the applicant receives the result (the apply page and the application page).
    Whether a hall exists, the postal fields and 电子证照 are services.clean_delivery's rules."""

    delivery_method = forms.TypedChoiceField(
        choices=DeliveryMethod.choices,
        required=False,
        empty_value=DeliveryMethod.HALL,
        error_messages={"invalid_choice": _("请选择结果领取方式。")},
    )
    pickup_hall = forms.CharField(
        required=False, max_length=12, error_messages={"max_length": _("请选择本区的政务服务大厅。")}
    )
    post_recipient = forms.CharField(
        required=False, max_length=64, error_messages={"max_length": _("请填写收件人姓名(不超过32个字)。")}
    )
    post_phone = forms.CharField(
        required=False, max_length=32, error_messages={"max_length": _("请填写正确的手机号码。")}
    )
    post_address = forms.CharField(
        required=False,
        max_length=400,
        error_messages={"max_length": _("请填写详细邮寄地址(8至200个字,含镇街、村居、门牌号)。")},
    )

    @property
    def delivery(self) -> dict:
        """The choice as `services.clean_delivery` takes it (after `is_valid()`)."""
        data = self.cleaned_data
        return {
            "method": data.get("delivery_method") or DeliveryMethod.HALL,
            "hall": data.get("pickup_hall", ""),
            "recipient": data.get("post_recipient", ""),
            "phone": data.get("post_phone", ""),
            "address": data.get("post_address", ""),
        }

    @property
    def posted_delivery(self) -> dict:
        """The choice as typed, to show again on a refused post."""
        return {
            "method": self.raw("delivery_method") or DeliveryMethod.HALL,
            "hall": self.raw("pickup_hall").strip(),
            "recipient": self.raw("post_recipient"),
            "phone": self.raw("post_phone"),
            "address": self.raw("post_address"),
        }


class ApplyForm(OneFormPost, DeliveryForm):
    """在线申办: the one form's fields, the enterprise applied for (法人事项), the authorisation
    acted under (代为申请, `on_behalf`), the delivery choice and the idempotency key the page was
    rendered with. Whether the enterprise and the authorisation may be used is the service's."""

    idempotency_key = forms.CharField(required=False)
    enterprise = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": _("请选择办事企业。"),
            "min_value": _("请选择办事企业。"),
            "max_value": _("请选择办事企业。"),
        },
    )
    on_behalf = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": _("代为申请的授权无效,请从列表中重新选择。"),
            "min_value": _("代为申请的授权无效,请从列表中重新选择。"),
            "max_value": _("代为申请的授权无效,请从列表中重新选择。"),
        },
    )

    def clean_idempotency_key(self):
        """A forged or missing key gets a new one: the post is then simply not deduplicated."""
        try:
            return uuid.UUID(self.cleaned_data["idempotency_key"]).hex
        except ValueError:
            return uuid.uuid4().hex


def fresh_key() -> str:
    return uuid.uuid4().hex


class AcceptForm(forms.Form):
    """受理, and 容缺受理: the deferrable materials that may follow (requirement ids) and by when."""

    deferred = IdListField()
    deferred_until = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": _("请按“年-月-日”填写补交期限。")}
    )

    def clean(self):
        data = super().clean()
        if not data.get("deferred"):
            data["deferred_until"] = None  # the plain 受理 button: no date applies
        return data


class SupplementNoticeForm(_RawValues, forms.Form):
    """一次性告知: the listed materials ticked (`material`, one requirement id each, from the
    clerk's table), each with its reason (`reason_<id>`), one free item and a note."""

    material = forms.MultipleChoiceField(
        required=False, error_messages={"invalid_choice": _("所选材料不在本办件的材料清单中,请刷新页面后重新勾选。")}
    )
    extra_material = forms.CharField(
        required=False, max_length=128, error_messages={"max_length": _("其他需补正的内容不超过128个字。")}
    )
    extra_reason = forms.CharField(
        required=False, max_length=200, error_messages={"max_length": _("原因不超过200个字。")}
    )
    note = forms.CharField(
        required=False, max_length=1000, error_messages={"max_length": _("告知说明不超过1000个字。")}
    )

    def __init__(self, data, *, labels: dict[str, str]):
        """`labels`: the label of each listed requirement, by its id as a string."""
        super().__init__(data)
        self.labels = labels
        self.fields["material"].choices = list(labels.items())
        for pk, label in labels.items():
            self.fields[f"reason_{pk}"] = forms.CharField(
                required=False,
                max_length=200,
                error_messages={"max_length": _("“%(name)s”需补正的原因不超过200个字。") % {"name": label}},
            )

    @property
    def items(self) -> list[dict]:
        """The notice's items for the service (after `is_valid()`)."""
        data = self.cleaned_data
        items = [{"material": self.labels[pk], "reason": data.get(f"reason_{pk}", "")} for pk in data["material"]]
        if data["extra_material"]:
            items.append({"material": data["extra_material"], "reason": data["extra_reason"]})
        return items

    @property
    def posted(self) -> dict:
        """What the clerk typed, for the page shown again after a refusal."""
        checked = [pk for pk in self.data.getlist("material") if pk in self.labels]
        return {
            "checked": checked,
            "reasons": {pk: self.raw(f"reason_{pk}") for pk in checked},
            "extra_material": self.raw("extra_material").strip(),
            "extra_reason": self.raw("extra_reason"),
            "note": self.raw("note").strip(),
        }


class WindowSupplementForm(forms.Form):
    """收取补正材料 at the window: the requirements whose originals the clerk has checked (ids);
    the files come with the request and stay with workflow.pending."""

    received = IdListField()


class SubcaseDecisionForm(forms.Form):
    """准予许可 / 不予许可 with its reason (the reason's rules are services.subcase_decide's)."""

    decision = forms.ChoiceField(
        choices=[("approve", "approve"), ("deny", "deny")],
        error_messages={"required": _("请选择准予许可或不予许可。"), "invalid_choice": _("请选择准予许可或不予许可。")},
    )
    reason = forms.CharField(required=False, strip=False)


class SubcaseClockForm(forms.Form):
    """The sub-case page's clock forms, told apart by `action`: 特别程序 (kind, reason), 恢复计时
    (result), 申请延期 (days, reason) and the leader's approval or rejection of it."""

    ACTIONS = ("suspend", "resume", "extend", "approve_extension", "reject_extension")

    action = forms.ChoiceField(
        choices=[(a, a) for a in ACTIONS],
        error_messages={"required": _("不支持的操作。"), "invalid_choice": _("不支持的操作。")},
    )
    kind = forms.CharField(required=False)
    reason = forms.CharField(required=False, strip=False)
    result = forms.CharField(required=False, strip=False)
    days = forms.IntegerField(required=False, error_messages={"invalid": _("延长期限为1至10个工作日。")})


class ReasonForm(forms.Form):
    """One reason typed by hand: 不予受理 and 准许再次补正 (up to 1000 characters, as the page's
    text box), 撤回申请 (500). Whether a reason is needed is the service's rule."""

    reason = forms.CharField(required=False)

    def __init__(self, data, *, max_length=1000):
        super().__init__(data)
        self.fields["reason"].max_length = max_length
        self.fields["reason"].validators.append(MaxLengthValidator(max_length))
        self.fields["reason"].error_messages["max_length"] = _("理由不超过%(n)s个字。") % {"n": max_length}


class _FromDeliveryForm(forms.Form):
    """A form posted from the application page or from the delivery window's list (`from=delivery`),
    which the view goes back to. Anything else than "delivery" means the application page."""

    def __init__(self, data):
        super().__init__(data)
        self.fields["from"] = forms.CharField(required=False)

    @property
    def from_delivery(self) -> bool:
        return self.data.get("from") == "delivery"


class DeliverForm(_FromDeliveryForm):
    """出件: the applicant's full ID number as read from the card shown (whether it matches is the
    service's rule)."""

    id_number = forms.CharField(
        required=False, max_length=18, error_messages={"max_length": _("身份证号码为18位,请核对。")}
    )


class PostForm(_FromDeliveryForm):
    """邮寄送达: the carrier and the tracking number as typed (their format is the service's rule; the
    lengths are the page's)."""

    carrier = forms.CharField(
        required=False, max_length=32, error_messages={"max_length": _("请填写寄递企业(不超过32个字)。")}
    )
    tracking_number = forms.CharField(
        required=False, max_length=32, error_messages={"max_length": _("邮件单号应为8至32位字母或数字。")}
    )


class CalendarEnterForm(forms.Form):
    """节假日安排录入: the year, the source, and either the days line by line or the State Council's
    notice pasted as it is, parsed here (core.clock.notice); `cleaned_data["entered"]` is what
    calendar_store.enter_year takes. A line or notice it cannot read is refused with every problem
    found, beside the box it came from."""

    YEAR = _("请填写2000至2100之间的年份。")
    year = forms.IntegerField(min_value=2000, max_value=2100, error_messages={
        "required": YEAR, "invalid": YEAR, "min_value": YEAR, "max_value": YEAR})
    source = forms.CharField(max_length=128, error_messages={
        "required": _("请填写来源,如:国务院办公厅关于2027年部分节假日安排的通知。"),
        "max_length": _("来源不能超过128个字。")})
    mode = forms.ChoiceField(required=False, choices=[("lines", "lines"), ("notice", "notice")],
                             error_messages={"invalid_choice": _("请选择录入方式。")})
    holidays = forms.CharField(required=False)
    workdays = forms.CharField(required=False)
    notice = forms.CharField(required=False)
    note = forms.CharField(required=False, max_length=255, error_messages={"max_length": _("备注不能超过255个字。")})

    def clean(self):
        from core.clock.notice import NoticeError, parse_lines, parse_notice

        data = super().clean()
        data["mode"] = data.get("mode") or "lines"
        year = data.get("year")
        if year is not None:
            box = "notice" if data["mode"] == "notice" else "holidays"
            try:
                data["entered"] = (parse_notice(data.get("notice", ""), year) if box == "notice"
                                   else parse_lines(data.get("holidays", ""), data.get("workdays", ""), year))
            except NoticeError as exc:
                self.add_error(box, exc.messages)
        return data
