"""Pages of 上门办理 (home visits) and 帮办 (help desk). Booking is linked from a matter's guide,
the citizen's visits are listed on 我的预约; clerks reach both from the workbench (窗口工作台).
Receiving at home is the walk-in screen (windows.views._walk_in_form with the visit)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.identity import mask, mask_phone, mask_value
from accounts.models import Hall, User
from core.errors import DomainError, Invalid
from core.web.access import not_found_page, not_found_pages, role_required, show_domain_error
from core.web.forms import checked
from matters import selectors as catalog
from matters.oneform import form_fields, material_requirements
from matters.oneform_pages import OneFormPost, material_rows, oneform_rows

from . import clock, help_desk, home_visits
from .forms import (
    HelpDeskDraftForm,
    HelpDeskPersonForm,
    HomeVisitAssignForm,
    HomeVisitBookForm,
    HomeVisitNoteForm,
)
from .models import HomeVisit

# --- the citizen ---------------------------------------------------------------------------------


@role_required(User.Role.PUBLIC)
def book(request, code):
    matter = catalog.matter_by_code(code)
    if matter is None or not matter.home_visit or matter.target != "natural":
        return not_found_page(request, _("该事项不提供上门办理。"))
    user = request.user
    halls = list(Hall.objects.order_by("code"))
    values = {
        "for_self": "1",
        "phone": user.phone or "",
        "hall": halls[0].code if halls else "",
        "preferred_date": "",
        "reason": "",
        "reason_note": "",
        "address": "",
        "person_name": "",
        "person_id_number": "",
        "relation": "",
    }
    errors, status = {}, 200
    if request.method == "POST":
        form = HomeVisitBookForm(request.POST)
        values.update({k: str(form.data.get(k, "")).strip() for k in values})
        try:
            data = checked(form)
            visit = home_visits.home_visit_book(
                user=user,
                matter=matter,
                hall=next((h for h in halls if h.code == data["hall"]), None),
                reason=data["reason"],
                reason_note=data["reason_note"],
                address=data["address"],
                phone=data["phone"],
                preferred_date=data["preferred_date"],
                for_self=data["for_self"] == "1",
                person_name=data["person_name"],
                person_id_number=data["person_id_number"],
                relation=data["relation"],
            )
        except DomainError as exc:
            show_domain_error(request, exc)
            errors, status = dict(getattr(exc, "fields", {}) or {}), exc.status
        else:
            messages.success(
                request,
                _("已提交上门办理预约(预约码 %(code)s)。大厅安排工作人员和时间后将通知您。") % {"code": visit.code},
            )
            return redirect("portal:my_appointments")
    today = clock.today()
    return render(
        request,
        "windows/home_visit_book.html",
        {
            "title": _("预约上门办理:%(name)s") % {"name": matter.name},
            "matter": matter,
            "halls": halls,
            "values": values,
            "errors": errors,
            "reasons": HomeVisit.Reason.choices,
            "min_date": today + dt.timedelta(days=1),
            "max_date": today + dt.timedelta(days=home_visits.BOOK_DAYS_AHEAD),
        },
        status=status,
    )


@require_POST
@role_required(User.Role.PUBLIC, User.Role.CLERK)
@not_found_pages
def cancel(request, code):
    visit = home_visits.access_home_visit(request.user, code)
    try:
        reason = checked(HomeVisitNoteForm(request.POST))["reason"]
        home_visits.home_visit_cancel(visit=visit, by=request.user, reason=reason)
        messages.success(request, _("已取消上门办理预约 %(code)s。") % {"code": visit.code})
    except DomainError as exc:
        show_domain_error(request, exc)
    if request.user.is_public:
        if request.POST.get("back") == "me":  # cancelled on 我的: back to its card
            return redirect(reverse("portal:personal") + "#me-appointments")
        return redirect("portal:my_appointments")
    return redirect("portal:home_visit_detail", code=visit.code)


# --- the hall ------------------------------------------------------------------------------------


@role_required(User.Role.CLERK)
def hall_list(request):
    """The hall's home visits (the halls she sits at today, or heads): waiting for a clerk, then
    scheduled, then the rest of the last weeks; her own visits today first."""
    today = clock.today()
    visits = list(home_visits.home_visits_for(request.user).order_by("starts_at", "preferred_date", "pk")[:300])
    open_ = [v for v in visits if v.is_open]
    closed = sorted((v for v in visits if not v.is_open), key=lambda v: v.created_at, reverse=True)[:50]
    return render(
        request,
        "windows/home_visit_list.html",
        {
            "title": _("上门办理"),
            "requested": [v for v in open_ if v.state == HomeVisit.State.REQUESTED],
            "scheduled": [v for v in open_ if v.state == HomeVisit.State.SCHEDULED],
            "closed": closed,
            "mine_today": list(home_visits.day_of(request.user, today)),
            "today": today,
        },
    )


def _detail_context(request, visit, *, errors=None, posted=None):
    user = request.user
    head = home_visits.is_head(user, visit.hall_id)
    day = timezone.localdate(visit.starts_at) if visit.starts_at else visit.preferred_date
    return {
        "title": _("上门办理 %(code)s") % {"code": visit.code},
        "visit": visit,
        "head": head,
        "masked_id": mask(visit.person_id_number),
        # The phone whole only to the clerk who goes (she calls before the visit), as the asker's
        # phone to the owner of a consultation; masked for the rest of the hall.
        "phone": visit.phone if visit.clerk_id == user.pk and visit.is_open else mask_phone(visit.phone),
        "events": list(visit.events.select_related("actor")),
        "candidates": home_visits.clerks_for(visit, day) if head else [],
        "may_self_assign": visit.state == HomeVisit.State.REQUESTED
        and home_visits.may_take(user, visit, visit.preferred_date) is None,
        "is_mine": visit.clerk_id == user.pk,
        "today": clock.today(),
        "visit_today": visit.starts_at is not None and timezone.localdate(visit.starts_at) == clock.today(),
        "minutes": home_visits.VISIT_MINUTES,
        "day_of_clerk": list(home_visits.day_of(visit.clerk, day)) if visit.clerk_id else [],
        "errors": errors or {},
        "posted": posted or {},
        "default_start": (posted or {}).get("starts_at")
        or (
            timezone.localtime(visit.starts_at).strftime("%Y-%m-%dT%H:%M")
            if visit.starts_at
            else f"{visit.preferred_date:%Y-%m-%d}T09:00"
        ),
    }


@role_required(User.Role.CLERK)
@not_found_pages
def detail(request, code):
    visit = home_visits.access_home_visit(request.user, code)
    return render(request, "windows/home_visit_detail.html", _detail_context(request, visit))


@require_POST
@role_required(User.Role.CLERK)
@not_found_pages
def assign(request, code):
    visit = home_visits.access_home_visit(request.user, code)
    form = HomeVisitAssignForm(request.POST)
    posted = {k: str(form.data.get(k, "")).strip() for k in ("clerk", "starts_at", "minutes")}
    try:
        data = checked(form)
        clerk = User.objects.filter(pk=data["clerk"]).first() if data["clerk"] else request.user
        if clerk is None:
            raise Invalid(_("请选择上门人员。"), code="invalid_clerk", fields={"clerk": [_("请选择上门人员。")]})
        minutes = data["minutes"] or home_visits.DEFAULT_MINUTES
        home_visits.home_visit_assign(
            visit=visit, by=request.user, clerk=clerk, starts_at=data["starts_at"], minutes=minutes
        )
    except DomainError as exc:
        show_domain_error(request, exc)
        visit.refresh_from_db()
        return render(
            request,
            "windows/home_visit_detail.html",
            _detail_context(request, visit, errors=getattr(exc, "fields", {}), posted=posted),
            status=exc.status,
        )
    messages.success(request, _("已安排上门,已通知预约人。"))
    return redirect("portal:home_visit_detail", code=visit.code)


@require_POST
@role_required(User.Role.CLERK)
@not_found_pages
def no_show(request, code):
    visit = home_visits.access_home_visit(request.user, code)
    try:
        note = checked(HomeVisitNoteForm(request.POST))["note"]
        home_visits.home_visit_no_show(visit=visit, clerk=request.user, note=note)
        messages.success(request, _("已登记上门未遇。"))
    except DomainError as exc:
        show_domain_error(request, exc)
    return redirect("portal:home_visit_detail", code=visit.code)


@role_required(User.Role.CLERK)
@not_found_pages
def receive(request, code):
    """At the visit: the walk-in screen for the visit's matter and person."""
    from .views import _desk_context, _walk_in_form

    visit = home_visits.access_home_visit(request.user, code)
    if visit.state == HomeVisit.State.RECEIVED and visit.application_id:
        return redirect("portal:walk_in_done", number=visit.application.number)
    if visit.clerk_id != request.user.pk or visit.state != HomeVisit.State.SCHEDULED:
        messages.error(request, _("只有安排上门的窗口人员可以在上门时收件。"))
        return redirect("portal:home_visit_detail", code=visit.code)
    if timezone.localdate(visit.starts_at) != clock.today():
        day = timezone.localdate(visit.starts_at)
        messages.error(request, _("只能在上门当日收件(安排在 %(day)s)。") % {"day": day})
        return redirect("portal:home_visit_detail", code=visit.code)
    context = _desk_context(request)
    if context["desk"] is None:
        messages.error(request, _("您今天没有排班窗口,不能收件。"))
        return redirect("portal:home_visit_detail", code=visit.code)
    return _walk_in_form(request, context, theme=None, matters=[visit.matter], home_visit=visit)


# --- 帮办 ------------------------------------------------------------------------------------------


@role_required(User.Role.CLERK)
def help_desk_new(request):
    try:
        hall = help_desk.help_desk_hall(request.user)
    except DomainError as exc:
        return render(
            request, "windows/help_desk.html", {"title": _("帮办"), "refused": exc.message}, status=exc.status
        )
    matter = catalog.matter_by_code(request.GET.get("matter", "")) if request.GET.get("matter") else None
    context = {
        "title": _("帮办:协助网上申请"),
        "hall": hall,
        "matter": matter,
        "drafts": list(help_desk.drafts_for(request.user)[:20]),
    }
    if matter is None:
        q = request.GET.get("q", "").strip()[:64]
        context.update(
            {
                "q": q,
                "matters": [m for m in catalog.search_matters(q=q) if m.target == "natural" and m.online_depth >= 3][
                    :60
                ],
            }
        )
        return render(request, "windows/help_desk.html", context)
    fields = form_fields([matter])
    requirements = material_requirements([matter])
    errors, values, id_number, status = {}, {}, "", 200
    if request.method == "POST":
        form = OneFormPost(request.POST, oneform_fields=fields)
        form.is_valid()
        person = HelpDeskPersonForm(request.POST)
        values, id_number = form.oneform_values, str(person.data.get("id_number", "")).strip()
        files = {name: f for name, f in request.FILES.items() if name.startswith("material_")}
        try:
            draft = help_desk.help_desk_start(
                clerk=request.user, id_number=checked(person)["id_number"].strip(), matter=matter, form_data=values,
                files=files,
            )
        except DomainError as exc:
            show_domain_error(request, exc)
            errors, status = dict(getattr(exc, "fields", {}) or {}), exc.status
        else:
            messages.success(request, _("确认码已发送给申请人,请申请人核对后告知确认码。"))
            return redirect("portal:help_desk_draft", pk=draft.pk)
    context.update(
        {
            "rows": oneform_rows(fields, values, errors),
            "materials": material_rows(requirements, errors),
            "errors": errors,
            "id_number": id_number,
        }
    )
    return render(request, "windows/help_desk.html", context, status=status)


@role_required(User.Role.CLERK)
@not_found_pages
def help_desk_draft(request, pk):
    draft = help_desk.access_draft(request.user, pk)
    status = 200
    if request.method == "POST":
        form = HelpDeskDraftForm(request.POST)
        try:
            action = checked(form)["action"]
            if action == "resend":
                help_desk.help_desk_resend(clerk=request.user, draft=draft)
                messages.success(request, _("已重新发送确认码。"))
            elif action == "cancel":
                help_desk.help_desk_cancel(clerk=request.user, draft=draft)
                messages.success(request, _("已作废该帮办填报。"))
            else:
                application = help_desk.help_desk_confirm(
                    clerk=request.user, draft=draft, code=form.cleaned_data["code"]
                )
                messages.success(
                    request, _("申请人已确认,已提交为其网上申请 %(number)s。") % {"number": application.number}
                )
            return redirect("portal:help_desk_draft", pk=draft.pk)
        except DomainError as exc:
            show_domain_error(request, exc)
            status = exc.status
            draft.refresh_from_db()
    return render(
        request,
        "windows/help_desk_draft.html",
        {
            "title": _("帮办确认"),
            "draft": draft,
            "masked_id": mask(draft.applicant.id_number or ""),
            # The form as the citizen confirmed it, numbers masked (accounts.identity.mask_value):
            # the clerk typed them with the ID card in hand; the page stays on the desk's screen.
            "rows": [
                {"field": f, "value": mask_value(f.type, draft.form_data.get(f.key, ""))}
                for f in form_fields([draft.matter])
            ],
            "files": list(draft.files.select_related("requirement")),
            "code_minutes": help_desk.CODE_MINUTES,
            "tries_left": max(help_desk.MAX_TRIES - draft.tries, 0),
            "expired": clock.now() >= draft.code_expires_at,
        },
        status=status,
    )
