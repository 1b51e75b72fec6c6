"""Django forms for the market's POSTs: they parse and check what was typed (Chinese messages);
the services keep the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Department

from .models import Demand, ServiceItem

DATE = forms.DateInput(attrs={"type": "date"})


def fen(value: Decimal) -> int:
    return int((value * 100).to_integral_value())


class MoneyField(forms.DecimalField):
    """Yuan with two decimals, kept in fen by the caller (`fen`)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal("0.01"), **kwargs)
        self.error_messages["invalid"] = _("请输入金额(元),最多两位小数。")
        self.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})


class RegisterForm(forms.Form):
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=32)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, help_text=_("办公电话,将在名录中公开"))
    address = forms.CharField(label=_("办公地址"), max_length=255)
    introduction = forms.CharField(
        label=_("机构简介"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class QualificationForm(forms.Form):
    service_item = forms.ModelChoiceField(
        label=_("服务事项"), queryset=ServiceItem.objects.filter(is_active=True), empty_label=None
    )
    name = forms.CharField(label=_("资质名称"), max_length=64)
    level = forms.CharField(label=_("资质等级"), max_length=16, help_text=_("如 甲级、乙级、丙级"))
    scope = forms.CharField(label=_("业务范围"), max_length=255)
    certificate_number = forms.CharField(label=_("证书编号"), max_length=64)
    issuer = forms.CharField(label=_("发证机关"), max_length=64)
    valid_from = forms.DateField(label=_("有效期起"), widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), widget=DATE)


class StaffForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=32)
    certificate_name = forms.CharField(
        label=_("执业资格"), max_length=64, help_text=_("如 注册测绘师、环境影响评价工程师")
    )
    certificate_number = forms.CharField(label=_("证书编号"), max_length=64)
    valid_until = forms.DateField(label=_("证书有效期至"), required=False, widget=DATE)


class DemandForm(forms.Form):
    owner = forms.ChoiceField(label=_("项目业主"))
    title = forms.CharField(label=_("项目名称"), max_length=128)
    service_item = forms.ModelChoiceField(
        label=_("服务事项"), queryset=ServiceItem.objects.filter(is_active=True), empty_label=None
    )
    matter_code = forms.CharField(
        label=_("关联审批事项编码(选填)"),
        max_length=32,
        required=False,
        help_text=_("该服务所为的审批事项;用于核查利益冲突"),
    )
    scope = forms.CharField(label=_("服务范围与要求"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    budget_ceiling = MoneyField(label=_("最高限价(元)"))
    bid_deadline = forms.DateField(label=_("报名截止日期"), widget=DATE)
    service_days = forms.IntegerField(label=_("服务时限(工作日)"), min_value=1, max_value=365)
    method = forms.ChoiceField(label=_("选取方式"), choices=Demand.Method.choices)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = list(owners)


class BidForm(forms.Form):
    intermediary = forms.ChoiceField(label=_("报名单位"))
    price = MoneyField(label=_("报价(元)"))
    days = forms.IntegerField(label=_("承诺服务时限(工作日)"), min_value=1, max_value=365)
    note = forms.CharField(
        label=_("服务方案简述"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, intermediaries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intermediary"].choices = [(i.pk, i.name) for i in intermediaries]


class BidEditForm(forms.Form):
    """The bidder's own bid changed before the deadline (the intermediary stays the same)."""

    price = MoneyField(label=_("报价(元)"))
    days = forms.IntegerField(label=_("承诺服务时限(工作日)"), min_value=1, max_value=365)
    note = forms.CharField(
        label=_("服务方案简述"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("提前解除原因"), max_length=255)


class SelectForm(forms.Form):
    """Direct choice names a bid; a scored comparison posts `score_<bid id>` for every bid."""

    bid = forms.IntegerField(label=_("选取的报名单位"), required=False, min_value=1)

    def __init__(self, *args, bids=(), scored=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.scored_ids = [b.pk for b in bids] if scored else []
        for pk in self.scored_ids:
            self.fields[f"score_{pk}"] = forms.IntegerField(label=_("评分"), min_value=0, max_value=100)

    def scores(self) -> dict[int, int]:
        return {pk: self.cleaned_data[f"score_{pk}"] for pk in self.scored_ids}


class DeliverForm(forms.Form):
    report = forms.FileField(label=_("服务成果文件(PDF 或图片)"))


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评价"),
        coerce=int,
        widget=forms.RadioSelect,
        choices=[
            (5, _("5 星 非常满意")),
            (4, _("4 星 满意")),
            (3, _("3 星 基本满意")),
            (2, _("2 星 不满意")),
            (1, _("1 星 非常不满意")),
        ],
    )
    comment = forms.CharField(
        label=_("评价意见"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("2 星及以下须说明理由"),
    )


class UseForm(forms.Form):
    material = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[("approve", _("通过")), ("reject", _("不予通过"))], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("审核意见"), max_length=255, required=False)


class BlacklistForm(forms.Form):
    reason = forms.CharField(label=_("列入原因"), max_length=255)
    starts_on = forms.DateField(label=_("起始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("截止日期"), widget=DATE)


class BarForm(forms.Form):
    department = forms.ModelChoiceField(label=_("回避部门"), queryset=Department.objects.all())
    reason = forms.CharField(label=_("回避原因"), max_length=255)


class DrawCheckForm(forms.Form):
    seed = forms.CharField(label=_("种子"), max_length=64)
    codes = forms.CharField(
        label=_("参与抽取的统一社会信用代码(每行一个,按公布顺序)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "mono"}),
    )

    def code_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["codes"].splitlines() if line.strip()]
