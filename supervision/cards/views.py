"""Pages of the red and yellow cards with their contest and ruling, and the card rules with a
preview of what a draft would flag. Every view: validate input → one `access_*`/selector → one
service → redirect or render; a service's refusal is shown as its Chinese message on the same page.
"""

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Department, User
from core.errors import DomainError, Forbidden
from core.web.access import not_found_page, not_found_pages, role_required, show_domain_error
from core.web.forms import checked
from core.web.paging import Key, keyset_page, keyset_page_by
from supervision.scope.districts import scope_of

from . import rows, selectors, services
from .forms import ContestForm, DecideForm, PolicyDraftForm, PolicyForm
from .models import Card, CardPolicy
from .selectors import evidence_url

CARD_ROLES = (User.Role.SUPERVISOR, User.Role.REVIEWER, User.Role.CLERK)
POLICY_ROLES = (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR)
CARD_FILTERS = ("state", "level", "trigger", "review", "department", "number")
CARDS_PER_PAGE = 50
OPEN_ORDER = [Key("level"), Key("due", nulls_last=True), Key("pk", descending=True)]


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
    live = selectors.live_cards(user)  # a clerk's: her long condition read once
    opened = filters["state"] in ("", "open")
    # her open tab by those ids; her other tabs and the other roles' lists through cards_for,
    # reading the columns the rows show
    visible = live.rows() if live and opened else selectors.cards_for(user, shape=selectors.LIST)
    cards = selectors.filter_cards(visible, **filters)
    counted = selectors.card_count_lists(live.rows() if live else visible)  # with the page's list, in one query
    # keyset pages (issue 15): the open cards red first, then by due (none last), newest first, a
    # composite cursor (card_open_order_idx); the others newest first (card_opened_idx)
    if opened:
        # level, the first key, has two values: each read on its own in the index's order of
        # the rest (one scan from the start of its level to the cursor, 63 ms at page 2,000)
        levels = [filters["level"]] if filters["level"] in Card.Level.values else Card.Level.values
        page = keyset_page_by(request, cards, keys=OPEN_ORDER, per_page=CARDS_PER_PAGE,
                              segments={level: Q(level=level) for level in levels}, also_count=counted)
    else:
        page = keyset_page(request, cards, key="opened_at", descending=True, per_page=CARDS_PER_PAGE,
                           also_count=counted)
    if live and opened:
        live.mark_answered(page.object_list)
    _with_permissions(user, page.object_list)
    query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
    district = scope_of(user)  # a district supervisor (issue 15): the district's cards and departments
    departments = Department.objects.order_by("code")
    if district is not None:
        departments = departments.filter(pk__in=sorted(district.department_ids))
        scope = _("%(district)s红黄牌") % {"district": district.name}
    elif user.is_supervisor or user.is_superuser:
        scope = _("全区红黄牌")
    elif user.is_reviewer:
        scope = _("%(department)s 的红黄牌") % {"department": user.department.name}
    else:
        scope = _("综合窗口环节的红黄牌(网上预审、不予受理、补正告知)")
    return render(request, "supervision/card_list.html", {
        "title": _("红黄牌"),
        "scope": scope,
        "page": page,
        "rows": list(zip(page.object_list, rows.list_rows(page.object_list), strict=True)),
        "labels": [_(label) for label in rows.LIST_LABELS],
        "query": query,
        "filters": filters,
        "counts": page.counts,
        "levels": Card.Level.choices,
        "triggers": Card.Trigger.choices,
        "reviews": [("none", _("未申诉")), *[(v, label) for v, label in Card.Review.choices if v]],
        "states": [("open", _("未撤牌")), ("closed", _("已撤牌")), ("all", _("全部"))],
        "departments": departments if user.is_supervisor or user.is_superuser else None,
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
    form = ContestForm(request.POST)
    try:
        services.card_contest(card=card, user=request.user, statement=checked(form)["statement"],
                              evidence=request.FILES.get("evidence"))
    except DomainError as exc:
        show_domain_error(request, exc)
        card = selectors.access_card(request.user, pk)
        context = _card_context(request, card, errors=exc.fields, posted={"statement": form.data.get("statement", "")})
        return render(request, "supervision/card_detail.html", context, status=exc.status)
    messages.success(request, _("申诉已提交,等待督查人员裁定。"))
    return redirect("portal:card", pk=card.pk)


@role_required(*CARD_ROLES, allow_superuser=True)
@require_POST
@not_found_pages
def card_decide(request, pk):
    card = selectors.access_card(request.user, pk)
    form = DecideForm(request.POST)
    decision = ""
    try:
        if not (form.is_valid() and form.cleaned_data["decision"]) and not request.user.is_supervisor:
            raise Forbidden(_("只有督查人员可以裁定红黄牌。"), code="not_a_supervisor")
        data = checked(form)
        decision = data["decision"]
        if not decision:
            raise DomainError(_("请选择维持或撤销。"), code="decision_required")
        services.card_decide(card=card, supervisor=request.user, uphold=decision == "uphold", reason=data["reason"])
    except DomainError as exc:
        show_domain_error(request, exc)
        card = selectors.access_card(request.user, pk)
        context = _card_context(request, card, errors=exc.fields, posted={"reason": form.data.get("reason", "")})
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
            policy = services.policy_create_draft(user=request.user, title=checked(PolicyDraftForm(request.POST))["title"])
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
    if not _can_edit_policies(request.user):
        raise Forbidden(_("只有系统管理员可以修改红黄牌规则。"), code="not_an_administrator")
    form = PolicyForm(request.POST)
    data = checked(form)
    if data["action"] == "publish":
        effective_from = data["effective_from"]
        services.policy_publish(policy=policy, user=request.user, effective_from=effective_from)
        return _("规则第%(version)s版已发布,自 %(date)s 起生效。") % {
            "version": policy.version, "date": effective_from.isoformat()}
    services.policy_update_draft(
        policy=policy, user=request.user, title=data["title"],
        refusal_reason_min_chars=data["refusal_reason_min_chars"], thresholds=form.thresholds,
    )
    return _("草稿已保存,下方预览已按新的阈值重新计算。")
