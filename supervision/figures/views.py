"""The efficiency dashboard (效能监督): read-only; it reads the figures from the rollups
(supervision/figures/services.py), refreshes itself every 60 s by fetching `?partial=1` (the same
figures, rendered by the same template) and swapping them in, and polls for new cards every 5 s.
Every number links to the cases behind it (`figure_cases`).
"""

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from accounts.models import Department, User
from core.numbers import is_small_int
from core.web.access import role_required
from core.web.paging import keyset_page, url_maker, with_urls
from supervision.cards import selectors
from supervision.cards.models import Card
from supervision.cards.rows import CardCells, minute
from supervision.cards.rows import row as card_row
from supervision.feedback.models import Rating
from windows.models import Ticket
from workflow import selectors as case_selectors
from workflow.models import Application, SubCase

from . import services as figures
from .exemptions import exemption_rows
from .filters import scoped_filters

REFRESH_SECONDS = 60
LIVE_SECONDS = 5  # new cards are polled for (`api.LiveCardsView`) and put on top without reload
PAGE_CARDS = 30  # the most urgent open cards on the dashboard (a wall screen shows no more); the card list has all


def _query(filters, **extra) -> str:
    period = filters["period"]
    params = {"period": period.preset, "group_by": filters["group_by"], "channel": filters["channel"],
              "department": filters["department"] or ""}
    if period.preset == "custom":
        params.update(first=period.first.isoformat(), last=period.last.isoformat())
    params.update(extra)
    return urlencode({k: v for k, v in params.items() if v not in ("", None)})


FIGURE_COLUMNS = [  # (figure, the count behind it for the drill-down, unit)
    ("received", "received", ""), ("accepted", "accepted", ""), ("started", "started", ""),
    ("online_rate", "started_online", "%"), ("concluded", "concluded", ""), ("on_time_rate", "on_time", "%"),
    ("avg_days", "concluded", ""), ("p90_days", "concluded", ""), ("same_day_rate", "same_day", "%"),
    ("visits_avg", "delivered", ""), ("wait_avg", "called", ""), ("no_show", "no_show", ""), ("rated", "rated", ""),
    ("satisfied_rate", "satisfied", "%"), ("bad_ratings", "bad_ratings", ""),
]


def _figure_labels():
    """{figure: (label, help)} translated once per request (a lazy string per cell is costly)."""
    return {f.key: (str(f.label), str(f.help)) for f in figures.FIGURES}


def _cells(row, base, dim, labels):
    """The row's figures as table cells, each with the link to the cases behind it (`base`:
    the drill-down page's address with the filters)."""
    cells = []
    for key, count, unit in FIGURE_COLUMNS:
        value = row.get(key)
        if value == figures.BEYOND and key == "p90_days":
            value = ">40"
        link = f"{base}&count={count}&dim={dim}&key={row['key']}" if value is not None and row.get(count) else None
        label, help_text = labels[key]
        if value is None:
            html = mark_safe('<span class="muted">—</span>')
        elif link:
            html = format_html('<a href="{}">{}{}</a>', link, value, unit)
        else:
            html = format_html("{}{}", value, unit)
        cells.append({"key": key, "label": label, "help": help_text, "value": value, "unit": unit,
                      "link": link, "html": html})
    return cells


def _row_html(row, prefix, dim, columns, name_label):
    """The `<td>`s of one row of the grouping table as one string: what `_cells` and the
    template make of a row, built without a template loop or a `format_html` per cell (at 1,000
    matters × 15 figures those were most of the page's time; issue 14, budgets at full size).
    `prefix` (the drill-down's escaped address up to `count=`), `columns` and `name_label` are
    escaped by the caller; the values are numbers."""
    key = row["key"]
    parts = [f'<td data-label="{name_label}">{escape(row["label"])}</td>']
    for figure, count, unit, label in columns:
        value = row.get(figure)
        if value is None:
            inner = MUTED
        else:
            if value == figures.BEYOND and figure == "p90_days":
                value = "&gt;40"
            inner = (f'<a href="{prefix}{count}&amp;dim={dim}&amp;key={key}">{value}{unit}</a>' if row.get(count)
                     else f"{value}{unit}")
        parts.append(f'<td data-label="{label}" class="num">{inner}</td>')
    return mark_safe("".join(parts))  # noqa: S308 (every piece escaped above or a number)


MUTED = '<span class="muted">—</span>'
DASHBOARD_CARD_LABELS = ("级别", "事由", "事项", "责任部门", "期限", "原因", "亮牌时间")


def _card_rows_html(cards) -> list:
    """The open cards' table rows as the dashboard shows them (and as its live updates add them):
    one string per card, built without a template loop (30 cards through the template took
    about 10 ms of the page; issue 15's page budget)."""
    from core.templatetags.clock import provisional

    cells = CardCells()
    labels = [escape(_(text)) for text in DASHBOARD_CARD_LABELS]
    return [card_row((
        cells.badge(card),
        cells.trigger(card),
        cells.target(card),
        escape(card.responsible),
        f"{card.due.isoformat() if card.due else '—'}{provisional(card.due_provisional, card.due)}",
        escape(card.reason),
        minute(card.opened_at),
    ), labels, level=card.level, attrs=f' data-card-id="{card.pk}"', nowrap=(4, 6)) for card in cards]


def _ranking_rows_html(ranking) -> list:
    """The departments' ranking rows (about 10 ms of template at 40 departments, as one string each)."""
    labels = [escape(_(text)) for text in ("名次", "部门", "按时办结率", "平均用时", "办结")]
    rows = []
    for r in ranking:
        rate = r["on_time_rate"]
        width = floatformat(rate, "0")  # as the template's filter rounds (half up)
        meter = (f'<div class="actions gap-8 flex-nowrap"><div class="meter flex-1" role="img" aria-label="{rate}%">'
                 f'<span data-width="{width}"></span></div><span class="nowrap">{rate}%</span></div>')
        rows.append(mark_safe(  # noqa: S308 (the label escaped, the rest numbers)
            f'<tr><td data-label="{labels[0]}" class="num">{r["rank"]}</td>'
            f'<td data-label="{labels[1]}">{escape(r["label"])}</td>'
            f'<td data-label="{labels[2]}">{meter}</td>'
            f'<td data-label="{labels[3]}" class="num">{r["avg_days"]}</td>'
            f'<td data-label="{labels[4]}" class="num">{r["concluded"]}</td></tr>'))
    return rows
ROWS_SHOWN = 100  # rows of the grouping table on the page (most concluded first); ?rows=all shows every one


def _when(value) -> str:
    """A case's date in the drill-down: a moment to the minute (Beijing time), a date as such
    (受理 is dated by `accepted_on`, a date: "Y-m-d H:i" cannot format it)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


@role_required(User.Role.SUPERVISOR, allow_superuser=True)
def dashboard(request):
    """Figures by department, hall, window, clerk or matter for a period, read from the rollups
    (supervision/figures.py), with the departments' ranking, two charts, the open cards (new ones
    appear without reload) and a drill-down from every number. `?wall=1`: the wall-screen layout."""
    filters, scope = scoped_filters(request.user, request.GET)
    state = {}  # refreshed_at, read with the figures
    all_rows = request.GET.get("rows") == "all"
    # the table shows the first ROWS_SHOWN rows: the others are not finished at all (the charts
    # use every department's row, so a grouping by department is read whole)
    limit = None if all_rows or filters["group_by"] == "department" else ROWS_SHOWN
    data = figures.dashboard_figures(**filters, state=state, rows_limit=limit, scope=scope)
    cards = list(selectors.open_cards(limit=PAGE_CARDS, scope=scope))
    departments = Department.objects.order_by("code")
    subcases = SubCase.objects.filter(state__in=SubCase.OPEN_STATES)
    if scope is not None:
        departments = departments.filter(pk__in=sorted(scope.department_ids))
        subcases = subcases.filter(department_id__in=sorted(scope.department_ids))
    total_row = {"key": 0, **data["total"]}
    base = reverse("portal:figure_cases") + "?" + _query(filters)
    labels = _figure_labels()
    shown = data["rows"] if all_rows else data["rows"][:ROWS_SHOWN]
    columns = [(key, count, unit, escape(labels[key][0])) for key, count, unit in FIGURE_COLUMNS]
    name_label = escape(_("名称"))
    prefix = f"{escape(base)}&amp;count="
    rows = [_row_html(row, prefix, filters["group_by"], columns, name_label) for row in shown]
    total_cells = _cells(total_row, base, "all", labels)
    wall = request.GET.get("wall") == "1"
    context = {
        "title": _("效能监督"),
        "data": data,
        "filters": filters,
        "total": total_row,
        "total_cells": total_cells,
        "rows": rows,
        "columns": total_cells,
        "presets": figures.PRESETS.items(),
        "dimensions": figures.DIMENSIONS.items(),
        "departments": departments.values_list("pk", "name"),
        "scope": scope,
        "refreshed_at": state["refreshed_at"],
        "open_subcases": subcases.count(),
        "cards": cards,
        "card_rows": _card_rows_html(cards),
        "ranking_rows": _ranking_rows_html(data["ranking"]),
        "last_card_id": Card.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "red": data["cards"]["red"],  # card_counts' open red, yellow and contested, read with the figures
        "yellow": data["cards"]["yellow"],
        "contested": data["cards"]["contested"],
        "refresh_seconds": REFRESH_SECONDS,
        "live_seconds": LIVE_SECONDS,
        "query": _query(filters, **({"rows": "all"} if all_rows else {})),
        "rows_total": data["rows_total"],
        "rows_hidden": data["rows_total"] - len(shown),
        "all_rows_query": _query(filters, rows="all"),
        "wall": wall,
        "exemptions": exemption_rows(filters["period"], department=filters["department"], scope=scope),
        "charts": {
            "trend": data["trend"],
            "departments": [{"label": r["label"], "on_time_rate": r["on_time_rate"]}
                            for r in (data["departments"] or data["rows"]) if r["concluded"]],
            "wall": wall,
        },
    }
    template = "supervision/_dashboard_body.html" if request.GET.get("partial") == "1" else "supervision/dashboard.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


CASES_PER_PAGE = 50


def _district_cases(model, date_field: str, scope) -> Q:
    """The cases of a district's total (`figures.district_total`): applications by the hall that
    received (收件) or accepted them, sub-cases by department, queue tickets by hall, ratings by
    the rated department or hall."""
    halls, departments = sorted(scope.hall_ids), sorted(scope.department_ids)
    if model is Application:
        return Q(received_hall_id__in=halls) if date_field == "submitted_at" else Q(accepted_hall_id__in=halls)
    if model is SubCase:
        return Q(department_id__in=departments)
    if model is Ticket:
        return Q(hall_id__in=halls)
    return Q(department_id__in=departments) | Q(hall_id__in=halls)


@role_required(User.Role.SUPERVISOR, allow_superuser=True)
def figure_cases(request):
    """The cases behind one number of the dashboard: the same definition as the figure
    (`figures.cases_behind`), newest first, 50 per page with a keyset cursor (date, id)."""
    filters, scope = scoped_filters(request.user, request.GET)
    count = request.GET.get("count", "")
    dim = request.GET.get("dim", "all")
    key = request.GET.get("key", "0")
    if count not in figures.DRILL_KINDS or dim not in ("all", *figures.DIMENSIONS) or not is_small_int(key):
        return render(request, "supervision/figure_cases.html", {
            "title": _("办件明细"), "error": _("参数无效:请从效能监督页面的数字进入明细。"),
            "back": reverse("portal:supervision") + "?" + _query(filters)}, status=400)
    if scope is not None and dim != "all" and not scope.has(dim, int(key)):
        raise Http404(_("该对象不在您的督查范围内。"))
    model, qs, date_field = figures.cases_behind(count=count, period=filters["period"], dim=dim, key=int(key),
                                                 channel=filters["channel"], department=filters["department"])
    if scope is not None and dim == "all":
        qs = qs.filter(_district_cases(model, date_field, scope))
    # keyset pages over (date, id) newest first (core.web.paging; issue 15)
    if model in (Application, SubCase):  # no form, situation, postal details or guide on a row (issue 15)
        qs = case_selectors.for_list(qs, through="application__" if model is SubCase else "")
    cases = keyset_page(request, qs, key=date_field, descending=True, per_page=CASES_PER_PAGE)
    page = cases.object_list
    if model is Ticket:
        for ticket in page:
            ticket.wait_minutes = round(figures.wait_of(ticket.issued_at, ticket.called_at) / 60, 1)
    elif model is SubCase:  # the application's page, its URL made once for the page (issue 15)
        url = url_maker("portal:application")
        for subcase in page:
            subcase.url = url(subcase.application.number)
    elif model is not Rating:
        with_urls(page, "portal:application")
    labels = dict(figures.DRILL_LABELS)
    name = ""
    if dim != "all" and int(key):
        name = figures.dimension_label(dim, int(key))
    elif dim != "all":
        name = str(figures.NONE_LABELS.get(dim, ""))
    return render(request, "supervision/figure_cases.html", {
        "title": _("办件明细"),
        "what": labels[count],
        "scope": f"{figures.DIMENSIONS[dim]}:{name}" if dim != "all" else (scope.name if scope else _("全区")),
        "period": filters["period"],
        "channel": filters["channel"],
        "subcases": model is SubCase,
        "tickets": model is Ticket,
        "ratings": model is Rating,
        "date_field": date_field,
        "rows": [(case, _when(getattr(case, date_field))) for case in page],
        "total": cases.count_label,
        "next_url": cases.next_url,
        "previous_url": cases.previous_url,
        "first_url": cases.first_url,
        "message": cases.message,
        "back": reverse("portal:supervision") + "?" + _query(filters),
    })


# --- cards -------------------------------------------------------------------------------------
