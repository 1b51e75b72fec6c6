"""Pages around the terminals: the resident's terminal PIN, and the hall's terminals for staff."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import DomainError
from core.web.access import role_required

from . import kiosk, services
from .forms import PinForm
from .models import TerminalPin
from .selectors import terminals_for


@sensitive_post_parameters("pin", "pin_again", "password")
@role_required(User.Role.PUBLIC)
def terminal_pin(request):
    """终端密码: the second factor after the ID card at a 市民之窗 terminal."""
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_pin(request.user, pin=form.cleaned_data["pin"], password=form.cleaned_data["password"])
        except DomainError as error:
            for field, problems in error.fields.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            if not error.fields:
                form.add_error(None, error.message)
        else:
            messages.success(request, _("终端密码已设置。在任一市民之窗自助终端读取身份证后输入即可办理。"))
            return redirect("portal:terminal_pin")
    record = TerminalPin.objects.filter(user=request.user).first()
    return render(request, "terminals/pin.html", {"form": form, "record": record, "title": _("终端密码")})


@role_required(User.Role.CLERK, User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def hall_terminals(request):
    """The terminals this member of staff looks after, those needing attention first."""
    now = timezone.now()
    rows = [(t, t.problems(now), kiosk.may_enrol(request.user, t)) for t in terminals_for(request.user)]
    rows.sort(key=lambda row: (not row[1], row[0].hall.name, row[0].code))
    return render(
        request,
        "terminals/hall.html",
        {"rows": rows, "attention": sum(1 for _t, p, _e in rows if p), "title": _("自助终端状态")},
    )


@require_POST
@role_required(User.Role.CLERK, User.Role.ADMINISTRATOR, allow_superuser=True)
def enrolment_code(request, code):
    """生成登记码: shown once, on the next page only (the hall head or an administrator)."""
    terminal = get_object_or_404(terminals_for(request.user), code=code)
    try:
        secret = kiosk.enrolment_code_issue(terminal=terminal, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("终端 %(t)s 的登记码:%(c)s(30 分钟内在该终端的 /kiosk/enrol/ 输入,只能使用一次,本页不再显示)。")
            % {"t": terminal.code, "c": secret},
        )
    return redirect("portal:hall_terminals")
