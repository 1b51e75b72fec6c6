from django import forms
from django.utils.translation import gettext_lazy as _


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("终端密码(6 位数字)"),
        min_length=6,
        max_length=6,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
    )
    pin_again = forms.CharField(
        label=_("再次输入终端密码"),
        min_length=6,
        max_length=6,
        widget=forms.PasswordInput(attrs={"inputmode": "numeric", "autocomplete": "new-password"}),
    )
    password = forms.CharField(
        label=_("登录密码(确认本人操作)"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("pin") and data.get("pin_again") and data["pin"] != data["pin_again"]:
            self.add_error("pin_again", _("两次输入的终端密码不一致。"))
        return data
