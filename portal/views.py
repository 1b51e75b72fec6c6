"""The site shell's own pages: home, the role-based workbench redirect and the public progress
lookup (进度查询) that the QR codes on notices point to."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.identity import mask_enterprise, mask_name
from accounts.models import User
from core.throttle import FailureThrottle, client_address
from matters import selectors as catalog
from matters.models import Target
from workflow import selectors as cases
from workflow.models import SubCase

WORKBENCH = {
    User.Role.PUBLIC: "portal:my_applications",
    User.Role.CLERK: "portal:hall",
    User.Role.REVIEWER: "portal:review",
    User.Role.SUPERVISOR: "portal:supervision",
}
# Failed progress look-ups allowed per application number and per client address in an hour:
# the last four characters of an ID number are a weak secret, so guessing must stay slow.
LOOKUP_LIMIT = 10
LOOKUP_WINDOW = 3600
progress_throttle = FailureThrottle("progress", limit=LOOKUP_LIMIT, window=LOOKUP_WINDOW)


def home(request):
    themes = list(catalog.active_themes())
    return render(request, "portal/home.html", {
        "groups": [(value, label, [t for t in themes if t.target == value]) for value, label in Target.choices],
    })


def workbench(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.role == User.Role.ADMINISTRATOR or (user.is_superuser and user.role not in WORKBENCH):
        return redirect("admin:index")
    return redirect(WORKBENCH.get(user.role, "portal:home"))


def progress(request):
    number = request.GET.get("number", "").strip().upper()[:32]
    id_last4 = request.GET.get("id_last4", "").strip().upper()[:4]
    context = {"title": _("办件进度查询"), "number": number, "id_last4": id_last4, "searched": False}
    if number and id_last4:
        context["searched"] = True
        client = client_address(request)
        if progress_throttle.blocked(n=number, c=client):
            context["error"] = _("查询次数过多,请一小时后再试,或拨打 12345 热线咨询。")
            return render(request, "portal/progress.html", context, status=429)
        application = cases.public_progress(number, id_last4)
        if application is None:
            progress_throttle.fail(n=number, c=client)
            context["error"] = _("未查到与该办件编号和身份证号码后4位相符的办件,请核对后重新输入。")
            return render(request, "portal/progress.html", context, status=404)
        subcases = list(
            application.subcases.select_related("matter", "department").order_by("number")
        )
        context.update({
            "application": application,
            "name": mask_name(application.applicant.real_name),
            "enterprise": mask_enterprise(application.enterprise.name) if application.enterprise_id else "",
            "subcases": subcases,
            "open_subcase_states": SubCase.OPEN_STATES,
        })
    elif number or request.GET.get("id_last4") is not None:
        context["hint"] = _("请同时输入办件编号和申请人身份证号码后4位。")
    return render(request, "portal/progress.html", context)


def health(request):
    """For container health checks and the production check: the process answers and reaches its
    database. Plain HTTP is allowed here (SECURE_REDIRECT_EXEMPT); nothing about the case data."""
    from django.db import connection
    from django.http import JsonResponse

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
