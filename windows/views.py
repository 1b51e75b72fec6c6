"""The window clerk's pages: today's queue (待预审 / 待补正), walk-in registration (窗口收件)
and result delivery (出件). What a clerk may do follows today's seats (windows.selectors)."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.identity import IdentityError, mask, mask_name, mask_phone, validate_credit_code, validate_id_number
from accounts.models import Hall, User
from accounts.selectors import (
    authorisations_recorded_by,
    enterprise_by_credit_code,
    enterprise_found,
    person_at_window,
    person_by_id_number,
)
from core.errors import DomainError, Invalid, NotFound
from core.numbers import is_small_int
from core.web.access import not_found_page, not_found_pages, role_required, show_domain_error
from core.web.forms import checked, posted_ids
from core.web.paging import keyset_page, keyset_page_by
from matters import models as catalog_models
from matters import selectors as catalog
from matters.models import Target
from matters.oneform import form_fields, material_requirements
from matters.oneform_pages import material_rows, oneform_rows
from matters.situation_pages import situation_page
from workflow import hooks, pending, tasks
from workflow import selectors as cases
from workflow import services as workflow_services
from workflow.calendar_store import load_calendar
from workflow.models import Application, Notice
from workflow.services import CARRIERS, DEFERRED_DAYS
from workflow.views import ENTERPRISE_ERROR_CODES

from . import clock as queue_clock
from . import queue_selectors, services
from . import rows as queue_rows
from . import selectors as consultation_selectors
from . import selectors as staffing_selectors
from .forms import (
    APPLICANT_FIELDS,
    ConsultationAnswerForm,
    ConsultationHandOverForm,
    ConsultationNewForm,
    SearchOpenForm,
    WalkInForm,
)
from .models import ClerkAuthorisation, Consultation, ConsultationEvent, RosterLog, Window
from .queue_views import calling_panel
from .selectors import (
    QUEUE_ANNOTATED,
    QUEUE_KEYS,
    desk_for_clerk,
    district_segments,
    own_district_first,
    seats_today,
)

S = Application.State
# Codes of the errors whose `fields` name the applicant's identity, not the one form's keys.
APPLICANT_ERROR_CODES = {"invalid_applicant", "name_mismatch"}


def _desk_context(request):
    today = timezone.localdate()
    seats = list(seats_today(request.user, today))
    return {
        "today": today,
        "seats": seats,
        "hall": seats[0].window.hall if seats else None,
        "desk": desk_for_clerk(request.user, today, seats=seats) if request.user.is_clerk else None,
    }


def _category_labels(desk):
    return [label for value, label in Target.choices if desk and value in desk.categories]


QUEUE_PER_PAGE = 20
DELIVERY_PER_PAGE = 50


@role_required(User.Role.CLERK)
def hall(request):
    context = _desk_context(request)
    tab = request.GET.get("tab") if request.GET.get("tab") in ("supplement", "in_hand", "elsewhere") else "waiting"
    desk = context["desk"]  # today's desk read once for the four lists (issue 15)
    waiting = cases.clerk_queue(request.user, desk=desk)
    supplement = cases.clerk_queue(request.user, states=(S.SUPPLEMENT_REQUESTED,), desk=desk, settle=False)
    in_hand = cases.cases_in_hand(request.user)  # 我经手的在办件: wherever they sit today
    elsewhere = cases.clerk_queue_elsewhere(request.user, desk=desk)  # 同城通办: outside her 授权, said so
    lists = {"waiting": waiting, "supplement": supplement, "in_hand": in_hand, "elsewhere": elsewhere}
    # keyset pages, oldest first (issue 15); counts exact up to 1,000, then "1,000+"
    rows = cases.for_list(lists[tab]).only(*queue_rows.QUEUE_COLUMNS)
    if tab == "elsewhere":  # the matters outside her 授权 named on each row: read once for the page
        rows = rows.prefetch_related("matters")
    others = {name: qs for name, qs in lists.items() if name != tab}  # counted with the page's list
    if tab == "in_hand":
        page = keyset_page(request, rows, key="submitted_at", descending=False, per_page=QUEUE_PER_PAGE,
                           has_nulls=False, also_count=others)  # every queued application was submitted
    else:  # the hall's own district first, then the rest of the city (同城通办; issue 15)
        page = keyset_page_by(request, own_district_first(rows, context["hall"]), keys=QUEUE_KEYS,
                              per_page=QUEUE_PER_PAGE, nullable={"submitted_at": False, "other_district": False},
                              annotated=QUEUE_ANNOTATED, segments=district_segments(context["hall"]),
                              also_count=others)
    not_authorised = ({a.pk: [m.name for m in cases.not_authorised_matters(desk, a)] for a in page.object_list}
                      if tab == "elsewhere" else None)
    context.update({
        "title": _("窗口工作台"),
        "tab": tab,
        "queue_labels": queue_rows.queue_labels(tab),
        "queue": queue_rows.queue_rows(page.object_list, tab=tab, today=context["today"], not_authorised=not_authorised),
        "page": page,
        "counts": {tab: page.count_label, **page.counts},
        "categories": _category_labels(context["desk"]),
        # the seats already read, unless the queue's clock (windows.clock, moved in tests) says another day
        "calling": calling_panel(request.user, seats=context["seats"] if queue_clock.today() == context["today"] else None),
        "consultations": _my_open_consultations(request.user, context["today"]),
    })
    return render(request, "windows/hall.html", context)


SEARCH_LIMIT = 50


@role_required(User.Role.CLERK)
def hall_search(request):
    """Workbench search (issue 17): any application by its number, the applicant's ID number
    (or credit code) or name, listed masked; opening one is logged (`hall_search_open`). A
    ticket number (A012) finds today's ticket of that number in the clerk's hall."""
    query = request.GET.get("q", "").strip()[:64]
    context = {"title": _("工作台检索"), "query": query, "kind": "", "results": [], "tickets": [], "more": False}
    if query and queue_selectors.looks_like_ticket(query):
        context.update(kind="ticket", tickets=queue_selectors.tickets_numbered(request.user, query,
                                                                                timezone.localdate()))
    elif query:
        kind, found = cases.search_applications(request.user, query)
        rows = list(found.prefetch_related("matters")[:SEARCH_LIMIT + 1])
        for a in rows:
            a.masked_name = mask_name(a.applicant.real_name or "")
            a.masked_id = mask(a.applicant.id_number or "")
        context.update(kind=kind, results=rows[:SEARCH_LIMIT], more=len(rows) > SEARCH_LIMIT)
        if not kind:
            context["too_short"] = True
    return render(request, "windows/hall_search.html", context)


@require_POST
@role_required(User.Role.CLERK)
@not_found_pages
def hall_search_open(request, number):
    """Open an application found by the search: the reading is logged on the case first."""
    from workflow import services as case_services

    kind = checked(SearchOpenForm(request.POST))["kind"]  # never refused: an unknown kind is ""
    application = cases.access_application(request.user, number, found_by=kind or "number")
    if not getattr(application, "read_logged", False):  # a case outside her lists is logged by the read
        case_services.application_looked_up(application=application, clerk=request.user, kind=kind)
    return redirect("portal:application", number=application.number)


def _my_open_consultations(user, today):
    """{"open": n, "overdue": m} of the consultations this staff member owns (首问责任)."""
    return Consultation.objects.filter(owner=user, state=Consultation.State.OPEN).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))


@role_required(User.Role.CLERK)
def delivery(request):
    context = _desk_context(request)
    # keyset pages, oldest result first (issue 15; workflow's application_result_ready_idx)
    page = keyset_page(request, cases.delivery_queue(request.user, desk=context["desk"]), key="concluded_at",
                       descending=False, per_page=DELIVERY_PER_PAGE, has_nulls=False)  # a result was concluded
    queue = page.object_list
    for application in queue:
        application.masked_id = mask(application.applicant.id_number or "")
        application.delivery = cases.delivery_facts(request.user, application, desk=context["desk"])
    context.update({"title": _("出件"), "queue": queue, "page": page, "carriers": CARRIERS})
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


MARKS = ("window", "upload", "deferred", "none")


def _situation(request, theme, matters):
    """docs/plan.md: the theme's situation questions asked on this screen (answers in the query,
    so the POST reads them from ?q…= too); None for a single matter."""
    if theme is None:
        return None
    situation = situation_page(request.GET, theme, matters, required=request.method == "POST")
    if situation.resolution is not None and not situation.resolution.matters:
        situation.resolution = None
        situation.error = Invalid(_("按所选情形,本主题没有需要办理的事项,无需收件。"), code="situation_empty")
    return situation


def _read_marks(post, requirements):
    """Each material's mark on the screen: 原件已核 / 上传 / 容缺 / 未收 (`mark_<id>`); the old
    `received` checkboxes count as 原件已核."""
    marks = {r.pk: post.get(f"mark_{r.pk}", "") for r in requirements}
    for value in post.getlist("received"):
        if is_small_int(value) and int(value) in marks:
            marks[int(value)] = "window"
    return {pk: (mark if mark in MARKS else "none") for pk, mark in marks.items()}


def _agency_between(clerk, applicant, agent):
    """Every authorisation (any status) by which `agent` acts for `applicant`, by ID numbers."""
    from accounts.selectors import authorisations_for
    from workflow.views import agency_shown

    today = timezone.localdate()
    rows = (authorisations_for(clerk, principal_id_number=applicant.get("id_number", ""),
                               agent_id_number=agent.get("id_number", ""))
            .select_related("principal", "enterprise", "agent", "recorded_by").prefetch_related("matters")[:20])
    return [agency_shown(a, today) for a in rows]


def _exemptions(clerk, applicant: dict, credit_code: str, matters, requirements):
    """免提交 for a registered applicant named on the screen (by ID number): the data sources
    queried before anything is written (exchange.exemptions); None for an unknown person."""
    number = (applicant.get("id_number") or "").strip().upper()
    person = User.objects.filter(id_number=number).first() if number else None
    if person is None:
        return None
    try:
        enterprise = enterprise_by_credit_code(credit_code) if credit_code else None
    except Invalid:
        enterprise = None  # the service reports it with the rest of the screen
    return workflow_services.exemption_preview(applicant=person, asked_by=clerk, enterprise=enterprise,
                                               matters=matters, requirements=requirements)


def _walk_in_form(request, context, *, theme, matters, home_visit=None):
    """The walk-in screen; `home_visit`: the same screen at the applicant's home (上门办理,
    windows.home_visit_views), the person taken from the booking."""
    situation = _situation(request, theme, matters)
    if situation is not None and situation.error is not None:
        show_domain_error(request, situation.error)
    answering = situation is not None and situation.asks and situation.resolution is None
    if situation is not None and situation.resolution is not None:
        matters, requirements = situation.resolution.matters, situation.resolution.requirements
        required_ids = situation.resolution.required_by_answer
    else:
        requirements, required_ids = material_requirements(matters), frozenset()
    fields = form_fields(matters)
    shown_fields = [f for f in fields if f.key not in services.APPLICANT_KEYS]
    legal = matters[0].target == Target.LEGAL
    errors, status = {}, 200
    applicant = {name: "" for name in APPLICANT_FIELDS}
    if home_visit is not None:
        applicant = {"real_name": home_visit.person_name, "id_number": home_visit.person_id_number,
                     "phone": home_visit.phone}
    agent = {"real_name": "", "id_number": ""}
    agency_checked, agency_rows = False, []
    marks, credit_code = {}, ""
    today = timezone.localdate()
    deferred_until = load_calendar().add_workdays(today, DEFERRED_DAYS)
    posted = {"decision": "", "note": "", "reason": ""}
    exempt = None
    if answering:
        status = situation.error.status if situation.error is not None else 200
    if request.method == "POST" and not answering:
        post = request.POST
        form = WalkInForm(post, oneform_fields=shown_fields)
        if not form.is_valid():
            errors.update({name: list(problems) for name, problems in form.errors.items()})
        values, applicant, agent = form.oneform_values, form.applicant, form.agent
        marks = _read_marks(post, requirements)
        credit_code, posted = form.value("enterprise"), form.posted
        decision, key = form.value("decision") or services.Decision.ACCEPT, form.value("idempotency_key")
        deferred_until = form.value("deferred_until") or deferred_until
        exempt = _exemptions(request.user, applicant, credit_code if legal else "", matters, requirements)
        offered = {f"material_{r.pk}" for r in requirements if marks.get(r.pk) in ("upload", "none", "")}
        posted_files = {name: f for name, f in request.FILES.items() if name in offered}
        files, kept = pending.chosen(owner=request.user, post=post, files=posted_files, fields=offered)
        resolution = situation.resolution if situation is not None else None
        if form.value("check_agency"):
            # 查验委托: show the clerk the authorisations between these two people, register nothing.
            agency_checked, agency_rows = True, _agency_between(request.user, applicant, agent)
            kept = pending.keep(owner=request.user, files=posted_files, kept=kept)
        else:
            try:
                if errors:
                    raise Invalid(_("补交期限有误。"), code="invalid_deferred_until", fields=errors)
                enterprise = enterprise_by_credit_code(credit_code) if legal else None
                walk_in = services.WalkIn(
                    applicant=applicant, matters=matters, theme=theme, enterprise=enterprise, form_data=values,
                    files=files, received=tuple(sorted(pk for pk, m in marks.items() if m == "window")),
                    deferred=tuple(sorted(pk for pk, m in marks.items() if m == "deferred")),
                    deferred_until=deferred_until, idempotency_key=key, requirements=requirements,
                    required_ids=required_ids, situation=resolution.record() if resolution else None,
                    agent=agent if any(agent.values()) else None,
                    home_visit=home_visit.pk if home_visit is not None else None,
                )
                if decision == services.Decision.SUPPLEMENT:
                    application = services.walk_in_supplement(clerk=request.user, walk_in=walk_in,
                                                              note=posted["note"])
                elif decision == services.Decision.REFUSE:
                    application = services.walk_in_refuse(clerk=request.user, walk_in=walk_in,
                                                          reason=posted["reason"])
                else:
                    application = services.walk_in_accept(clerk=request.user, walk_in=walk_in)
            except DomainError as exc:
                show_domain_error(request, exc)
                status = exc.status
                kept = pending.keep(owner=request.user, files=posted_files, kept=kept)
                if exc.code == "agent_not_authorised":
                    agency_checked, agency_rows = True, _agency_between(request.user, applicant, agent)
                if exc.code in APPLICANT_ERROR_CODES:
                    errors = {f"applicant_{k}": v for k, v in exc.fields.items()}
                else:
                    errors = dict(exc.fields)
                    if exc.code in ENTERPRISE_ERROR_CODES:
                        errors.setdefault("enterprise", [exc.message])
            else:
                pending.discard(kept=kept)
                return redirect("portal:walk_in_done", number=application.number)
    else:
        values = {}
        key = uuid.uuid4().hex
        kept = {}
    materials = material_rows(requirements, errors, kept=kept, exempt=exempt.materials if exempt else None)
    for row in materials["bring"]:
        r = row["requirement"]
        row["mark"] = marks.get(r.pk, "")
        row["must"] = r.required or r.pk in required_ids
    query = [("theme", theme.code)] if theme else [("matter", matters[0].code)]
    if situation is not None and situation.resolution is not None:
        query += [(name, value) for name, value in situation.hidden]
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
        "errors": errors,
        "rows": oneform_rows(shown_fields, values, errors),
        "materials": materials,
        "deferrable": any(row["requirement"].deferrable for row in materials["bring"]),
        "deferred_until": deferred_until,
        "idempotency_key": key,
        "situation": situation,
        "answering": answering,
        "keep": [("theme", theme.code)] if theme else [],
        "action": "?" + urlencode(query),
        "excluded": situation.resolution.excluded_matters if situation is not None and situation.resolution else [],
        "posted": posted,
        "back": reverse("portal:walk_in"),
        "lookup_url": reverse("portal:walk_in_lookup"),
    })
    if home_visit is not None:
        context.update({"title": _("上门收件:%(name)s") % {"name": matters[0].name}, "home_visit": home_visit,
                        "back": reverse("portal:home_visit_detail", args=[home_visit.code])})
    return render(request, "windows/walk_in_form.html", context, status=status)


@role_required(User.Role.CLERK)
def walk_in_lookup(request):
    """The applicant by ID number, or the enterprise by credit code, for the walk-in screen: a
    person found is shown masked (the clerk holds the ID card); an unknown number means the
    screen asks for the name to register them."""
    if "credit_code" in request.GET:
        try:
            code = validate_credit_code(request.GET["credit_code"])
        except IdentityError as exc:
            return JsonResponse({"valid": False, "message": str(exc)})
        enterprise = enterprise_found(code)
        if enterprise is None:
            return JsonResponse({"valid": True, "found": False, "message": _("未找到该企业,请核对统一社会信用代码。")})
        return JsonResponse({"valid": True, "found": True, "name": enterprise.name,
                             "message": _("企业:%(name)s(法定代表人 %(rep)s)") % {
                                 "name": enterprise.name, "rep": mask_name(enterprise.legal_representative)}})
    try:
        number = validate_id_number(request.GET.get("id_number", ""))
    except IdentityError as exc:
        return JsonResponse({"valid": False, "message": str(exc)})
    person = person_by_id_number(number)
    if person is None:
        return JsonResponse({"valid": True, "found": False,
                             "message": _("新申请人:请填写与身份证一致的姓名,系统将为其登记实名档案。")})
    return JsonResponse({"valid": True, "found": True, "name": mask_name(person.real_name),
                         "phone": mask_phone(person.phone) if person.phone else "",
                         "message": _("已登记申请人:%(name)s,手机 %(phone)s。请核对身份证原件,姓名可不再填写。") % {
                             "name": mask_name(person.real_name), "phone": mask_phone(person.phone) or _("未登记")}})


def _walk_in_application(request, number):
    """The walk-in's application for the clerk who is at a window of its category today."""
    desk = hooks.desk_for(request.user, timezone.localdate())
    application = cases.access_application(request.user, number)
    if desk is None or application.category not in desk.categories:
        raise NotFound(_("未找到该办件。"), code="application_not_found")
    return application


NOTICE_OF_STATE = {
    S.ACCEPTED: Notice.Kind.ACCEPTANCE, S.IN_REVIEW: Notice.Kind.ACCEPTANCE,
    S.SUPPLEMENT_REQUESTED: Notice.Kind.SUPPLEMENT, S.NOT_ACCEPTED: Notice.Kind.REFUSAL,
}


@role_required(User.Role.CLERK)
@not_found_pages
def walk_in_done(request, number):
    application = _walk_in_application(request, number)
    kind = NOTICE_OF_STATE.get(application.state)
    missing = []
    if application.state == S.SUPPLEMENT_REQUESTED:
        latest = application.supplement_requests.order_by("-pk").first()
        missing = latest.items if latest else []
    context = _desk_context(request)
    context.update({
        "title": _("收件结果:%(number)s") % {"number": application.number},
        "application": application,
        "applicant_name": mask_name(application.applicant.real_name),
        "applicant_id": mask(application.applicant.id_number or ""),
        "notice_kind": Notice.Kind(kind).label if kind else "",
        "notice_url": reverse("portal:walk_in_notice", args=[application.number]) if kind else "",
        "missing": missing,
        "deferred": [m for m in application.materials.all() if m.is_outstanding],
        "subcases": application.subcases.select_related("matter", "department").order_by("number"),
    })
    return render(request, "windows/walk_in_done.html", context)


@role_required(User.Role.CLERK)
@not_found_pages
def walk_in_notice(request, number):
    """Print the notice the decision calls for. The worker makes it after commit; a clerk who
    prints before it did gets it made now, under the same key (documents.issue_notice is once
    per key, so the worker then finds it and skips)."""
    application = _walk_in_application(request, number)
    kind = NOTICE_OF_STATE.get(application.state)
    if kind is None:
        return not_found_page(request, _("该办件当前没有可打印的通知书。"))
    suffix = ""
    if kind == Notice.Kind.SUPPLEMENT:
        latest = application.supplement_requests.order_by("-pk").first()
        suffix = str(latest.pk) if latest else ""
    notice = application.notices.filter(kind=kind).order_by("-pk").first()
    if notice is None or (suffix and not notice.key.endswith(f":{suffix}")):
        tasks.generate_notice(application.pk, kind, None, suffix)
        notice = application.notices.filter(kind=kind).order_by("-pk").first()
    if notice is None:
        return not_found_page(request, _("通知书暂未生成,请稍后重试。"))
    return FileResponse(notice.file.open("rb"), content_type="application/pdf",
                        filename=f"{application.number}-{notice.get_kind_display()}.pdf")


# --- 首问责任 consultations ----------------------------------------------------------------------

CONSULTATION_WRITERS = (User.Role.CLERK, User.Role.REVIEWER, User.Role.ADMINISTRATOR)


@login_required
def consultation_list(request):
    """我的咨询: staff see what they own (tab "all": also what they recorded or handed over), a
    supervisor every consultation, a citizen their own; open first, overdue in red."""
    user = request.user
    today = timezone.localdate()
    queryset = consultation_selectors.consultations_for(user)
    staff_writer = user.role in CONSULTATION_WRITERS
    tab = request.GET.get("tab", "")
    if staff_writer and tab != "all":
        tab = "mine"
        queryset = queryset.filter(owner=user)
    elif not staff_writer:
        tab = ""
    if user.is_supervisor and request.GET.get("overdue") == "1":
        queryset = queryset.filter(state=Consultation.State.OPEN, due_on__lt=today)
    open_, done = consultation_selectors.consultation_worklist(queryset, today=today)
    return render(request, "windows/consultation_list.html", {
        "title": _("我的咨询") if not user.is_supervisor else _("咨询督查"),
        "open": open_, "done": done, "tab": tab, "can_record": staff_writer, "today": today,
        "overdue_count": sum(1 for c in open_ if c.overdue), "is_public": user.is_public,
        "overdue_filter": request.GET.get("overdue") == "1",
    })


def _consultation_form_context(request, *, values=None, errors=None):
    return {
        "title": _("登记咨询"),
        "values": values or {"channel": Consultation.Channel.WINDOW},
        "errors": errors or {},
        "channels": Consultation.Channel.choices,
        "halls": Hall.objects.order_by("code"),
        "matters": catalog.search_matters(q="")[:300],
        "answer_days": {label: services.CONSULTATION_ANSWER_DAYS[value] for value, label in Consultation.Channel.choices},
    }


@role_required(*CONSULTATION_WRITERS)
def consultation_new(request):
    if request.method != "POST":
        return render(request, "windows/consultation_form.html", _consultation_form_context(request))
    form = ConsultationNewForm(request.POST)
    values = {name: str(form.data.get(name, "")).strip() for name in form.fields}
    try:
        data = checked(form)
        hall = Hall.objects.filter(pk=data["hall"]).first() if data["hall"] else None
        matter = catalog.matter_by_code(data["matter"]) if data["matter"] else None
        consultation = services.consultation_open(
            staff=request.user, channel=data["channel"], topic=data["topic"], question=data["question"],
            asker_name=data["asker_name"], asker_phone=data["asker_phone"],
            asker_id_number=data["asker_id_number"], hall=hall, matter=matter,
        )
    except DomainError as exc:
        show_domain_error(request, exc)
        context = _consultation_form_context(request, values=values, errors=exc.fields)
        return render(request, "windows/consultation_form.html", context, status=exc.status)
    messages.success(request, _("已登记咨询 %(number)s,您是首问责任人,请于 %(due)s 前答复或移交。") % {
        "number": consultation.number, "due": consultation.due_on.isoformat()})
    return redirect("portal:consultation", number=consultation.number)


CONSULTATION_ACTIONS = dict(ConsultationEvent.Action.choices)


def _consultation_context(request, consultation, *, errors=None, posted=None):
    user = request.user
    today = timezone.localdate()
    is_owner = consultation.is_open and consultation.owner_id == user.pk and user.role in CONSULTATION_WRITERS
    events = consultation.events.select_related("actor", "from_owner", "to_owner")
    return {
        "title": _("咨询 %(number)s") % {"number": consultation.number},
        "c": consultation,
        "overdue": consultation.is_overdue(today),
        "asker_id": mask(consultation.asker_id_number),
        # the owner calls back; everyone else sees the number masked
        "asker_phone": consultation.asker_phone if is_owner else mask_phone(consultation.asker_phone),
        "events": [{"e": e, "label": CONSULTATION_ACTIONS.get(e.action, e.action)} for e in events],
        "is_owner": is_owner,
        "candidates": consultation_selectors.handover_candidates(user) if is_owner else [],
        "errors": errors or {},
        "posted": posted or {},
        "is_public": user.is_public,
    }


@login_required
@not_found_pages
def consultation_detail(request, number):
    consultation = consultation_selectors.access_consultation(request.user, number)
    return render(request, "windows/consultation_detail.html", _consultation_context(request, consultation))


def _consultation_refused(request, number, exc, posted):
    show_domain_error(request, exc)
    consultation = consultation_selectors.access_consultation(request.user, number)
    context = _consultation_context(request, consultation, errors=exc.fields, posted=posted)
    return render(request, "windows/consultation_detail.html", context, status=exc.status)


@login_required
@require_POST
@not_found_pages
def consultation_answer(request, number):
    consultation = consultation_selectors.access_consultation(request.user, number)
    form = ConsultationAnswerForm(request.POST)
    try:
        answer = checked(form)["answer"]
        services.consultation_answer(consultation=consultation, staff=request.user, answer=answer)
    except DomainError as exc:
        return _consultation_refused(request, number, exc, {"answer": form.data.get("answer", "")})
    messages.success(request, _("已记录答复,咨询 %(number)s 已办结。") % {"number": number})
    return redirect("portal:consultation", number=number)


@login_required
@require_POST
@not_found_pages
def consultation_handover(request, number):
    consultation = consultation_selectors.access_consultation(request.user, number)
    form = ConsultationHandOverForm(request.POST)
    try:
        data = checked(form)
        to = User.objects.filter(pk=data["to"]).first() if data["to"] else None
        consultation = services.consultation_hand_over(consultation=consultation, staff=request.user, to=to,
                                                       reason=data["reason"])
    except DomainError as exc:
        posted = {"to": form.data.get("to", ""), "reason": form.data.get("reason", "")}
        return _consultation_refused(request, number, exc, posted)
    messages.success(request, _("已移交给 %(name)s,由其负责答复。您仍可查看此咨询。") % {
        "name": consultation.owner.real_name or consultation.owner.username})
    return redirect("portal:consultation", number=number)


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
    from .forms import StaffingForm

    data = checked(StaffingForm(request.POST))
    action = data["action"]
    clerk = User.objects.filter(pk=data["clerk"] or 0, role=User.Role.CLERK).first()
    if action == "end":
        grant = ClerkAuthorisation.objects.filter(pk=data["authorisation"] or 0).first()
        if grant is None:
            raise Invalid(_("未找到该授权。"), code="authorisation_not_found")
        if data["ends_on"] is None:
            raise Invalid(_("请填写截止日期。"), code="invalid_date", fields={"ends_on": [_("请填写日期。")]})
        services.clerk_authorisation_end(authorisation=grant, by=request.user, ends_on=data["ends_on"])
        return _("已调整 %(name)s 的授权截止日期。") % {"name": grant.clerk.real_name}
    if clerk is None:
        raise Invalid(_("请选择窗口人员。"), code="clerk_required", fields={"clerk": [_("请选择窗口人员。")]})
    if action == "move":
        window = Window.objects.filter(pk=data["window"] or 0).select_related("hall").first()
        if window is None:
            raise Invalid(_("请选择窗口。"), code="window_required", fields={"window": [_("请选择窗口。")]})
        seat = services.seat_move(clerk=clerk, window=window, starts_on=data["starts_on"], by=request.user)
        return _("%(name)s 自 %(day)s 起在 %(window)s 工作;其经手的在办件仍由其办结。") % {
            "name": clerk.real_name, "day": seat.starts_on, "window": window}
    matters = list(catalog_models.Matter.objects.filter(pk__in=data["matters"]))
    services.clerk_authorise(
        clerk=clerk, by=request.user, starts_on=data["starts_on"], ends_on=data["ends_on"], matters=matters,
        all_matters=data["all_matters"], category=data["category"],
    )
    return _("已为 %(name)s 登记授权。") % {"name": clerk.real_name}


# --- 委托代办 recorded at the window ------------------------------------------------------------


@role_required(User.Role.CLERK)
def agent_record(request):
    """The principal comes with the signed 授权委托书: the clerk checks both identities and the
    letter and records the authorisation (the same service as online)."""
    from accounts.services import authorisation_grant
    from workflow.views import agency_shown

    from .forms import AgentRecordForm

    context = _desk_context(request)
    today = timezone.localdate()
    form = AgentRecordForm(request.POST if request.method == "POST" else None)
    errors, status = {}, 200
    if request.method == "POST":
        try:
            data = checked(form)
            principal = _person_at_window(data["principal_real_name"], data["principal_id_number"])
            enterprise = enterprise_by_credit_code(data["enterprise"]) if data["enterprise"] else None
            matters = list(catalog_models.Matter.objects.filter(pk__in=data["matters"]))
            grant = authorisation_grant(
                by=request.user, principal=principal, enterprise=enterprise,
                agent_name=data["agent_name"], agent_id_number=data["agent_id_number"], matters=matters,
                starts_on=data["starts_on"], ends_on=data["ends_on"], letter_checked=data["letter_checked"],
                note=data["note"],
            )
        except DomainError as exc:
            show_domain_error(request, exc)
            errors, status = exc.fields, exc.status
        else:
            messages.success(request, _("已登记:%(principal)s 委托 %(agent)s 代为办理 %(n)s 个事项。") % {
                "principal": grant.principal_name, "agent": grant.agent.real_name, "n": len(matters)})
            return redirect("portal:agent_record")
    recent = authorisations_recorded_by(request.user)[:10]
    context.update({
        "title": _("登记委托代办"),
        "errors": errors,
        "posted": form.data if form.is_bound else {},
        "checked": {str(pk) for pk in posted_ids(form, "matters") if pk} if form.is_bound else set(),
        "matters": catalog_models.Matter.objects.filter(is_active=True).order_by("target", "code"),
        "recent": [agency_shown(a, today) for a in recent],
        "default_end": today.replace(year=today.year + 1, day=min(today.day, 28)),
    })
    return render(request, "windows/agent_record.html", context, status=status)


def _person_at_window(real_name, id_number):
    message = _("未找到该委托人,或姓名与身份证号码不一致。委托人须先实名注册或在窗口办过业务。")
    return person_at_window(real_name=real_name, id_number=id_number, field="principal_id_number",
                            code="principal_not_found", message=message)
