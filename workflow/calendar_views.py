"""The administrator's page for entering next year's holidays (节假日安排录入): one form with the
holidays and make-up days line by line, or the State Council's notice pasted as it is. Entering a
year moves the provisional deadlines of open cases (`calendar_store.enter_year`) and the page
lists what moved."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError, Invalid
from core.numbers import is_small_int
from core.web.access import role_required, show_domain_error
from core.web.forms import form_errors

from .calendar_store import enter_year
from .forms import CalendarEnterForm
from .models import CalendarChange, CalendarYear


def next_year_missing(today) -> int | None:
    """From 1 November, next year while its holidays are not entered (the banner's condition)."""
    if today.month < 11:
        return None
    year = today.year + 1
    return None if CalendarYear.objects.filter(year=year).exists() else year


@role_required(User.Role.ADMINISTRATOR, allow_superuser=True)
def calendar_enter(request):
    today = timezone.localdate()
    missing = next_year_missing(today)
    form = CalendarEnterForm(request.POST if request.method == "POST" else None)
    status, errors, problems = 200, {}, []
    if request.method == "POST":
        if not form.is_valid():
            errors = form_errors(form)
            problems = errors.get("notice" if form.cleaned_data.get("mode") == "notice" else "holidays", [])
            show_domain_error(request, Invalid(_("录入内容有误,未作任何修改:%(first)s") % {
                "first": next(iter(errors.values()))[0]}, code="invalid_calendar", fields=errors))
            status = 400
        else:
            data = form.cleaned_data
            year = data["year"]
            try:
                result = enter_year(entered=data["entered"], admin=request.user, source=data["source"],
                                    note=data["note"])
            except DomainError as exc:
                show_domain_error(request, exc)
                status, errors = exc.status, exc.fields
            else:
                messages.success(request, _("%(year)s 年节假日安排已录入:%(n)s 个在办件期限随之调整%(still)s。") % {
                    "year": year, "n": len(result["applications"]),
                    "still": _(",其中 %(k)s 项仍跨越未录入年度、仍为暂定") % {"k": result["still_provisional"]}
                    if result["still_provisional"] else ""})
                return redirect(f"{reverse('portal:calendar_enter')}?year={year}")
    shown_year = request.GET.get("year")
    changes = CalendarChange.objects.select_related("application", "subcase", "changed_by")
    if shown_year and is_small_int(shown_year):
        changes = changes.filter(year=int(shown_year))
    return render(request, "workflow/calendar_enter.html", {
        "title": _("节假日安排录入"),
        "missing": missing,
        "default_year": missing or today.year + 1,
        "years": CalendarYear.objects.order_by("-year")[:6],
        "changes": changes[:200],
        "errors": errors,
        "problems": problems,
        "posted": form.data if form.is_bound else {},
    }, status=status)
