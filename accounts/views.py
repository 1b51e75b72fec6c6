"""Sign-in, sign-out and real-name sign-up pages, enterprise memberships and their letters."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from core.errors import DomainError
from core.pdf import qr_png_data_uri
from core.web.access import not_found_page, role_required, show_domain_error
from core.web.forms import checked

from . import enrolment, guards, services
from .forms import ClaimForm, LoginForm, MembershipDecisionForm, MembershipRequestForm, OtpEnrolForm, SignUpForm
from .models import EnterpriseMembership, MembershipRequest, User
from .security import lockout_response, otp_failed


@method_decorator(sensitive_post_parameters("password", "otp_token"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("登录")}

    def form_valid(self, form):
        if form.enrolment_device is not None:
            enrolment.begin(self.request, form.get_user(), self.get_success_url())
            return redirect("accounts:otp_enrol")
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


@sensitive_post_parameters("otp_token")
def otp_enrol(request):
    """绑定手机令牌: the second half of a sign-in while an administrator's enrolment is open."""
    from axes.handlers.proxy import AxesProxyHandler

    state = enrolment.pending(request)
    if state is None:
        messages.info(request, _("请先用账号和密码登录;绑定页面超过10分钟未完成的,请重新登录。"))
        return redirect("accounts:login")
    user, device, next_url = state
    if AxesProxyHandler.is_locked(request, credentials={"username": user.username}):
        request.session.pop(enrolment.SESSION_KEY, None)
        return lockout_response(request)
    form = OtpEnrolForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and enrolment.confirm(device, form.cleaned_data["otp_token"]):
            request.session.pop(enrolment.SESSION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            messages.success(request, _("手机令牌已绑定。以后登录时请填写手机令牌上的6位动态口令。"))
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                next_url = reverse("portal:workbench")
            return redirect(next_url)
        if form.is_valid():
            otp_failed(request, user.username)
            form.add_error("otp_token", _("口令不正确或已过期,请等手机令牌显示新的口令后重新输入。"))
        status = 400
    return render(request, "accounts/otp_enrol.html", {
        "title": _("绑定手机令牌"), "form": form, "enrolling": user,
        "qr": qr_png_data_uri(device.config_url), "secret": enrolment.secret_text(device),
    }, status=status)


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): the sign-out button in the header is a small form."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("您已安全退出。"))
        return response


@sensitive_post_parameters("password1", "password2", "id_number")
def signup(request):
    if request.user.is_authenticated:
        return redirect("portal:workbench")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = guards.guarded(request, data["id_number"], lambda: services.user_sign_up(
                username=data["username"], password=data["password1"], real_name=data["real_name"],
                id_number=data["id_number"], phone=data["phone"],
            ))
        except DomainError as exc:
            show_domain_error(request, exc)
            form.add_domain_errors(exc.fields)
            status = exc.status
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功,欢迎您,%(name)s。") % {"name": user.real_name})
            return redirect("portal:workbench")
    if status == 200 and form.errors:
        status = 400
    return render(request, "accounts/signup.html", {"form": form, "title": _("实名注册")}, status=status)


# --- claiming an account a window registered ---------------------------------------------------

CLAIM_LIMIT, CLAIM_WINDOW = guards.id_failures.limit, guards.WINDOW  # per ID number and per address


@sensitive_post_parameters("password1", "password2", "id_number", "application_number")
def claim(request):
    """认领窗口登记的账号: the person registered at a window sets a password online."""
    if request.user.is_authenticated:
        return redirect("portal:workbench")
    form = ClaimForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = guards.guarded(request, data["id_number"], lambda: services.account_claim(
                id_number=data["id_number"], real_name=data["real_name"], phone=data["phone"],
                application_number=data["application_number"], username=data["username"],
                password=data["password1"],
            ))
        except DomainError as exc:
            show_domain_error(request, exc)
            form.add_domain_errors(exc.fields)
            status = exc.status
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("账号认领成功,欢迎您,%(name)s。您在窗口办理的办件已在“我的办件”中。")
                             % {"name": user.real_name})
            return redirect("portal:my_applications")
    elif form.errors:
        status = 400
    return render(request, "accounts/claim.html", {"form": form, "title": _("认领窗口登记的账号")}, status=status)


# --- enterprise staff (经办人) -------------------------------------------------------------------


def _membership_context(request, form):
    user = request.user
    deciding = MembershipRequest.objects.select_related("user", "enterprise").filter(state=MembershipRequest.State.PENDING)
    if user.role != User.Role.ADMINISTRATOR and not user.is_superuser:
        deciding = deciding.filter(enterprise__enterprisemembership__user=user,
                                   enterprise__enterprisemembership__may_authorise=True)
    return {
        "title": _("企业经办人"),
        "form": form,
        "is_public": user.is_public,
        "memberships": EnterpriseMembership.objects.filter(user=user).select_related("enterprise"),
        "mine": MembershipRequest.objects.filter(user=user).select_related("enterprise", "decided_by")[:50],
        "deciding": list(deciding.distinct()[:200]),
    }


@role_required(User.Role.PUBLIC, User.Role.ADMINISTRATOR, allow_superuser=True)
def memberships(request):
    """Ask to become an enterprise's 经办人; the enterprise's authorisers (and administrators)
    approve or reject the requests here."""
    form = MembershipRequestForm(request.POST or None, request.FILES or None) if request.user.is_public else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("工作人员不能申请成为企业经办人。"))
        if form.is_valid():
            try:
                services.membership_request(user=request.user, credit_code=form.cleaned_data["credit_code"],
                                            note=form.cleaned_data["note"], letter=form.cleaned_data["letter"])
            except DomainError as exc:
                show_domain_error(request, exc)
                form.add_domain_errors(exc.fields)
                status = exc.status
            else:
                messages.success(request, _("申请已提交,企业法定代表人或其授权的管理人员审核通过后,您即可以企业名义办事。"))
                return redirect("portal:memberships")
        else:
            status = 400
    return render(request, "accounts/memberships.html", _membership_context(request, form), status=status)


@role_required(User.Role.PUBLIC, User.Role.ADMINISTRATOR, allow_superuser=True)
@require_POST
def membership_decide(request, pk):
    membership_request = MembershipRequest.objects.filter(pk=pk).select_related("enterprise").first()
    if membership_request is None or not services.may_decide_membership(request.user, membership_request):
        return not_found_page(request, _("未找到该申请,或您无权审核。"))
    form = MembershipDecisionForm(request.POST)
    try:
        data = checked(form)
        approve = data["decision"] == "approve"
        services.membership_decide(request=membership_request, by=request.user, approve=approve, note=data["note"])
    except DomainError as exc:
        show_domain_error(request, exc)
        context = _membership_context(request, MembershipRequestForm() if request.user.is_public else None)
        context["decided"] = {"pk": membership_request.pk, "note": form.data.get("note", ""),
                              "errors": [e for errors in exc.fields.values() for e in errors]}
        return render(request, "accounts/memberships.html", context, status=exc.status)
    messages.success(request, _("已通过 %(name)s 的经办人申请。") % {"name": membership_request.user.real_name} if approve
                     else _("已驳回 %(name)s 的经办人申请。") % {"name": membership_request.user.real_name})
    return redirect("portal:memberships")


@role_required(User.Role.PUBLIC, User.Role.ADMINISTRATOR, allow_superuser=True)
def membership_letter(request, pk):
    """The letter attached to a request: for the requester and those who may decide on it."""
    from core.uploads import file_response

    membership_request = MembershipRequest.objects.filter(pk=pk).select_related("enterprise").first()
    if (membership_request is None or not membership_request.letter
            or not (membership_request.user_id == request.user.pk
                    or services.may_decide_membership(request.user, membership_request))):
        return not_found_page(request, _("未找到该授权书,或您无权查看。"))
    # the type of what the content is (never of the uploader's file name); PDF and images inline
    return file_response(membership_request.letter, filename=membership_request.letter_name or "授权书", inline=True)
