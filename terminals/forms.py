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


class EnrolForm(forms.Form):
    code = forms.CharField(label=_("终端登记码"), max_length=20,
                           error_messages={"required": _("请输入大厅负责人提供的登记码。")},
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))


class KioskPinForm(forms.Form):
    pin = forms.RegexField(regex=r"^\d{6}$", error_messages={"required": _("请输入 6 位终端密码。"),
                                                             "invalid": _("终端密码为 6 位数字。")})


class TicketForm(forms.Form):
    queue = forms.RegexField(regex=r"^[a-z_]+(:\d+)?$", error_messages={"required": _("请选择业务类别。"),
                                                                        "invalid": _("无法识别的业务类别。")})


class RateForm(forms.Form):
    token = forms.CharField(max_length=64, error_messages={"required": _("评价链接无效,请重新选择。")})
    level = forms.TypedChoiceField(coerce=int, choices=[(n, n) for n in range(1, 6)],
                                   error_messages={"required": _("请选择评价等级。"),
                                                   "invalid_choice": _("请选择评价等级。")})


class KioskCodeForm(forms.Form):
    code = forms.RegexField(regex=r"^\d{6}$", error_messages={"required": _("请输入 6 位短信验证码。"),
                                                              "invalid": _("短信验证码为 6 位数字。")})


class KioskIdNumberForm(forms.Form):
    id_number = forms.RegexField(regex=r"^\d{17}[\dXx]$",
                                 error_messages={"required": _("请输入 18 位身份证号码。"),
                                                 "invalid": _("身份证号码为 18 位,最后一位可能是 X。")})
