"""The POSTs of the red and yellow card pages parsed by Django forms (see core.web.forms): a form
checks what a posted value must be (a known decision, a date, the page's lengths), the services
keep the rules and their messages (the thresholds' ranges, who may contest or decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.numbers import is_small_int
from matters.models import Matter

from .models import Step


class ContestForm(forms.Form):
    """申诉: the statement (the evidence is a file)."""

    statement = forms.CharField(
        required=False, max_length=2000, strip=False, error_messages={"max_length": _("申诉理由不超过2000个字。")}
    )


class DecideForm(forms.Form):
    """裁定: 维持 or 撤销 and the reason. A missing decision is left to the view, which tells a
    non-supervisor first that deciding is not theirs."""

    decision = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("uphold", "uphold"), ("void", "void")],
        error_messages={"invalid_choice": _("请选择维持或撤销。")},
    )
    reason = forms.CharField(
        required=False, max_length=2000, strip=False, error_messages={"max_length": _("裁定理由不超过2000个字。")}
    )


class PolicyDraftForm(forms.Form):
    """新建规则草稿: an optional title (the page's 128 characters)."""

    title = forms.CharField(required=False, max_length=128, error_messages={"max_length": _("名称不超过128个字。")})


def grid_names():
    for step in Step.values:
        for kind in Matter.Kind.values:
            yield step, kind, f"pct_{step}_{kind}", f"days_{step}_{kind}"


class PolicyForm(forms.Form):
    """One draft's page: 保存 (title, the refusal minimum, the grid of yellow thresholds: a percent
    and a number of working days per step and matter kind) or 发布 (the effective date). A cell that
    is not a whole number reaches the service as None, which names it; the ranges are its rule."""

    action = forms.ChoiceField(
        choices=[("save", "save"), ("publish", "publish")],
        error_messages={"required": _("未知的操作。"), "invalid_choice": _("未知的操作。")},
    )
    title = forms.CharField(required=False, max_length=128, error_messages={"max_length": _("名称不超过128个字。")})
    refusal_reason_min_chars = forms.CharField(
        required=False, max_length=8, error_messages={"max_length": _("字数为0至200之间的整数。")}
    )
    effective_from = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": _("请选择今天或以后的日期。")}
    )

    def __init__(self, data):
        super().__init__(data)
        for _step, _kind, pct, days in grid_names():
            self.fields[pct] = forms.CharField(required=False, max_length=8)
            self.fields[days] = forms.CharField(required=False, max_length=8)

    @property
    def thresholds(self) -> dict:
        """{(step, kind): (percent, days)} of the cleaned grid; None where not a whole number."""
        data = self.cleaned_data

        def number(name):
            raw = (data.get(name) or "").strip()
            return int(raw) if is_small_int(raw) else None

        return {(step, kind): (number(pct), number(days)) for step, kind, pct, days in grid_names()}
