"""The dashboard's filters read from a request's parameters (the page and the API read them alike)."""

import datetime as dt

from core.numbers import is_small_int
from supervision.cards.services import beijing_today

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
