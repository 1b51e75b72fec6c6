"""The POSTs of the exchange pages parsed by Django forms (see core.web.forms): a form checks what a
posted value must be, the service keeps the rules of the domain and their messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LicenceRevokeForm(forms.Form):
    """注销证照: the licence's number (a hidden field of its row) and the reason typed, as long as the
    page's box allows. That a reason is needed is services.licence_revoke's rule."""

    number = forms.CharField(
        max_length=32, error_messages={"required": _("未找到该证照。"), "max_length": _("未找到该证照。")}
    )
    reason = forms.CharField(
        required=False, max_length=255, strip=False, error_messages={"max_length": _("注销原因不超过255个字。")}
    )

    def clean_number(self):
        return self.cleaned_data["number"].upper()
