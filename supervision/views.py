"""Pages of supervision (效能监督): the efficiency dashboard, the red and yellow cards with their
contest and ruling, and the card rules with a preview of what a draft would flag.

The dashboard is read-only; it reads the figures from the rollups (supervision/figures.py),
refreshes itself every 60 s by fetching `?partial=1` (the same figures, rendered by the same
template) and swapping them in, and polls for new cards every 5 s. Every number links to the
cases behind it (`figure_cases`). Every other view: validate input →
one `access_*`/selector → one service → redirect or render; a service's refusal is shown as its
Chinese message on the same page.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import F, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Department, User
from core.errors import DomainError, Forbidden
from core.numbers import is_small_int
from core.web.access import not_found_page, not_found_pages, role_required, show_domain_error
from core.web.paging import page_of
from matters.models import Matter
from windows.models import Ticket
from workflow.models import SubCase

from . import figures, selectors, services
from .api import evidence_url
from .models import Card, CardPolicy, Rating, Step

REFRESH_SECONDS = 60
LIVE_SECONDS = 5  # new cards are polled for (`api.LiveCardsView`) and put on top without reload
PAGE_CARDS = 30  # the most urgent open cards on the dashboard (a wall screen shows no more); the card list has all
CARD_ROLES = (User.Role.SUPERVISOR, User.Role.REVIEWER, User.Role.CLERK)
POLICY_ROLES = (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR)


def figure_filters(params, *, today=None) -> dict:
    """The dashboard's filters from a query string; unknown values fall back to the defaults."""
    today = today or services.beijing_today()

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


@role_required(User.Role.SUPERVISOR, allow_superuser=True)
def dashboard(request):
    """Figures by department, hall, window, clerk or matter for a period, read from the rollups
    (supervision/figures.py), with the departments' ranking, two charts, the open cards (new ones
    appear without reload) and a drill-down from every number. `?wall=1`: the wall-screen layout."""
    filters = figure_filters(request.GET)
    data = figures.dashboard_figures(**filters)
    cards = list(selectors.open_cards(limit=PAGE_CARDS))
    card_counts = selectors.card_counts(Card.objects.all())
    total_row = {"key": 0, **data["total"]}
    base = reverse("portal:figure_cases") + "?" + _query(filters)
    labels = _figure_labels()
    rows = [{**row, "cells": _cells(row, base, filters["group_by"], labels)} for row in data["rows"]]
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
        "departments": Department.objects.order_by("code").values_list("pk", "name"),
        "refreshed_at": figures.refreshed_at(),
        "open_subcases": SubCase.objects.filter(state__in=SubCase.OPEN_STATES).count(),
        "cards": cards,
        "last_card_id": Card.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "red": card_counts["red"],
        "yellow": card_counts["yellow"],
        "contested": card_counts["contested"],
        "refresh_seconds": REFRESH_SECONDS,
        "live_seconds": LIVE_SECONDS,
        "query": _query(filters),
        "wall": wall,
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


@role_required(User.Role.SUPERVISOR, allow_superuser=True)
def figure_cases(request):
    """The cases behind one number of the dashboard: the same definition as the figure
    (`figures.cases_behind`), newest first, 50 per page with a keyset cursor (date, id)."""
    filters = figure_filters(request.GET)
    count = request.GET.get("count", "")
    dim = request.GET.get("dim", "all")
    key = request.GET.get("key", "0")
    if count not in figures.DRILL_KINDS or dim not in ("all", *figures.DIMENSIONS) or not is_small_int(key):
        return render(request, "supervision/figure_cases.html", {
            "title": _("办件明细"), "error": _("参数无效:请从效能监督页面的数字进入明细。"),
            "back": reverse("portal:supervision") + "?" + _query(filters)}, status=400)
    model, qs, date_field = figures.cases_behind(count=count, period=filters["period"], dim=dim, key=int(key),
                                                 channel=filters["channel"], department=filters["department"])
    cursor = request.GET.get("after", "")
    if cursor:
        value, _sep, pk = cursor.rpartition("_")
        try:
            boundary = (dt.datetime.fromisoformat(value) if date_field.endswith("_at")
                        else dt.date.fromisoformat(value))
            qs = qs.filter(Q(**{f"{date_field}__lt": boundary}) | Q(**{date_field: boundary, "pk__lt": int(pk)}))
        except ValueError:
            cursor = ""
    page = list(qs[:CASES_PER_PAGE + 1])
    more = len(page) > CASES_PER_PAGE
    page = page[:CASES_PER_PAGE]
    if model is Ticket:
        for ticket in page:
            ticket.wait_minutes = round(figures.wait_of(ticket.issued_at, ticket.called_at) / 60, 1)
    next_url = None
    if more:
        last = page[-1]
        next_cursor = f"{getattr(last, date_field).isoformat()}_{last.pk}"
        next_url = "?" + _query(filters, count=count, dim=dim, key=key, after=next_cursor)
    labels = dict(figures.DRILL_LABELS)
    name = ""
    if dim != "all" and int(key):
        name = figures.dimension_label(dim, int(key))
    elif dim != "all":
        name = str(figures.NONE_LABELS.get(dim, ""))
    return render(request, "supervision/figure_cases.html", {
        "title": _("办件明细"),
        "what": labels[count],
        "scope": f"{figures.DIMENSIONS[dim]}:{name}" if dim != "all" else _("全区"),
        "period": filters["period"],
        "channel": filters["channel"],
        "subcases": model is SubCase,
        "tickets": model is Ticket,
        "ratings": model is Rating,
        "date_field": date_field,
        "rows": [(case, getattr(case, date_field)) for case in page],
        "total": qs.count() if not cursor else None,
        "next_url": next_url,
        "first_url": "?" + _query(filters, count=count, dim=dim, key=key) if cursor else None,
        "back": reverse("portal:supervision") + "?" + _query(filters),
    })


# --- cards -------------------------------------------------------------------------------------

CARD_FILTERS = ("state", "level", "trigger", "review", "department", "number")


def _with_permissions(user, cards):
    for card in cards:
        card.can_contest = services.may_contest(user, card) and not card.review
        card.can_decide = user.is_supervisor and card.review not in (Card.Review.UPHELD, Card.Review.VOIDED)
    return cards


@role_required(*CARD_ROLES, allow_superuser=True)
def card_list(request):
    """Supervisors: every card, with filters. A department: the cards on its sub-cases; the
    windows: the cards on applications' own steps; both with a contest form on each card."""
    user = request.user
    filters = {key: request.GET.get(key, "open" if key == "state" else "").strip() for key in CARD_FILTERS}
    visible = selectors.cards_for(user)
    cards = selectors.filter_cards(visible, **filters)
    if filters["state"] in ("", "open"):
        cards = cards.order_by("level", F("due").asc(nulls_last=True), "-pk")
    else:
        cards = cards.order_by("-opened_at", "-pk")
    page = page_of(request, cards, 50)
    _with_permissions(user, page.object_list)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    if user.is_supervisor or user.is_superuser:
        scope = _("全区红黄牌")
    elif user.is_reviewer:
        scope = _("%(department)s 的红黄牌") % {"department": user.department.name}
    else:
        scope = _("综合窗口环节的红黄牌(网上预审、不予受理、补正告知)")
    return render(request, "supervision/card_list.html", {
        "title": _("红黄牌"),
        "scope": scope,
        "page": page,
        "query": query,
        "filters": filters,
        "counts": selectors.card_counts(visible),
        "levels": Card.Level.choices,
        "triggers": Card.Trigger.choices,
        "reviews": [("none", _("未申诉")), *[(v, label) for v, label in Card.Review.choices if v]],
        "states": [("open", _("未撤牌")), ("closed", _("已撤牌")), ("all", _("全部"))],
        "departments": Department.objects.order_by("code") if user.is_supervisor or user.is_superuser else None,
    })


def _card_context(request, card, *, errors=None, posted=None):
    card = _with_permissions(request.user, [card])[0]
    contest = getattr(card, "contest", None)
    return {
        "title": _("红黄牌详情"),
        "card": card,
        "contest": contest,
        "evidence_url": evidence_url(card) if contest is not None and contest.evidence else None,
        "log": card.log.select_related("actor"),
        "errors": errors or {},
        "posted": posted or {},
    }


@role_required(*CARD_ROLES, allow_superuser=True)
@not_found_pages
def card_detail(request, pk):
    card = selectors.access_card(request.user, pk)
    return render(request, "supervision/card_detail.html", _card_context(request, card))


@role_required(*CARD_ROLES, allow_superuser=True)
@require_POST
@not_found_pages
def card_contest(request, pk):
    card = selectors.access_card(request.user, pk)
    statement = request.POST.get("statement", "")
    try:
        services.card_contest(card=card, user=request.user, statement=statement,
                              evidence=request.FILES.get("evidence"))
    except DomainError as exc:
        show_domain_error(request, exc)
        card = selectors.access_card(request.user, pk)
        context = _card_context(request, card, errors=exc.fields, posted={"statement": statement})
        return render(request, "supervision/card_detail.html", context, status=exc.status)
    messages.success(request, _("申诉已提交,等待督查人员裁定。"))
    return redirect("portal:card", pk=card.pk)


@role_required(*CARD_ROLES, allow_superuser=True)
@require_POST
@not_found_pages
def card_decide(request, pk):
    card = selectors.access_card(request.user, pk)
    reason = request.POST.get("reason", "")
    decision = request.POST.get("decision", "")
    try:
        if decision not in ("uphold", "void"):
            if not request.user.is_supervisor:
                raise Forbidden(_("只有督查人员可以裁定红黄牌。"), code="not_a_supervisor")
            raise DomainError(_("请选择维持或撤销。"), code="decision_required")
        services.card_decide(card=card, supervisor=request.user, uphold=decision == "uphold", reason=reason)
    except DomainError as exc:
        show_domain_error(request, exc)
        card = selectors.access_card(request.user, pk)
        context = _card_context(request, card, errors=exc.fields, posted={"reason": reason})
        return render(request, "supervision/card_detail.html", context, status=exc.status)
    messages.success(request, _("已维持该红黄牌。") if decision == "uphold" else _("已撤销该红黄牌,不再计入统计。"))
    return redirect("portal:card", pk=card.pk)


# --- card rules ----------------------------------------------------------------------------------


def _can_edit_policies(user):
    return user.is_superuser or user.role == User.Role.ADMINISTRATOR


@role_required(*POLICY_ROLES, allow_superuser=True)
def card_policies(request):
    """The versions of the card rules; an administrator starts a new draft from the one in force."""
    today = services.beijing_today()
    if request.method == "POST":
        try:
            policy = services.policy_create_draft(user=request.user, title=request.POST.get("title", ""))
        except DomainError as exc:
            show_domain_error(request, exc)
            return _policies_page(request, today, status=exc.status)
        messages.success(request, _("已新建规则草稿,可修改阈值并预览效果。"))
        return redirect("portal:card_policy", pk=policy.pk)
    return _policies_page(request, today)


def _policies_page(request, today, status=200):
    current = services.policy_in_force(today)
    return render(request, "supervision/policies.html", {
        "title": _("红黄牌规则"),
        "policies": selectors.policies(),
        "current": current,
        "today": today,
        "can_edit": _can_edit_policies(request.user),
    }, status=status)


def _read_grid(post):
    """{(step, kind): (percent, days)} from the grid's inputs; None where not a whole number."""
    cells = {}
    for step in Step.values:
        for kind in Matter.Kind.values:
            values = []
            for prefix in ("pct", "days"):
                raw = post.get(f"{prefix}_{step}_{kind}", "").strip()
                values.append(int(raw) if is_small_int(raw) else None)
            cells[(step, kind)] = tuple(values)
    return cells


@role_required(*POLICY_ROLES, allow_superuser=True)
def card_policy(request, pk):
    """One version: its thresholds (editable while a draft, by an administrator), a preview of
    what it would flag today against the policy in force, and publishing with an effective date."""
    policy = CardPolicy.objects.filter(pk=pk).first()
    if policy is None:
        return not_found_page(request, _("未找到该规则版本。"))
    status, errors = 200, {}
    if request.method == "POST":
        try:
            message = _policy_action(request, policy)
        except DomainError as exc:
            show_domain_error(request, exc)
            status, errors = exc.status, exc.fields
        else:
            messages.success(request, message)
            return redirect("portal:card_policy", pk=policy.pk)
        policy.refresh_from_db()
    return render(request, "supervision/policy.html", {
        "title": str(policy),
        "policy": policy,
        "grid": selectors.thresholds_grid(policy, posted=request.POST if errors else None, errors=errors),
        "preview": services.preview_policy(policy=policy),
        "can_edit": _can_edit_policies(request.user) and policy.is_draft,
        "errors": errors,
        "tomorrow": services.beijing_today() + dt.timedelta(days=1),
    }, status=status)


def _policy_action(request, policy):
    action = request.POST.get("action", "")
    if not _can_edit_policies(request.user):
        raise Forbidden(_("只有系统管理员可以修改红黄牌规则。"), code="not_an_administrator")
    if action == "publish":
        try:
            effective_from = dt.date.fromisoformat(request.POST.get("effective_from", ""))
        except ValueError:
            effective_from = None
        services.policy_publish(policy=policy, user=request.user, effective_from=effective_from)
        return _("规则第%(version)s版已发布,自 %(date)s 起生效。") % {
            "version": policy.version, "date": effective_from.isoformat()}
    if action == "save":
        services.policy_update_draft(
            policy=policy, user=request.user, title=request.POST.get("title", ""),
            refusal_reason_min_chars=request.POST.get("refusal_reason_min_chars", ""),
            thresholds=_read_grid(request.POST),
        )
        return _("草稿已保存,下方预览已按新的阈值重新计算。")
    raise DomainError(_("未知的操作。"), code="unknown_action")
