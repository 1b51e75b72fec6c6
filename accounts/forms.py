"""HTML forms of the accounts pages. They check only what a form can check (both passwords
equal, lengths); real-name rules live in accounts.services, whose `Invalid.fields` are put back
on the form fields with `add_domain_errors`."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Password sign-in; staff and administrators add the 6-digit code of their authenticator
    (TOTP). A wrong code is a failed sign-in for the lockout (accounts.security)."""

    otp_token = forms.CharField(
        label=_("动态口令"), required=False, max_length=6,
        help_text=_("工作人员必填:手机令牌(身份验证器)上的6位数字。群众和企业无需填写。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "mono"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.otp_device = None
        self.enrolment_device = None  # an enrolment an administrator opened (accounts.enrolment)
        self.fields["username"].label = _("用户名")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].label = _("密码")
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        from .enrolment import has_confirmed_device, pending_device
        from .security import otp_failed, requires_otp, totp_device

        cleaned = super().clean()
        user = self.get_user()
        if user is not None and requires_otp(user) and not has_confirmed_device(user):
            self.enrolment_device = pending_device(user)
            if self.enrolment_device is None:
                raise forms.ValidationError(
                    _("您的账号尚未绑定手机令牌(动态口令),暂不能登录。请联系系统管理员开通绑定,"
                      "开通后72小时内用账号和密码登录即可自行绑定。"), code="otp_not_enrolled")
            return cleaned
        if user is not None and requires_otp(user):
            self.otp_device = totp_device(user, cleaned.get("otp_token", ""))
            if self.otp_device is None:
                otp_failed(self.request, cleaned.get("username", ""))
                raise forms.ValidationError(
                    _("工作人员须填写手机令牌上的6位动态口令;口令不正确或已过期,请重新输入。"), code="otp_required")
        return cleaned


class OtpEnrolForm(forms.Form):
    otp_token = forms.CharField(
        label=_("手机令牌上的6位动态口令"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "mono",
                                      "autofocus": True}),
        error_messages={"required": _("请输入手机令牌上显示的6位数字。"),
                        "min_length": _("动态口令是6位数字。"), "max_length": _("动态口令是6位数字。")},
    )


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


class ClaimForm(SignUpForm):
    """Claiming an account a window registered: the identity as registered there plus the number
    of one of the person's applications (on the receipt or the acceptance notice)."""

    application_number = forms.CharField(
        label=_("办件编号"), max_length=32, help_text=_("窗口收件回执或受理通知书上的办件编号,如 441803-2026-XK-000123。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )

    field_order = ["real_name", "id_number", "phone", "application_number", "username", "password1", "password2"]


class AgentGrantForm(forms.Form):
    """委托代办: the agent (a real-name registered person), the matters and the period."""

    agent_name = forms.CharField(label=_("代办人姓名"), max_length=30)
    agent_id_number = forms.CharField(
        label=_("代办人身份证号码"), max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    enterprise = forms.TypedChoiceField(label=_("委托人"), required=False, coerce=int, empty_value=None)
    matters = forms.MultipleChoiceField(label=_("委托事项"), widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              help_text=_("最长三年。"))
    note = forms.CharField(label=_("委托说明"), max_length=200, required=False)

    def __init__(self, *args, enterprises=(), matters=(), me="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].choices = [("", _("本人(%(name)s)") % {"name": me})] + [
            (e.pk, e.name) for e in enterprises]
        self.fields["matters"].choices = [(str(m.pk), f"{m.name}({m.department.short_name})") for m in matters]
        self.kinds = {str(m.pk): m.target for m in matters}

    def matter_groups(self):
        """The matter checkboxes as (heading, boxes): natural-person matters, then legal-person."""
        boxes = list(self["matters"])
        kinds = (("natural", _("个人事项")), ("legal", _("法人事项(以企业名义委托)")))
        if len(self.fields["enterprise"].choices) == 1:  # may authorise for no enterprise
            kinds = kinds[:1]
        return [(label, [b for b in boxes if self.kinds.get(str(b.data["value"])) == kind]) for kind, label in kinds]

    add_domain_errors = SignUpForm.add_domain_errors
    SERVICE_FIELDS = {}


class MembershipRequestForm(forms.Form):
    credit_code = forms.CharField(
        label=_("统一社会信用代码"), max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}),
    )
    note = forms.CharField(label=_("申请说明"), max_length=200, required=False,
                           help_text=_("如所在部门、职务,以便企业核实。"))
    letter = forms.FileField(label=_("授权书(可选)"), required=False,
                             help_text=_("企业出具的经办人授权书扫描件,PDF、JPG 或 PNG。"))

    add_domain_errors = SignUpForm.add_domain_errors
    SERVICE_FIELDS = {}


class MembershipDecisionForm(forms.Form):
    """审核企业经办人申请: 通过 or 驳回 (the button pressed) and the note typed beside them (up to 200
    characters; that a refusal needs one is the service's rule)."""

    decision = forms.ChoiceField(
        choices=[("approve", _("通过")), ("reject", _("驳回"))],
        error_messages={"required": _("请选择通过或驳回。"), "invalid_choice": _("请选择通过或驳回。")},
    )
    note = forms.CharField(
        required=False, max_length=200, error_messages={"max_length": _("审核意见不超过200个字。")}
    )
