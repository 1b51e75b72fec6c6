"""The window clerk's pages: today's queue (待预审 / 待补正), walk-in registration (窗口收件)
and result delivery (出件). What a clerk may do follows today's seats (windows.selectors)."""

from __future__ import annotations

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
from core.errors import DomainError
from matters import selectors as catalog
from matters.models import Target
from matters.oneform import form_fields, material_requirements
from matters.views import material_rows, oneform_rows, read_oneform
from workflow import hooks
from workflow import selectors as cases
from workflow.models import Application
from workflow.services import CARRIERS
from workflow.views import ENTERPRISE_ERROR_CODES

from . import services
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
    tab = "supplement" if request.GET.get("tab") == "supplement" else "waiting"
    waiting = cases.clerk_queue(request.user)
    supplement = cases.clerk_queue(request.user, states=(S.SUPPLEMENT_REQUESTED,))
    queue = list((supplement if tab == "supplement" else waiting)[:200])
    now = timezone.now()
    for application in queue:
        application.masked_id = mask(application.applicant.id_number or "")
        application.waited = now - application.submitted_at if application.submitted_at else None
    context.update({
        "title": _("窗口工作台"),
        "tab": tab,
        "queue": queue,
        "counts": {"waiting": waiting.count(), "supplement": supplement.count()},
        "categories": _category_labels(context["desk"]),
    })
    return render(request, "windows/hall.html", context)


@role_required(User.Role.CLERK)
def delivery(request):
    context = _desk_context(request)
    queue = list(cases.delivery_queue(request.user)[:200])
    for application in queue:
        application.masked_id = mask(application.applicant.id_number or "")
        application.delivery = cases.delivery_facts(request.user, application)
    context.update({"title": _("出件"), "queue": queue, "carriers": CARRIERS})
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
    return _walk_in_form(request, context, theme=theme, matters=matters)


def _walk_in_pick(request, context):
    desk = context["desk"]
    q = request.GET.get("q", "").strip()[:64]
    matters = [m for m in catalog.search_matters(q=q) if m.target in desk.categories and m.in_hall]
    themes = [t for t in catalog.active_themes() if t.target in desk.categories]
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
    received, credit_code, accept_now = set(), "", True
    if request.method == "POST":
        post = request.POST
        values = read_oneform(post, fields)
        applicant = {name: post.get(f"applicant_{name}", "").strip() for name in APPLICANT_FIELDS}
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
                idempotency_key=key,
            )
        except DomainError as exc:
            show_domain_error(request, exc)
            status = exc.status
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
