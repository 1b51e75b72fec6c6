"""The window clerk's pages: today's queue (待预审 / 待补正), walk-in registration (窗口收件)
and result delivery (出件). What a clerk may do follows today's seats (windows.selectors)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import mask
from accounts.models import User
from accounts.selectors import enterprise_by_credit_code
from accounts.views import not_found_page, role_required, show_domain_error
from core.errors import DomainError, Invalid
from matters import models as catalog_models
from matters import selectors as catalog
from matters.models import Target
from matters.oneform import form_fields, material_requirements
from matters.views import material_rows, oneform_rows, read_oneform
from workflow import hooks
from workflow import selectors as cases
from workflow.models import Application
from workflow.views import ENTERPRISE_ERROR_CODES

from . import selectors as staffing_selectors
from . import services
from .models import ClerkAuthorisation, RosterLog, Window
from .queue_views import calling_panel
from .selectors import seats_today

S = Application.State
APPLICANT_FIELDS = ("real_name", "id_number", "phone")
# Codes of the errors whose `fields` name the applicant's identity, not the one form's keys.
APPLICANT_ERROR_CODES = {"invalid_applicant", "name_mismatch"}


def _desk_context(request):
    today = timezone.localdate()
    seats = list(seats_today(request.user, today))
    return {
        "today": today,
        "seats": seats,
        "hall": seats[0].window.hall if seats else None,
        "desk": hooks.desk_for(request.user, today),
    }


def _category_labels(desk):
    return [label for value, label in Target.choices if desk and value in desk.categories]


@role_required(User.Role.CLERK)
def hall(request):
    context = _desk_context(request)
    tab = request.GET.get("tab") if request.GET.get("tab") in ("supplement", "in_hand") else "waiting"
    waiting = cases.clerk_queue(request.user)
    supplement = cases.clerk_queue(request.user, states=(S.SUPPLEMENT_REQUESTED,))
    in_hand = cases.cases_in_hand(request.user)  # 我经手的在办件: wherever they sit today
    queue = list({"supplement": supplement, "in_hand": in_hand}.get(tab, waiting)[:200])
    now = timezone.now()
    for application in queue:
        application.masked_id = mask(application.applicant.id_number or "")
        application.waited = now - application.submitted_at if application.submitted_at else None
    context.update({
        "title": _("窗口工作台"),
        "tab": tab,
        "queue": queue,
        "counts": {"waiting": waiting.count(), "supplement": supplement.count(), "in_hand": in_hand.count()},
        "categories": _category_labels(context["desk"]),
        "calling": calling_panel(request.user),
    })
    return render(request, "windows/hall.html", context)


@role_required(User.Role.CLERK)
def delivery(request):
    context = _desk_context(request)
    queue = list(cases.delivery_queue(request.user)[:200])
    for application in queue:
        application.masked_id = mask(application.applicant.id_number or "")
    context.update({"title": _("出件"), "queue": queue})
    return render(request, "windows/delivery.html", context)


def _walk_in_subject(request):
    """(theme, matters) chosen in step 1, from ?theme= or ?matter=; (None, []) when none."""
    source = request.GET  # the form posts to ?theme=… / ?matter=…, so both steps read the query
    if source.get("theme"):
        theme = catalog.theme_by_code(source["theme"])
        return (theme, catalog.theme_matters(theme)) if theme else (None, None)
    if source.get("matter"):
        matter = catalog.matter_by_code(source["matter"])
        return (None, [matter]) if matter else (None, None)
    return None, []


@role_required(User.Role.CLERK)
def walk_in(request):
    context = _desk_context(request)
    desk = context["desk"]
    context["title"] = _("窗口收件")
    if desk is None:
        return render(request, "windows/walk_in_pick.html", context)
    theme, matters = _walk_in_subject(request)
    if matters is None:
        return not_found_page(request, _("未找到该主题或事项,或已停用。"))
    if not matters:
        return _walk_in_pick(request, context)
    category = matters[0].target
    if category not in desk.categories:
        messages.error(request, _("您所在的窗口不受理该类别的事项,请引导申请人到相应窗口。"))
        return redirect("portal:walk_in")
    if not desk.authorised_for(m.pk for m in matters):
        names = "、".join(m.name for m in matters if m.pk not in desk.matter_ids)
        messages.error(request, _("您未获授权受理以下事项:%(names)s。请引导申请人到获授权的窗口。") % {"names": names})
        return redirect("portal:walk_in")
    return _walk_in_form(request, context, theme=theme, matters=matters)


def _walk_in_key(post):
    try:
        return uuid.UUID(post.get("idempotency_key", "")).hex
    except ValueError:
        return uuid.uuid4().hex


def _agency_between(applicant, agent):
    """Every authorisation (any status) by which `agent` acts for `applicant`, by ID numbers."""
    from accounts.models import AgentAuthorisation
    from workflow.views import agency_shown

    ids = [applicant.get("id_number", "").strip().upper(), agent.get("id_number", "").strip().upper()]
    if not all(ids):
        return []
    today = timezone.localdate()
    rows = (AgentAuthorisation.objects.filter(principal__id_number=ids[0], agent__id_number=ids[1])
            .select_related("principal", "enterprise", "agent", "recorded_by").prefetch_related("matters")[:20])
    return [agency_shown(a, today) for a in rows]


def _walk_in_pick(request, context):
    desk = context["desk"]
    q = request.GET.get("q", "").strip()[:64]
    matters = [m for m in catalog.search_matters(q=q) if m.target in desk.categories and m.in_hall
               and desk.authorised_for([m.pk])]
    themes = [t for t in catalog.active_themes() if t.target in desk.categories
              and (desk.matter_ids is None or desk.authorised_for(m.pk for m in catalog.theme_matters(t)))]
    if q:
        themes = [t for t in themes if q in t.name]
    context.update({"q": q, "themes": themes, "matters": matters[:100], "more": len(matters) > 100,
                    "categories": _category_labels(desk)})
    return render(request, "windows/walk_in_pick.html", context)


def _walk_in_form(request, context, *, theme, matters):
    fields = form_fields(matters)
    requirements = material_requirements(matters)
    legal = matters[0].target == Target.LEGAL
    errors, status = {}, 200
    applicant = {name: "" for name in APPLICANT_FIELDS}
    agent = {"real_name": "", "id_number": ""}
    received, credit_code, accept_now = set(), "", True
    agency_checked, agency_rows = False, []
    if request.method == "POST" and request.POST.get("check_agency"):
        # 查验委托: show the clerk the authorisations between these two people, register nothing.
        post = request.POST
        values = read_oneform(post, fields)
        applicant = {name: post.get(f"applicant_{name}", "").strip() for name in APPLICANT_FIELDS}
        agent = {"real_name": post.get("agent_real_name", "").strip(), "id_number": post.get("agent_id_number", "").strip()}
        received = {int(v) for v in post.getlist("received") if v.isdigit()}
        credit_code = post.get("enterprise", "").strip().upper()
        accept_now = post.get("accept_now") == "1"
        key = _walk_in_key(post)
        agency_checked, agency_rows = True, _agency_between(applicant, agent)
    elif request.method == "POST":
        post = request.POST
        values = read_oneform(post, fields)
        applicant = {name: post.get(f"applicant_{name}", "").strip() for name in APPLICANT_FIELDS}
        agent = {"real_name": post.get("agent_real_name", "").strip(), "id_number": post.get("agent_id_number", "").strip()}
        received = {int(v) for v in post.getlist("received") if v.isdigit()}
        credit_code = post.get("enterprise", "").strip().upper()
        accept_now = post.get("accept_now") == "1"
        try:
            key = uuid.UUID(post.get("idempotency_key", "")).hex
        except ValueError:
            key = uuid.uuid4().hex
        try:
            enterprise = enterprise_by_credit_code(credit_code) if legal else None
            application = services.walk_in_register(
                clerk=request.user, applicant=applicant, matters=matters, theme=theme, enterprise=enterprise,
                form_data=values, files=request.FILES, received=sorted(received), accept_now=accept_now,
                idempotency_key=key, agent=agent if any(agent.values()) else None,
            )
        except DomainError as exc:
            show_domain_error(request, exc)
            status = exc.status
            if exc.code == "agent_not_authorised":
                agency_checked, agency_rows = True, _agency_between(applicant, agent)
            if exc.code in APPLICANT_ERROR_CODES:
                errors = {f"applicant_{k}": v for k, v in exc.fields.items()}
            else:
                errors = dict(exc.fields)
                if exc.code in ENTERPRISE_ERROR_CODES:
                    errors.setdefault("enterprise", [exc.message])
        else:
            if application.state == S.SUBMITTED:
                messages.warning(request, _("已登记收件,办件编号 %(number)s。材料尚不齐全,请出具一次性补正告知或补齐后受理。")
                                 % {"number": application.number})
            else:
                messages.success(request, _("已当场受理,办件编号 %(number)s。") % {"number": application.number})
            return redirect("portal:application", number=application.number)
    else:
        values = {}
        key = uuid.uuid4().hex
    materials = material_rows(requirements, errors, checked=received)
    context.update({
        "title": _("窗口收件:%(name)s") % {"name": theme.name if theme else matters[0].name},
        "subject": theme.name if theme else matters[0].name,
        "theme": theme,
        "matters": matters,
        "legal": legal,
        "establishing": any(m.establishes_entity for m in matters),
        "applicant": applicant,
        "agent": agent,
        "agency_checked": agency_checked,
        "agency_rows": agency_rows,
        "credit_code": credit_code,
        "accept_now": accept_now,
        "errors": errors,
        "rows": oneform_rows(fields, values, errors),
        "materials": materials,
        "idempotency_key": key,
        "subject_param": f"theme={theme.code}" if theme else f"matter={matters[0].code}",
        "back": reverse("portal:walk_in"),
    })
    return render(request, "windows/walk_in_form.html", context, status=status)


# --- 统一调配: the roster and clerks' authorisations (系统管理员) ---------------------------------


def _parse_day(value, default=None):
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


@role_required(User.Role.ADMINISTRATOR, allow_superuser=True)
def staffing(request):
    """Who sits at which window of which hall on a day, moving a clerk to another window or hall
    from a date, and granting or ending their matter authorisations (授权)."""
    today = timezone.localdate()
    day = _parse_day(request.GET.get("day"), today)
    status, errors = 200, {}
    if request.method == "POST":
        try:
            message = _staffing_action(request)
        except DomainError as exc:
            show_domain_error(request, exc)
            status, errors = exc.status, exc.fields
        else:
            messages.success(request, message)
            return redirect(f"{reverse('portal:staffing')}?day={day.isoformat()}")
    seats = list(staffing_selectors.roster(day))
    for seat in seats:
        seat.in_hand = cases.cases_in_hand(seat.clerk).count()
    grants = list(staffing_selectors.authorisations_on(day))
    return render(request, "windows/staffing.html", {
        "title": _("统一调配"),
        "day": day,
        "seats": seats,
        "grants": grants,
        "clerks": User.objects.filter(role=User.Role.CLERK, is_active=True).order_by("real_name"),
        "windows": Window.objects.filter(is_active=True).select_related("hall").order_by("hall__code", "number"),
        "matters": catalog_models.Matter.objects.filter(is_active=True).order_by("target", "code"),
        "categories": Target.choices,
        "log": RosterLog.objects.select_related("actor", "clerk")[:30],
        "errors": errors,
        "posted": request.POST if request.method == "POST" else {},
    }, status=status)


def _staffing_action(request):
    post = request.POST
    action = post.get("action")
    clerk = User.objects.filter(pk=post.get("clerk") or 0, role=User.Role.CLERK).first()
    if action == "end":
        grant = ClerkAuthorisation.objects.filter(pk=post.get("authorisation") or 0).first()
        if grant is None:
            raise Invalid(_("未找到该授权。"), code="authorisation_not_found")
        ends_on = _parse_day(post.get("ends_on"))
        if ends_on is None:
            raise Invalid(_("请填写截止日期。"), code="invalid_date", fields={"ends_on": [_("请填写日期。")]})
        services.clerk_authorisation_end(authorisation=grant, by=request.user, ends_on=ends_on)
        return _("已调整 %(name)s 的授权截止日期。") % {"name": grant.clerk.real_name}
    if clerk is None:
        raise Invalid(_("请选择窗口人员。"), code="clerk_required", fields={"clerk": [_("请选择窗口人员。")]})
    if action == "move":
        window = Window.objects.filter(pk=post.get("window") or 0).select_related("hall").first()
        if window is None:
            raise Invalid(_("请选择窗口。"), code="window_required", fields={"window": [_("请选择窗口。")]})
        seat = services.seat_move(clerk=clerk, window=window, starts_on=_parse_day(post.get("starts_on")),
                                  by=request.user)
        return _("%(name)s 自 %(day)s 起在 %(window)s 工作;其经手的在办件仍由其办结。") % {
            "name": clerk.real_name, "day": seat.starts_on, "window": window}
    if action == "authorise":
        matters = list(catalog_models.Matter.objects.filter(pk__in=[int(v) for v in post.getlist("matters") if v.isdigit()]))
        services.clerk_authorise(
            clerk=clerk, by=request.user, starts_on=_parse_day(post.get("starts_on")),
            ends_on=_parse_day(post.get("ends_on")), matters=matters, all_matters=post.get("all_matters") == "1",
            category=post.get("category", ""),
        )
        return _("已为 %(name)s 登记授权。") % {"name": clerk.real_name}
    raise Invalid(_("未知的操作。"), code="unknown_action")


# --- 委托代办 recorded at the window ------------------------------------------------------------


@role_required(User.Role.CLERK)
def agent_record(request):
    """The principal comes with the signed 授权委托书: the clerk checks both identities and the
    letter and records the authorisation (the same service as online)."""
    from accounts.models import AgentAuthorisation
    from accounts.services import authorisation_grant
    from workflow.views import agency_shown

    context = _desk_context(request)
    today = timezone.localdate()
    post = request.POST if request.method == "POST" else {}
    errors, status = {}, 200
    if request.method == "POST":
        try:
            principal = _person_at_window(post.get("principal_real_name", ""), post.get("principal_id_number", ""))
            credit_code = post.get("enterprise", "").strip().upper()
            enterprise = enterprise_by_credit_code(credit_code) if credit_code else None
            matters = list(catalog_models.Matter.objects.filter(
                pk__in=[int(v) for v in post.getlist("matters") if v.isdigit()]))
            grant = authorisation_grant(
                by=request.user, principal=principal, enterprise=enterprise,
                agent_name=post.get("agent_name", ""), agent_id_number=post.get("agent_id_number", ""),
                matters=matters, starts_on=_parse_day(post.get("starts_on")), ends_on=_parse_day(post.get("ends_on")),
                letter_checked=post.get("letter_checked") == "1", note=post.get("note", ""),
            )
        except DomainError as exc:
            show_domain_error(request, exc)
            errors, status = exc.fields, exc.status
        else:
            messages.success(request, _("已登记:%(principal)s 委托 %(agent)s 代为办理 %(n)s 个事项。") % {
                "principal": grant.principal_name, "agent": grant.agent.real_name, "n": len(matters)})
            return redirect("portal:agent_record")
    recent = AgentAuthorisation.objects.filter(recorded_by=request.user).select_related(
        "principal", "enterprise", "agent", "recorded_by").prefetch_related("matters")[:10]
    context.update({
        "title": _("登记委托代办"),
        "errors": errors,
        "posted": post,
        "checked": {v for v in post.getlist("matters")} if post else set(),
        "matters": catalog_models.Matter.objects.filter(is_active=True).order_by("target", "code"),
        "recent": [agency_shown(a, today) for a in recent],
        "default_end": today.replace(year=today.year + 1, day=min(today.day, 28)),
    })
    return render(request, "windows/agent_record.html", context, status=status)


def _person_at_window(real_name, id_number):
    from accounts.identity import IdentityError, validate_id_number

    try:
        id_number = validate_id_number(id_number)
    except IdentityError as exc:
        raise Invalid(str(exc), code="invalid_id_number", fields={"principal_id_number": [str(exc)]}) from None
    person = User.objects.filter(id_number=id_number, role=User.Role.PUBLIC).first()
    if person is None or person.real_name != real_name.strip():
        message = _("未找到该委托人,或姓名与身份证号码不一致。委托人须先实名注册或在窗口办过业务。")
        raise Invalid(message, code="principal_not_found", fields={"principal_id_number": [message]})
    return person
