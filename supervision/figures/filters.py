"""The dashboard's filters read from a request's parameters (the page and the API read them alike)."""

import datetime as dt

from django.http import Http404
from django.utils.translation import gettext as _

from core.numbers import is_small_int
from supervision.cards.services import beijing_today
from supervision.scope.districts import scope_of

from . import services as figures


def figure_filters(params, *, today=None) -> dict:
    """The dashboard's filters from a query string; unknown values fall back to the defaults."""
    today = today or beijing_today()

    def day(name):
        try:
            return dt.date.fromisoformat(params.get(name, ""))
        except ValueError:
            return None

    preset = params.get("period", figures.DEFAULT_PRESET)
    preset = preset if preset in figures.PRESETS else figures.DEFAULT_PRESET
    period = figures.period_for(preset, today=today, first=day("first"), last=day("last"))
    group_by = params.get("group_by", "department")
    department = params.get("department", "")
    return {
        "period": period,
        "group_by": group_by if group_by in figures.DIMENSIONS else "department",
        "channel": params.get("channel", "") if params.get("channel") in ("online", "window") else "",
        "department": int(department) if is_small_int(department) else None,
    }


def scoped_filters(user, params) -> tuple[dict, object]:
    """(filters, scope) of a supervisor's request: a district supervisor (issue 15) asking for
    another district's department is refused with 404, not shown an empty page."""
    filters = figure_filters(params)
    scope = scope_of(user)
    if scope is not None and filters["department"] is not None and filters["department"] not in scope.department_ids:
        raise Http404(_("该部门不在您的督查范围内。"))
    return filters, scope
