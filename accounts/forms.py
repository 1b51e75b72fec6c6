"""HTML forms of the accounts pages. They check only what a form can check (both passwords
equal, lengths); real-name rules live in accounts.services, whose `Invalid.fields` are put back
on the form fields with `add_domain_errors`."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = _("密码")
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class SignUpForm(forms.Form):
    real_name = forms.CharField(
        label=_("真实姓名"), max_length=30, help_text=_("与居民身份证上的姓名一致。"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("身份证号码"), max_length=18, help_text=_("18位,最后一位可能是X。一个身份证号码只能注册一个账号。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    phone = forms.CharField(
        label=_("手机号码"), max_length=11,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "numeric", "autocomplete": "tel"}),
    )
    username = forms.CharField(
        label=_("用户名"), max_length=64, help_text=_("登录时使用,注册后不能修改。"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password1 = forms.CharField(
        label=_("密码"), strip=False, help_text=_("至少8位,不能全为数字,不能过于常见。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    # The service names the password field "password"; the form shows it on the first box.
    SERVICE_FIELDS = {"password": "password1"}

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned

    def add_domain_errors(self, fields: dict):
        for name, messages in (fields or {}).items():
            target = self.SERVICE_FIELDS.get(name, name)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)
