"""Sign-in, sign-out and real-name sign-up pages, and the small page-access helpers that every
app's views share (accounts is the lowest app, so matters, workflow, windows and supervision may
all import them): `role_required` (login, then role, else the Chinese 403 page) and
`not_found_pages` (a `core.errors.NotFound` from an `access_*` helper becomes the 404 page)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from core.errors import DomainError, NotFound

from . import services
from .forms import LoginForm, SignUpForm
from .models import User

# --- shared page helpers -----------------------------------------------------------------------

ROLE_REFUSALS = {
    User.Role.PUBLIC: gettext_lazy("该页面供群众和企业办事使用,工作人员请使用工作台。"),
    User.Role.CLERK: gettext_lazy("该页面仅限综合窗口人员使用。"),
    User.Role.REVIEWER: gettext_lazy("该页面仅限部门审批人员使用。"),
    User.Role.SUPERVISOR: gettext_lazy("该页面仅限督查人员使用。"),
    User.Role.ADMINISTRATOR: gettext_lazy("该页面仅限系统管理员使用。"),
}


def role_required(*roles, allow_superuser=False):
    """Anonymous → the sign-in page; signed in with another role → the 403 page in Chinese."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            user = request.user
            if user.role not in roles and not (allow_superuser and user.is_superuser):
                message = ROLE_REFUSALS.get(roles[0]) if len(roles) == 1 else None
                raise PermissionDenied(str(message or _("您无权访问该页面。")))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def not_found_page(request, message=""):
    return render(request, "404.html", {"message": message or _("您访问的页面不存在。")}, status=404)


def not_found_pages(view):
    """What an `access_*` helper refuses to show is, for this user, not there (404)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return not_found_page(request, exc.message)

    return wrapper


def show_domain_error(request, exc: DomainError):
    """The one way a page tells a person why a service refused: its Chinese message."""
    messages.error(request, exc.message)


# --- the accounts pages ----------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("登录")}


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_sign_up(
                username=data["username"], password=data["password1"], real_name=data["real_name"],
                id_number=data["id_number"], phone=data["phone"],
            )
        except DomainError as exc:
            show_domain_error(request, exc)
            form.add_domain_errors(exc.fields)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("注册成功,欢迎您,%(name)s。") % {"name": user.real_name})
            return redirect("portal:workbench")
    return render(request, "accounts/signup.html", {"form": form, "title": _("实名注册")}, status=400 if form.errors else 200)
