"""Pages of the case lifecycle: apply online, my applications, the application page with the
actions of applicant and window clerk, and the department reviewer's sub-case pages.

Every view: validate input → one `access_*`/selector → one service → redirect or render. A
`DomainError` from a service changes nothing and is shown as its Chinese message (plus its
`fields` beside the form fields) on the same page, re-rendered with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_fsm import can_proceed, has_transition_perm

from accounts.identity import mask
from accounts.models import User
from core.errors import Conflict, DomainError, Invalid
from core.numbers import small_int
from core.web.access import not_found_page, not_found_pages, role_required, show_domain_error
from core.web.forms import checked, posted_ids
from core.web.paging import keyset_page, with_urls
from matters import selectors as catalog
from matters.models import MaterialRequirement, Target
from matters.oneform import form_fields, material_requirements
from matters.oneform_pages import OneFormPost, duplicated_names, material_label, material_rows, oneform_rows
from matters.questions import recorded_requirements
from matters.situation_pages import situation_page

from . import hooks, pending, rules, selectors, services
from .calendar_store import load_calendar
from .forms import (
    AcceptForm,
    ApplyForm,
    DeliverForm,
    DeliveryForm,
    PostForm,
    ReasonForm,
    SubcaseClockForm,
    SubcaseDecisionForm,
    SupplementNoticeForm,
    WindowSupplementForm,
    fresh_key,
)
from .models import Application, Material, SubCase, SubCaseExtension, SubCasePause
from .prefill import account_values

S = Application.State

# The dotted action codes of the case log, as a person reads them.
ACTION_LABELS = {
    "workflow.application.submitted": gettext_lazy("提交申请"),
    "workflow.application.accepted": gettext_lazy("受理"),
    "workflow.application.supplement_requested": gettext_lazy("一次性告知补正"),
    "workflow.application.supplemented": gettext_lazy("补正后重新提交"),
    "workflow.application.refused": gettext_lazy("不予受理"),
    "workflow.application.withdrawn": gettext_lazy("撤回申请"),
    "workflow.application.dispatched": gettext_lazy("分派至承办部门"),
    "workflow.application.concluded": gettext_lazy("办结"),
    "workflow.application.result_ready": gettext_lazy("审批结果送达出件窗口"),
    "workflow.application.delivered": gettext_lazy("出件"),
    "workflow.application.archived": gettext_lazy("归档"),
    "workflow.application.delivery_chosen": gettext_lazy("选择结果领取方式"),
    "workflow.application.posted": gettext_lazy("邮寄送达"),
    "workflow.application.delivered_electronically": gettext_lazy("电子证照送达"),
    "workflow.subcase.licence_issued": gettext_lazy("签发电子证照"),
    "workflow.application.deemed_accepted": gettext_lazy("逾期未处理,视为受理"),
    "workflow.subcase.examining": gettext_lazy("开始审查"),
    "workflow.subcase.suspended": gettext_lazy("进入特别程序"),
    "workflow.subcase.resumed": gettext_lazy("特别程序结束,恢复审查"),
    "workflow.subcase.approved": gettext_lazy("准予许可"),
    "workflow.subcase.denied": gettext_lazy("不予许可"),
    "workflow.subcase.withdrawn": gettext_lazy("子件撤回"),
    "workflow.application.looked_up": gettext_lazy("窗口人员检索查阅"),
}
APPLICATION_STATE_LABELS = dict(Application.State.choices)
SUBCASE_STATE_LABELS = dict(SubCase.State.choices)
# Service refusals about the enterprise chosen, shown beside the enterprise field.
ENTERPRISE_ERROR_CODES = {
    "enterprise_required",
    "not_enterprise_member",
    "enterprise_not_allowed",
    "enterprise_not_found",
}


# --- the delivery choice (统一窗口出件) ---------------------------------------------------------


def delivery_form(matters, *, chosen=None, errors=None, any_hall_label=""):
    """Context of `workflow/_delivery_choice.html`: the halls of the district, whether 电子证照 is
    offered (every matter issues a licence), what was chosen and the errors by field."""
    from accounts.models import Hall

    matters = list(matters)
    chosen = chosen or {}
    return {
        "method": chosen.get("method") or "hall",
        "hall": str(chosen.get("hall") or ""),
        "recipient": chosen.get("recipient", ""),
        "phone": chosen.get("phone", ""),
        "address": chosen.get("address", ""),
        "halls": list(Hall.objects.order_by("code")),
        "any_hall_label": any_hall_label,
        "electronic": services.electronic_offered(matters),
        "paper_names": "、".join(m.name for m in matters if not m.issues_licence),
        "errors": errors or {},
    }


def _chosen_delivery(application) -> dict:
    return {
        "method": application.delivery_method,
        "hall": application.pickup_hall_id or "",
        "recipient": application.post_recipient,
        "phone": application.post_phone,
        "address": application.post_address,
    }


# --- apply online ------------------------------------------------------------------------------


def _renewal_prefill(request, matters, fields):
    """(licence, values) when the page was opened from a licence's 一键续办 (`?renew=<number>`) for
    this matter; None otherwise (a number that is not the user's is ignored, said once)."""
    from .renewal import renewal_for, renewal_values

    number = request.GET.get("renew", "").strip()
    if not number or len(matters) != 1:
        return None
    try:
        renewal = renewal_for(request.user, number[:32])
    except DomainError as error:
        show_domain_error(request, error)
        return None
    if renewal.matter.pk != matters[0].pk:
        return None
    return renewal.licence, renewal_values(renewal, fields, request.user)


@role_required(User.Role.PUBLIC)
def renew_licence(request, number):
    """一键续办 from a licence (the expiry reminder's link): the renewal matter's apply page,
    pre-filled from the licence."""
    from .renewal import renewal_for

    try:
        renewal = renewal_for(request.user, number)
    except DomainError as error:
        show_domain_error(request, error)
        return redirect("portal:licences")
    return redirect(reverse("portal:apply_matter", args=[renewal.matter.code]) + f"?renew={renewal.licence.number}")


@role_required(User.Role.PUBLIC)
def apply_theme(request, code):
    theme = catalog.theme_by_code(code)
    if theme is None:
        return not_found_page(request, _("未找到该主题,或该主题已停用。"))
    return _apply(
        request,
        theme=theme,
        matters=catalog.theme_matters(theme),
        title=theme.name,
        back=reverse("portal:theme", args=[theme.code]),
    )


@role_required(User.Role.PUBLIC)
def apply_matter(request, code):
    matter = catalog.matter_by_code(code)
    if matter is None:
        return not_found_page(request, _("未找到该事项,或该事项已停用。"))
    return _apply(
        request, theme=None, matters=[matter], title=matter.name, back=reverse("portal:matter", args=[matter.code])
    )


def _situation(request, theme, matters):
    """A theme's situation questions (matters.questions) on the apply page: answered on the theme
    page and carried here as ?q<id>=<option id> (posted back as hidden inputs), they decide the
    matters, the form and the materials. A POST must carry valid answers to every question."""
    posting = request.method == "POST"
    situation = situation_page(request.POST if posting else request.GET, theme, matters, required=posting)
    if situation.resolution is not None and not situation.resolution.matters:
        situation.resolution = None
        situation.error = Invalid(_("按您选择的情形,本主题没有需要办理的事项,无需申请。"), code="situation_empty")
    return situation


def _apply(request, *, theme, matters, title, back):
    situation = _situation(request, theme, matters) if theme is not None else None
    if situation is not None and situation.asks and situation.resolution is None:
        if situation.error is not None:
            show_domain_error(request, situation.error)
        return render(
            request,
            "workflow/apply.html",
            {
                "title": _("在线申办:%(name)s") % {"name": title},
                "subject": title,
                "theme": theme,
                "matters": matters,
                "situation": situation,
                "ask_first": True,
                "back": back,
                "departments": sorted({m.department.name for m in matters}),
            },
            status=situation.error.status if situation.error is not None else 200,
        )
    if situation is not None:
        matters = situation.resolution.matters
        fields = situation.resolution.fields
        requirements = situation.resolution.requirements
    else:
        fields = form_fields(matters)
        requirements = material_requirements(matters)
    legal = bool(matters) and matters[0].target == Target.LEGAL
    establishing = any(m.establishes_entity for m in matters)
    form = ApplyForm(request.POST, oneform_fields=fields) if request.method == "POST" else None
    if form is not None:
        form.is_valid()  # every field cleans on its own: the ids below are read before the service call
    agency = _agency_choice(
        request, matters, on_behalf=form.cleaned_data.get("on_behalf") if form is not None else None
    )
    acting = agency["acting"]
    if acting is not None:  # 代为申请: the principal (and their enterprise) apply, the user acts
        enterprises = [acting.enterprise] if acting.enterprise_id else []
    else:
        enterprises = list(request.user.enterprises.all().order_by("name")) if legal and not establishing else []
    errors, status = {}, 200
    principal = acting.principal if acting is not None else request.user
    exempt = services.exemption_preview(
        applicant=principal,
        asked_by=request.user,
        matters=matters,
        requirements=requirements,
        enterprise=acting.enterprise if acting is not None else (enterprises[0] if len(enterprises) == 1 else None),
    )
    renewing = None
    if request.method == "POST":
        values = form.oneform_values
        key = form.value("idempotency_key") or fresh_key()
        chosen = form.raw("enterprise").strip()
        enterprise = next((e for e in enterprises if e.pk == form.cleaned_data.get("enterprise")), None)
        if acting is not None:
            enterprise = acting.enterprise
        offered = {f"material_{r.pk}" for r in requirements}
        posted_files = {name: upload for name, upload in request.FILES.items() if name in offered}
        files, kept = pending.chosen(owner=request.user, post=request.POST, files=posted_files, fields=offered)
        resolution = situation.resolution if situation is not None else None
        reports = posted_reports(request.POST, requirements)
        try:
            checked(form)
            application = services.application_submit(
                submission=services.Submission(
                    applicant=acting.principal if acting is not None else request.user,
                    matters=matters,
                    theme=theme,
                    form_data=values,
                    files=files,
                    enterprise=enterprise,
                    idempotency_key=key,
                    agent=request.user if acting is not None else None,
                    requirements=resolution.requirements if resolution else None,
                    required_ids=resolution.required_by_answer if resolution else (),
                    situation=resolution.record() if resolution else None,
                    delivery=form.delivery,
                    reports=reports,
                )
            )
        except DomainError as exc:
            show_domain_error(request, exc)
            errors, status = dict(exc.fields), exc.status
            if exc.code in ENTERPRISE_ERROR_CODES:
                errors.setdefault("enterprise", [exc.message])
            kept = pending.keep(owner=request.user, files=posted_files, kept=kept)
        else:
            pending.discard(kept=kept)
            messages.success(
                request,
                _("申请已提交,办件编号:%(number)s。窗口将在 5 个工作日内完成预审,请留意办件状态。")
                % {"number": application.number},
            )
            if acting is not None:
                messages.info(
                    request,
                    _("您以代办人身份代 %(principal)s 申请,申请人为委托人。") % {"principal": acting.principal_name},
                )
            return redirect("portal:application", number=application.number)
    else:
        values = account_values(fields, principal, enterprises)
        values.update({key: outcome.value for key, outcome in exempt.fields.items()})  # 免填
        renewing = _renewal_prefill(request, matters, fields) if acting is None else None  # 一键续办
        if renewing is not None:
            values.update(renewing[1])
        key = fresh_key()
        chosen = str(enterprises[0].pk) if len(enterprises) == 1 else ""
        kept = {}
        reports = {}
    materials = material_rows(requirements, errors, kept=kept, exempt=exempt.materials)
    with_report_offers(materials["bring"], report_offers_for(principal, enterprises, requirements), reports)
    return render(
        request,
        "workflow/apply.html",
        {
            "title": _("在线申办:%(name)s") % {"name": title},
            "subject": title,
            "theme": theme,
            "matters": matters,
            "renewing": renewing[0] if renewing is not None else None,
            "legal": legal,
            "establishing": establishing,
            "needs_enterprise": legal and not establishing,
            "enterprises": enterprises,
            "chosen_enterprise": chosen,
            "enterprise_errors": errors.get("enterprise", []),
            "rows": oneform_rows(fields, values, errors, prefilled=exempt.fields),
            "materials": materials,
            "idempotency_key": key,
            "back": back,
            "departments": sorted({m.department.name for m in matters}),
            "situation": situation,
            **agency,
            "delivery": delivery_form(
                matters,
                chosen=form.posted_delivery if form is not None else None,
                errors=errors,
                any_hall_label=_("受理本申请的大厅(默认)"),
            ),
        },
        status=status,
    )


def _agency_choice(request, matters, *, on_behalf=None):
    """代为申请: the authorisations under which the user may apply for all these matters today
    (the only ones offered), the one chosen (?for=<id> to show the form, posted as `on_behalf`:
    `on_behalf`, cleaned by ApplyForm),
    and the user's authorisations in force that do not cover these matters (to say why not).

    A posted choice that is not offered is still passed on, so that the service refuses it with
    its own message (never trust the form)."""
    from accounts.models import AgentAuthorisation
    from accounts.selectors import principals_for

    today = timezone.localdate()
    matter_ids = {m.pk for m in matters}
    offered = principals_for(request.user, matter_ids=matter_ids, day=today)
    chosen = on_behalf if request.method == "POST" else small_int(request.GET.get("for", ""))
    acting = None
    if chosen is not None:
        acting = next((a for a in offered if a.pk == chosen), None) or (
            AgentAuthorisation.objects.filter(pk=chosen, agent=request.user)
            .select_related("principal", "enterprise")
            .first()
        )
    offered_ids = {a.pk for a in offered}
    held = (
        []
        if offered
        else [
            agency_shown(a, today)
            for a in AgentAuthorisation.objects.valid_on(today)
            .filter(agent=request.user)
            .select_related("principal", "enterprise", "agent", "recorded_by")
            .prefetch_related("matters")
            if a.pk not in offered_ids
        ]
    )
    return {"offered": offered, "acting": acting, "held_elsewhere": held}


# --- my applications ---------------------------------------------------------------------------


@login_required
def my_applications(request):
    if not request.user.is_public:
        return redirect("portal:workbench")
    applications = selectors.applications_for(request.user)
    state = request.GET.get("state", "")
    if state == "open":
        applications = applications.filter(state__in=Application.OPEN_STATES)
    elif state == "done":
        applications = applications.exclude(state__in=Application.OPEN_STATES)
    else:
        state = ""
    page = keyset_page(request, selectors.for_list(applications), key="submitted_at", descending=True, per_page=20)
    with_urls(page.object_list, "portal:application")
    return render(
        request,
        "workflow/my_applications.html",
        {
            "title": _("我的办件"),
            "page": page,
            "state": state,
        },
    )


# --- the application page ----------------------------------------------------------------------


def _requirement_rows(application, materials):
    """The application's material requirements as its situation answers decided them (left-out
    ones not listed, ones an answer made necessary required), for the clerk's one-time notice: a
    required material the applicant must bring and that is not attached is ticked in advance."""
    requirements = recorded_requirements(
        application.matters.prefetch_related("materials").order_by("code"), application.situation
    )
    have = {m.requirement_id for m in materials}
    twice = duplicated_names(requirements)
    return [
        {
            "requirement": r,
            "label": material_label(r, twice),
            "attached": r.pk in have,
            "missing": r.required and r.source == MaterialRequirement.Source.APPLICANT and r.pk not in have,
        }
        for r in requirements
    ]


def _supplement_upload_rows(application, open_requests, errors, kept=None):
    """File inputs for the materials an open one-time notice lists (by the label the clerk saw);
    when it lists none of them by name, every material the applicant brings may be re-uploaded."""
    requirements = [
        r
        for r in recorded_requirements(
            application.matters.prefetch_related("materials").order_by("code"), application.situation
        )
        if r.source == MaterialRequirement.Source.APPLICANT
    ]
    twice = duplicated_names(requirements)
    listed = {item.get("material", "") for request in open_requests for item in request.items}
    named = [r for r in requirements if material_label(r, twice) in listed or r.name in listed]
    rows = material_rows(named or requirements, errors, kept=kept)["bring"]
    return rows, bool(named)


def posted_reports(post, requirements) -> dict:
    """{requirement id: contract id} of the 中介服务成果 radio buttons (`report_<requirement id>`)."""
    return {r.pk: post.get(f"report_{r.pk}", "").strip() for r in requirements if post.get(f"report_{r.pk}", "").strip()}


def with_report_offers(rows, offers: dict, chosen: dict) -> list:
    """The upload rows, each with the delivered reports it may use instead (`row.reports`)."""
    for row in rows:
        row["reports"] = offers.get(row["requirement"].pk, [])
        row["report_chosen"] = str(chosen.get(row["requirement"].pk, ""))
    return rows


def report_offers_for(applicant, enterprises, requirements) -> dict:
    """The reports the applicant's enterprise(s) may reuse (one look-up per enterprise offered)."""
    merged: dict = {}
    for enterprise in enterprises:
        for requirement_id, found in hooks.report_offers(
            applicant=applicant, enterprise=enterprise, requirements=requirements
        ).items():
            merged.setdefault(requirement_id, []).extend(found)
    return merged


def _with_download_urls(application, materials):
    """The current materials (selectors.current_materials: a replaced one is in `.history` of its
    replacement), each with `.url` to its file (served after the same access check)."""
    materials = selectors.current_materials(materials)
    for material in materials:
        for m in [material, *material.history]:
            m.url = reverse("api-application-material", args=[application.number, m.pk]) if m.file else ""
            m.record_url = (
                reverse("portal:application_material_record", args=[application.number, m.pk])
                if m.data_query_id
                else ""
            )
            # 中介服务成果: the contract it was delivered under (market's page, via workflow.hooks)
            m.contract_url = (
                hooks.report_contract_url(m.reference) if m.source == Material.Source.INTERMEDIARY else ""
            )
    return materials


def _timeline(application):
    rows = []
    for entry in selectors.case_log(application):
        labels = SUBCASE_STATE_LABELS if entry.subcase_id else APPLICATION_STATE_LABELS
        rows.append(
            {
                "at": entry.created_at,
                "actor": (entry.actor.real_name or entry.actor.username) if entry.actor_id else _("系统"),
                "action": ACTION_LABELS.get(entry.action, entry.action),
                "from": labels.get(entry.from_state, entry.from_state),
                "to": labels.get(entry.to_state, entry.to_state),
                "note": entry.note,
                "subcase": entry.subcase.number if entry.subcase_id else "",
                "matter": entry.subcase.matter.name if entry.subcase_id else "",
            }
        )
    return rows


PROGRESS_STEPS = (
    (gettext_lazy("提交申请"), (S.SUBMITTED, S.SUPPLEMENT_REQUESTED)),
    (gettext_lazy("窗口受理"), (S.ACCEPTED,)),
    (gettext_lazy("部门审批"), (S.IN_REVIEW,)),
    (gettext_lazy("办结"), (S.CONCLUDED, S.RESULT_READY)),
    (gettext_lazy("出件"), (S.DELIVERED, S.ARCHIVED)),
)


def _steps(application):
    """The five-step progress bar; empty for an application that left the road (refused, withdrawn)."""
    current = next((i for i, (_label, states) in enumerate(PROGRESS_STEPS) if application.state in states), None)
    if current is None:
        return []
    return [
        {
            "label": label,
            "done": i < current or (i == current and i == len(PROGRESS_STEPS) - 1),
            "current": i == current,
        }
        for i, (label, _states) in enumerate(PROGRESS_STEPS)
    ]


def agency_shown(authorisation, today):
    """An authorisation ready for accounts/_agency.html (its status on `today`), or None."""
    if authorisation is not None:
        authorisation.status = authorisation.status_on(today)
        authorisation.status_text = authorisation.status_label(today)
    return authorisation


def _detail_context(request, application, *, errors=None, posted=None, panel=""):
    user = request.user
    errors = errors or {}
    posted = posted or {}
    today = timezone.localdate()
    subcases = selectors.with_clocks(
        application.subcases.select_related("matter", "department", "matter_version").order_by("number")
    )

    # The selectors narrow both for the reader (a reviewer: their department's matters only).
    form = selectors.visible_form_data(user, application)
    materials = _with_download_urls(application, selectors.visible_materials(user, application))

    # The applicant, or their agent while the authorisation lasts, act as the applicant here.
    is_applicant = rules.acts_for_applicant(application, user)
    can = selectors.actions_for(user, application)
    not_authorised = None
    desk = hooks.desk_for(user, today) if user.is_clerk else None
    waits_at_window = can_proceed(application.accept) or can_proceed(application.supplement_at_window)
    if (
        desk is not None
        and application.category in desk.categories
        and waits_at_window
        and not can["accept"]
        and not can["supplement_at_window"]
    ):
        # 同城通办: a window of its category but matters she is not authorised for: say why she
        # cannot act, and where the applicant can be sent.
        outside = selectors.not_authorised_matters(desk, application)
        if outside:
            not_authorised = {
                "matters": [m.name for m in outside],
                "referrals": hooks.referrals_for(
                    [m.pk for m in application.matters.all()], application.category, today
                ),
            }
    supplements = list(application.supplement_requests.select_related("requested_by"))
    open_requests = [r for r in supplements if r.resolved_at is None]
    context = {
        "title": application.title,
        "steps": _steps(application),
        "application": application,
        "applicant_name": application.applicant.real_name,
        "applicant_id": mask(application.applicant.id_number or ""),
        "applicant_phone": application.applicant.masked_phone,
        "subcases": subcases,
        "form": form,
        "materials": materials,
        "supplements": supplements,
        "notices": [
            {"notice": n, "url": reverse("api-application-notice", args=[application.number, n.pk])}
            for n in application.notices.all()
        ],
        "timeline": _timeline(application),
        "agency": agency_shown(application.agent_authorisation, today),
        "can": can,
        "not_authorised": not_authorised,
        "any_action": any(can.values()),
        "errors": errors,
        "posted": posted,
        "panel": panel,
        "is_applicant": is_applicant,
        "is_staff_view": not user.is_public,
        "progress_url": f"{reverse('portal:progress')}?number={application.number}",
        "pre_review_overdue": bool(
            application.pre_review_due and application.state == S.SUBMITTED and application.pre_review_due < today
        ),
        "delivery": selectors.delivery_facts(user, application),
        "licences": _licence_rows(user, application),
        "carriers": services.CARRIERS,
    }
    if can["change_delivery"]:
        chosen = posted.get("delivery") or _chosen_delivery(application)
        context["delivery_form"] = delivery_form(
            application.matters.all(),
            chosen=chosen,
            errors=errors if panel == "delivery" else {},
            any_hall_label=_("受理本申请的大厅(默认)") if application.accepted_hall_id is None else "",
        )
    if can["accept"]:
        rows = _requirement_rows(application, materials)
        for row in rows:
            pk = str(row["requirement"].pk)
            # First showing: tick what is missing; after a refused post: what the clerk ticked.
            row["checked"] = pk in posted["checked"] if "checked" in posted else row["missing"]
            row["reason"] = posted.get("reasons", {}).get(pk, "")
        context["requirement_rows"] = rows
        context["deferrable_rows"] = [r for r in rows if r["requirement"].deferrable and not r["attached"]]
        context["deferred_default"] = load_calendar().add_workdays(today, services.DEFERRED_DAYS)
        context["supplement_errors"] = errors.get("items", [])
    if can["provide_deferred"]:
        context["outstanding"] = [m for m in materials if m.is_outstanding]
    if can["resubmit"] or can["supplement_at_window"]:
        context["open_requests"] = open_requests
        context["upload_rows"], context["uploads_named"] = _supplement_upload_rows(
            application, open_requests, errors, kept=posted.get("kept")
        )
    if can["resubmit"]:
        # 中介服务成果: the enterprise's delivered reports for these materials (none for a person)
        offers = hooks.report_offers(applicant=application.applicant, enterprise=application.enterprise,
                                     requirements=[row["requirement"] for row in context["upload_rows"]])
        with_report_offers(context["upload_rows"], offers, posted.get("reports") or {})
        fields = form_fields(application.matters.prefetch_related("fields").order_by("code"))
        values = posted.get("form_values") or application.form_data
        context["resubmit_rows"] = oneform_rows(fields, values, errors)
    return context


def _licence_rows(user, application):
    """The application's e-licences, each with a download link for those who may have the file."""
    from exchange.selectors import licences_for

    mine = set(licences_for(user).filter(application_number=application.number).values_list("number", flat=True))
    rows = []
    for licence in selectors.application_licences(application):
        licence.url = reverse("api-licence-file", args=[licence.number]) if licence.number in mine else ""
        licence.status = licence.status_on(timezone.localdate())
        rows.append(licence)
    return rows


@login_required
@not_found_pages
def application_detail(request, number):
    application = selectors.access_application(request.user, number)
    return render(request, "workflow/application_detail.html", _detail_context(request, application))


@login_required
@not_found_pages
def application_material_record(request, number, material_id):
    """The data-source answer a 免提交 material was taken from, for whoever may read the material
    (the applicant, the clerks and the reviewers of its matter): what the source said, when, why."""
    from exchange.selectors import fetched_record

    application = selectors.access_application(request.user, number)
    material = (
        selectors.visible_materials(request.user, application).filter(pk=material_id, data_query__isnull=False).first()
    )
    if material is None:
        return not_found_page(request, _("未找到该材料的共享数据。"))
    return render(
        request,
        "workflow/material_record.html",
        {
            "title": _("共享数据:%(name)s") % {"name": material.name},
            "application": application,
            "material": material,
            "record": fetched_record(material.data_query_id),
            "back": reverse("portal:application", args=[application.number]),
        },
    )


def _refused(request, number, exc: DomainError, *, panel, posted=None):
    """Re-render the application page with the service's message and field errors."""
    show_domain_error(request, exc)
    application = selectors.access_application(request.user, number)
    context = _detail_context(request, application, errors=exc.fields, posted=posted, panel=panel)
    return render(request, "workflow/application_detail.html", context, status=exc.status)


@login_required
@require_POST
@not_found_pages
def application_accept(request, number):
    application = selectors.access_application(request.user, number)
    form = AcceptForm(request.POST)
    try:
        data = checked(form)
        services.application_accept(
            application=application,
            clerk=request.user,
            deferred=data["deferred"],
            deferred_until=data["deferred_until"],
        )
    except DomainError as exc:
        return _refused(
            request,
            number,
            exc,
            panel="accept",
            posted={
                "deferred": posted_ids(form, "deferred"),
                "deferred_until": form.data.get("deferred_until", ""),
            },
        )
    messages.success(
        request, _("已受理办件 %(number)s,系统将即时分派至各承办部门并生成受理通知书。") % {"number": number}
    )
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_request_supplement(request, number):
    application = selectors.access_application(request.user, number)
    labels = {str(row["requirement"].pk): row["label"] for row in _requirement_rows(application, [])}
    form = SupplementNoticeForm(request.POST, labels=labels)
    try:
        data = checked(form)
        items = form.items
        services.application_request_supplement(
            application=application, clerk=request.user, items=items, note=data["note"]
        )
    except DomainError as exc:
        return _refused(request, number, exc, panel="supplement", posted=form.posted)
    messages.success(request, _("已向申请人发出一次性补正告知,共 %(n)s 项。") % {"n": len(items)})
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_supplement_at_window(request, number):
    application = selectors.access_application(request.user, number)
    form = WindowSupplementForm(request.POST)
    offered = {f"material_{r.pk}" for m in application.matters.all() for r in m.materials.all()}
    posted_files = {name: upload for name, upload in request.FILES.items() if name in offered}
    # files that passed the check are kept for the clerk when the form comes back (as on the apply form)
    files, kept = pending.chosen(owner=request.user, post=request.POST, files=posted_files, fields=offered)
    try:
        received = checked(form)["received"]
        services.application_supplement_at_window(
            application=application, clerk=request.user, files=files, received=received
        )
    except DomainError as exc:
        kept = pending.keep(owner=request.user, files=posted_files, kept=kept)
        return _refused(
            request,
            number,
            exc,
            panel="supplement_at_window",
            posted={"kept": kept, "received": posted_ids(form, "received")},
        )
    pending.discard(kept=kept)
    messages.success(request, _("已收取补正材料,办件回到待受理,可继续审核受理。"))
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_provide_deferred(request, number, material_id):
    application = selectors.access_application(request.user, number)
    material = application.materials.filter(pk=material_id).first()
    if material is None:
        return not_found_page(request, _("未找到该材料。"))
    try:
        services.deferred_material_provide(material=material, actor=request.user, upload=request.FILES.get("file"))
    except DomainError as exc:
        return _refused(request, number, exc, panel="deferred")
    messages.success(request, _("“%(name)s”已补交。") % {"name": material.name})
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_allow_repeat(request, number):
    application = selectors.access_application(request.user, number)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        reason = checked(form)["reason"]
        services.supplement_repeat_allow(application=application, supervisor=request.user, reason=reason)
    except DomainError as exc:
        return _refused(request, number, exc, panel="allow_repeat", posted={"reason": reason})
    messages.success(request, _("已准许窗口就已告知的材料再次要求补正一次。"))
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_refuse(request, number):
    application = selectors.access_application(request.user, number)
    form = ReasonForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        reason = checked(form)["reason"]
        services.application_refuse(application=application, clerk=request.user, reason=reason)
    except DomainError as exc:
        return _refused(request, number, exc, panel="refuse", posted={"reason": reason})
    messages.success(request, _("已作出不予受理决定,申请人可在办件页查看理由。"))
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_deliver(request, number):
    application = selectors.access_application(request.user, number)
    form = DeliverForm(request.POST)
    try:
        data = checked(form)
        services.application_deliver(application=application, clerk=request.user, id_number=data["id_number"])
    except DomainError as exc:
        if form.from_delivery:
            show_domain_error(request, exc)
            return redirect("portal:delivery")
        return _refused(request, number, exc, panel="deliver")
    messages.success(request, _("办件 %(number)s 已出件。") % {"number": number})
    if form.from_delivery:
        return redirect("portal:delivery")
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_delivery(request, number):
    """The applicant chooses or changes how to receive the result."""
    application = selectors.access_application(request.user, number)
    form = DeliveryForm(request.POST)
    try:
        checked(form)
        application = services.application_set_delivery(
            application=application, applicant=request.user, delivery=form.delivery
        )
    except DomainError as exc:
        return _refused(request, number, exc, panel="delivery", posted={"delivery": form.posted_delivery})
    if application.state == S.DELIVERED:
        messages.success(request, _("电子证照已签发,可在本页下载。"))
    else:
        messages.success(
            request, _("领取方式已改为“%(method)s”。") % {"method": application.get_delivery_method_display()}
        )
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_post(request, number):
    """The delivery window records the posting: carrier and tracking number."""
    application = selectors.access_application(request.user, number)
    form = PostForm(request.POST)
    try:
        data = checked(form)
        services.application_post(
            application=application,
            clerk=request.user,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )
    except DomainError as exc:
        if form.from_delivery:
            show_domain_error(request, exc)
            return redirect("portal:delivery")
        posted = {k: form.data.get(k, "") for k in ("carrier", "tracking_number")}
        return _refused(request, number, exc, panel="post", posted=posted)
    messages.success(request, _("办件 %(number)s 已邮寄送达。") % {"number": number})
    if form.from_delivery:
        return redirect("portal:delivery")
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_withdraw(request, number):
    application = selectors.access_application(request.user, number)
    form = ReasonForm(request.POST, max_length=500)
    reason = form.data.get("reason", "")
    try:
        reason = checked(form)["reason"]
        services.application_withdraw(application=application, applicant=request.user, reason=reason)
    except DomainError as exc:
        return _refused(request, number, exc, panel="withdraw", posted={"reason": reason})
    messages.success(request, _("申请已撤回。"))
    return redirect("portal:application", number=number)


@login_required
@require_POST
@not_found_pages
def application_resubmit(request, number):
    application = selectors.access_application(request.user, number)
    fields = form_fields(application.matters.prefetch_related("fields").order_by("code"))
    values = OneFormPost(request.POST, oneform_fields=fields).oneform_values
    offered = {f"material_{r.pk}" for m in application.matters.all() for r in m.materials.all()}
    posted_files = {name: upload for name, upload in request.FILES.items() if name in offered}
    files, kept = pending.chosen(owner=request.user, post=request.POST, files=posted_files, fields=offered)
    reports = posted_reports(request.POST, [r for m in application.matters.all() for r in m.materials.all()])
    try:
        services.application_resubmit(application=application, applicant=request.user, files=files, form_data=values,
                                      reports=reports)
    except DomainError as exc:
        kept = pending.keep(owner=request.user, files=posted_files, kept=kept)
        return _refused(request, number, exc, panel="resubmit",
                        posted={"form_values": values, "kept": kept, "reports": reports})
    pending.discard(kept=kept)
    messages.success(request, _("补正材料已提交,等待窗口重新审核。"))
    return redirect("portal:application", number=number)


# --- the department's back office ------------------------------------------------------------


@role_required(User.Role.REVIEWER)
def review_list(request):
    """The department's sub-cases: 待办 by deadline, 已办 newest decision first, each paged by a
    keyset cursor (issue 15: page 2,000 costs what page 1 does; indexes in migration 0046)."""
    subcases = selectors.for_list(selectors.subcases_for(request.user), through="application__")
    tab = "decided" if request.GET.get("tab") == "decided" else "open"
    open_ = subcases.filter(state__in=SubCase.OPEN_STATES)
    decided = subcases.exclude(state__in=SubCase.OPEN_STATES)
    running = subcases.filter(state__in=SubCase.RUNNING_STATES)
    today = timezone.localdate()
    # the other tab and the stored dates the sweep's cards start from (the rows take the
    # policy's colour), counted with the page's own list in one query
    others = {
        "red": running.filter(deadline__lt=today),
        "yellow": running.filter(deadline__gte=today, yellow_from__lte=today),
        **({"decided": decided} if tab == "open" else {"open": open_}),
    }
    if tab == "open":
        page = keyset_page(request, open_, key="deadline", descending=False, per_page=20, also_count=others)
        page.object_list = selectors.with_clocks(page.object_list)
    else:
        page = keyset_page(request, decided, key="decided_at", descending=True, per_page=20, also_count=others)
    with_urls(page.object_list, "portal:subcase")  # reversed once for the page, not twice a row
    return render(
        request,
        "workflow/review_list.html",
        {
            "title": _("部门审批"),
            "department": request.user.department,
            "page": page,
            "counts": {tab: page.count_label, **page.counts},
            "tab": tab,
        },
    )


def _subcase_context(request, subcase, *, errors=None, reason=""):
    user = request.user
    application = subcase.application
    materials = _with_download_urls(application, selectors.visible_materials(user, application, subcase))
    selectors.with_clocks([subcase])
    return {
        "title": _("子件 %(number)s") % {"number": subcase.number},
        "subcase": subcase,
        "application": application,
        "applicant_name": application.enterprise.name if application.enterprise_id else application.applicant.real_name,
        "applicant_id": mask(
            application.enterprise.credit_code if application.enterprise_id else application.applicant.id_number or ""
        ),
        "form": selectors.visible_form_data(user, application, subcase),
        "materials": materials,
        # A supervisor reads the sub-case as its department sees it, and acts on nothing.
        "explanation": selectors.deadline_explanation(subcase),
        "pause_kinds": SubCasePause.Kind.choices,
        "can_suspend": has_transition_perm(subcase.suspend, user),
        "can_resume": has_transition_perm(subcase.resume, user),
        "can_extend": user.is_reviewer
        and subcase.is_open
        and not subcase.extensions.exclude(status=SubCaseExtension.Status.REJECTED).exists(),
        "pending_extension": subcase.extensions.filter(status=SubCaseExtension.Status.PENDING).first(),
        "can_approve_extension": user.is_reviewer and user.is_department_leader,
        "can_start": has_transition_perm(subcase.start_examining, user),
        "can_decide": has_transition_perm(subcase.approve, user),
        "errors": errors or {},
        "reason": reason,
    }


@role_required(User.Role.REVIEWER, User.Role.SUPERVISOR)
@not_found_pages
def subcase_detail(request, number):
    subcase = selectors.access_subcase(request.user, number)
    return render(request, "workflow/subcase_detail.html", _subcase_context(request, subcase))


@role_required(User.Role.REVIEWER)
@require_POST
@not_found_pages
def subcase_start(request, number):
    subcase = selectors.access_subcase(request.user, number)
    try:
        services.subcase_start_examining(subcase=subcase, reviewer=request.user)
    except DomainError as exc:
        show_domain_error(request, exc)
        subcase = selectors.access_subcase(request.user, number)
        return render(request, "workflow/subcase_detail.html", _subcase_context(request, subcase), status=exc.status)
    messages.success(request, _("已开始审查子件 %(number)s。") % {"number": number})
    return redirect("portal:subcase", number=number)


@role_required(User.Role.REVIEWER)
@require_POST
@not_found_pages
def subcase_decide(request, number):
    subcase = selectors.access_subcase(request.user, number)
    form = SubcaseDecisionForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        decision = checked(form)["decision"]
        services.subcase_decide(subcase=subcase, reviewer=request.user, approve=decision == "approve", reason=reason)
    except DomainError as exc:
        show_domain_error(request, exc)
        subcase = selectors.access_subcase(request.user, number)
        context = _subcase_context(request, subcase, errors=exc.fields, reason=reason)
        return render(request, "workflow/subcase_detail.html", context, status=exc.status)
    if decision == "approve":
        messages.success(request, _("已作出准予许可决定。"))
    else:
        messages.success(request, _("已作出不予许可决定。"))
    return redirect("portal:subcase", number=number)


def _clock_action(request, subcase):
    """Run one clock action from the sub-case page's forms; returns the success message."""
    post, user = checked(SubcaseClockForm(request.POST)), request.user
    action = post["action"]
    if action == "suspend":
        pause = services.subcase_suspend(subcase=subcase, reviewer=user, kind=post["kind"], reason=post["reason"])
        return _("已进入%(kind)s程序,办理期限暂停计算,并书面告知申请人。") % {"kind": pause.get_kind_display()}
    if action == "resume":
        subcase = services.subcase_resume(subcase=subcase, reviewer=user, result=post["result"])
        return _("已恢复计时,办结期限为 %(date)s。") % {"date": subcase.deadline.isoformat()}
    if action == "extend":
        days = post["days"] if post["days"] is not None else 0  # no number: the service says what is missing
        services.subcase_request_extension(subcase=subcase, reviewer=user, days=days, reason=post["reason"])
        return _("延期申请已提交,待部门负责人批准。")
    extension = subcase.extensions.filter(status=SubCaseExtension.Status.PENDING).first()  # (dis)approve_extension
    if extension is None:
        raise Conflict(_("没有待批准的延期申请。"), code="state_conflict")
    services.subcase_decide_extension(extension=extension, leader=user, approve=action == "approve_extension")
    return _("已批准延期。") if action == "approve_extension" else _("已驳回延期申请。")


@role_required(User.Role.REVIEWER)
@require_POST
@not_found_pages
def subcase_clock(request, number):
    """特别程序 (stop the clock), 恢复计时, 申请延期 and the leader's approval of it."""
    subcase = selectors.access_subcase(request.user, number)
    try:
        message = _clock_action(request, subcase)
    except DomainError as exc:
        show_domain_error(request, exc)
        subcase = selectors.access_subcase(request.user, number)
        context = _subcase_context(request, subcase, errors=exc.fields)
        return render(request, "workflow/subcase_detail.html", context, status=exc.status)
    messages.success(request, message)
    return redirect("portal:subcase", number=number)
