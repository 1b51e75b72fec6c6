"""The POSTs of the payments pages parsed by Django forms (see core.web.forms): a form checks what a
posted value must be, the service keeps the rules of the domain and their messages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReconcileForm(forms.Form):
    """立即对账: a day that has begun (today or before)."""

    day = forms.DateField(
        input_formats=["%Y-%m-%d"],
        error_messages={"required": _("请填写正确的对账日期。"), "invalid": _("请填写正确的对账日期。")},
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day >= timezone.localdate() + dt.timedelta(days=1):
            raise forms.ValidationError(_("不能对尚未到来的日期对账。"), code="future")
        return day


class RefundForm(forms.Form):
    """退费: the reason typed (whether it is long enough is services.refund's rule)."""

    reason = forms.CharField(
        required=False, max_length=200, error_messages={"max_length": _("请填写退费原因(不超过200字)。")}
    )
