"""Pages of 好差评 and 投诉举报.

For citizens: the rating page behind a one-time link (public, big buttons for a phone or the
window's rating pad), "评价" on their application, the complaint form (public), the complaint's
status by query code, "我的投诉". For the window: the rating link and QR code of a visit. For the
rated side (a department's reviewers, a hall's clerks): follow-ups with call-back, reply and
appeal forms, and complaints with the reply form. For supervisors: ratings with their
distribution, follow-ups, appeals to review, complaints (routing, closing escalated ones).

Every view: validate input → one `access_*`/selector → one service → redirect or render; a
service's refusal is shown as its Chinese message on the same page with the service's status.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, User
from core.errors import DomainError, Forbidden, Invalid, NotFound
from core.pdf import qr_png_data_uri
from core.throttle import client_address
from core.web.access import not_found_page, not_found_pages, role_required, show_domain_error
from core.web.forms import checked
from core.web.paging import keyset_page, page_of
from market.models import Intermediary
from supervision.scope.districts import scope_of

from . import complaints, ratings
from . import selectors as feedback
from .forms import (
    ComplaintCodeForm,
    ComplaintForm,
    ComplaintStaffForm,
    ComplaintStatusForm,
    FollowupForm,
    RatingForm,
)
from .models import (
    BAD_REASONS,
    COMMENT_MAX,
    LEVELS_BIG_FIRST,
    CallBack,
    Complaint,
    FollowUp,
    Occasion,
    RatingAppeal,
)

STAFF_ROLES = (User.Role.SUPERVISOR, User.Role.REVIEWER, User.Role.CLERK)
LIST_PER_PAGE = 50


def _today():
    return timezone.localdate()


# --- rating (citizen) -----------------------------------------------------------------------------


def rate(request, token):
    """The one-time rating page. Anyone holding the link may rate once."""
    try:
        link = ratings.access_rating_token(token)
    except NotFound as exc:
        return not_found_page(request, exc.message)
    status, errors, posted = 200, {}, {}
    if request.method == "POST":
        form = RatingForm(request.POST)
        posted = {"level": form.data.get("level", ""), "comment": form.data.get("comment", ""),
                  "reasons": form.data.getlist("reasons")}
        try:
            data = checked(form)
            ratings.rating_submit(token=link, level=data["level"], comment=data["comment"],
                                  reasons=data["reasons"], actor=request.user)
        except DomainError as exc:
            show_domain_error(request, exc)
            status, errors = exc.status, exc.fields
            link.refresh_from_db()
        else:
            return redirect("portal:rate", token=link.token)
    rating = getattr(link, "rating", None) if link.used_at else None
    return render(request, "supervision/rate.html", {
        "title": _("服务评价"), "link": link, "rating": rating, "levels": LEVELS_BIG_FIRST,
        "reasons": list(BAD_REASONS.items()), "comment_max": COMMENT_MAX, "errors": errors, "posted": posted,
        "expired": link.used_at is None and link.expires_at <= timezone.now(),
    }, status=status)


@login_required
@not_found_pages
def application_ratings(request, number):
    """评价 on the citizen's application: every occasion of the case, rated or to rate."""
    application = feedback.access_application_to_rate(request.user, number)
    tokens = ratings.rating_tokens_for(application)
    return render(request, "supervision/application_ratings.html", {
        "title": _("评价办件"), "application": application, "tokens": tokens,
    })


@role_required(User.Role.CLERK)
@not_found_pages
def window_rating(request, number):
    """The clerk shows the visit's rating link as a QR code for the applicant's phone or the
    window's rating pad. Clerks seated today in the hall where the visit happened only."""
    application, occasion = feedback.access_window_visit(request.user, number, request.GET.get("occasion", ""))
    try:
        link = ratings.rating_token_issue(application=application, occasion=occasion)
    except DomainError as exc:
        show_domain_error(request, exc)
        return render(request, "supervision/window_rating.html", {"title": _("窗口服务评价"), "link": None,
                                                                   "application": application}, status=exc.status)
    url = request.build_absolute_uri(reverse("portal:rate", args=[link.token]))
    return render(request, "supervision/window_rating.html", {
        "title": _("窗口服务评价"), "application": application, "link": link, "url": url,
        "qr": qr_png_data_uri(url) if not link.used_at else None,
    })


# --- complaints (anyone) ------------------------------------------------------------------------


def complaint_new(request):
    status, errors, posted = 200, {}, {}
    anonymous = not request.user.is_authenticated
    address = client_address(request)
    if request.method == "POST":
        form = ComplaintForm(request.POST)
        posted = {key: form.data.get(key, "") for key in form.fields}
        try:
            if anonymous and complaints.submit_throttle.blocked(ip=address):
                raise complaints.TooMany(complaints.TOO_MANY_SUBMISSIONS, code="too_many_complaints")
            data = checked(form)
            complaint = complaints.complaint_submit(
                user=request.user, kind=data["kind"], department_id=data["department"],
                application_number=data["application_number"], subject=data["subject"],
                content=data["content"], contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                intermediary_id=data["intermediary"],
            )
        except DomainError as exc:
            show_domain_error(request, exc)
            status, errors = exc.status, exc.fields
        else:
            if anonymous:
                complaints.submit_throttle.fail(ip=address)
            messages.success(request, _("已收到您的%(kind)s,查询码 %(code)s,请妥善保存,凭查询码查看办理进度。") % {
                "kind": complaint.get_kind_display(), "code": complaint.code})
            return redirect(f"{reverse('portal:complaint_status')}?code={complaint.code}")
    return render(request, "supervision/complaint_new.html", {
        "title": _("投诉举报"), "departments": Department.objects.order_by("code"), "kinds": Complaint.Kind.choices,
        "errors": errors, "posted": posted, "days": complaints.COMPLAINT_DAYS,
        "prefill": request.GET.get("number", "")[:32],
        "intermediaries": Intermediary.objects.approved().select_related("enterprise").order_by("enterprise__name"),
        "prefill_intermediary": request.GET.get("intermediary", "")[:10],
    }, status=status)


def complaint_status(request):
    """The complainant's page: by query code (anyone holding it), to accept or escalate."""
    address = client_address(request)
    code = ComplaintCodeForm(request.POST if "code" in request.POST else request.GET).normalised
    status, errors, complaint, message, posted = 200, {}, None, "", {}
    if code:
        if complaints.lookup_throttle.blocked(ip=address):
            status, message = 429, str(complaints.TOO_MANY_LOOKUPS)
        else:
            try:
                complaint = complaints.access_complaint_by_code(code)
            except NotFound as exc:
                complaints.lookup_throttle.fail(ip=address)
                status, message = 404, exc.message
    if request.method == "POST" and complaint is not None:
        form = ComplaintStatusForm(request.POST)
        try:
            data = checked(form)
            if data["action"] == "accept":
                complaints.complaint_accept(complaint=complaint, user=request.user, code=code)
                messages.success(request, _("感谢您的确认,投诉已办结。"))
            else:
                complaints.complaint_escalate(complaint=complaint, user=request.user, code=code,
                                              reason=data["reason"])
                messages.success(request, _("已提请督查人员办理。"))
        except DomainError as exc:
            show_domain_error(request, exc)
            status, errors, posted = exc.status, exc.fields, {"reason": form.data.get("reason", "")}
        else:
            return redirect(f"{reverse('portal:complaint_status')}?code={complaint.code}")
    elif request.method == "POST":
        status = status if status != 200 else 404
        message = message or _("请输入查询码。")
    if message:
        messages.error(request, message)
    return render(request, "supervision/complaint_status.html", {
        "title": _("投诉办理进度"), "complaint": complaint, "code": code if complaint else "", "errors": errors,
        "posted": posted,
        "today": _today(),
        "log": complaint.log.all() if complaint else (),
    }, status=status)


@role_required(User.Role.PUBLIC)
def my_complaints(request):
    return render(request, "supervision/my_complaints.html", {
        "title": _("我的投诉"), "complaints": feedback.complaints_of(request.user),
    })


# --- staff: follow-ups, ratings, appeals ----------------------------------------------------------


def _scope(user):
    district = scope_of(user)
    if district is not None:
        return district.name
    if user.is_supervisor or user.is_superuser:
        return _("全区")
    if user.is_reviewer:
        return user.department.name
    return _("本大厅窗口服务")


@role_required(*STAFF_ROLES, allow_superuser=True)
def followup_list(request):
    user, today = request.user, _today()
    filters = {"state": request.GET.get("state", "open"), "overdue": request.GET.get("overdue", "")}
    visible = feedback.followups_for(user)
    # keyset pages by (due, id) (issue 15; followup_state_order_idx, followup_order_idx)
    page = keyset_page(request, feedback.filter_followups(visible, today=today, **filters), key="due",
                       descending=False, per_page=LIST_PER_PAGE)
    return render(request, "supervision/followup_list.html", {
        "title": _("差评整改"), "scope": _scope(user), "page": page, "filters": filters, "today": today,
        "counts": feedback.followup_counts(today=today, qs=visible), "states": FollowUp.State.choices,
        "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
    })


def _followup_context(request, followup, *, errors=None, posted=None):
    user = request.user
    rating = followup.rating
    appeal = getattr(rating, "appeal", None)
    rated_side = ratings.may_handle(user, department_id=followup.department_id, hall_id=followup.hall_id)
    return {
        "title": _("差评整改"), "followup": followup, "rating": rating, "appeal": appeal,
        "callbacks": followup.callbacks.select_related("by"), "log": rating.log.select_related("actor"),
        "can_handle": rated_side and followup.is_open,
        "can_appeal": rated_side and appeal is None and rating.is_valid,
        "can_decide": user.is_supervisor and appeal is not None and appeal.state == RatingAppeal.State.PENDING,
        "methods": CallBack.Method.choices, "kinds": RatingAppeal.Kind.choices, "today": _today(),
        "errors": errors or {}, "posted": posted or {},
    }


@role_required(*STAFF_ROLES, allow_superuser=True)
@not_found_pages
def followup_detail(request, pk):
    followup = feedback.access_followup(request.user, pk)
    if request.method != "POST":
        return render(request, "supervision/followup_detail.html", _followup_context(request, followup))
    form = FollowupForm(request.POST)
    try:
        data = checked(form)
        action = data["action"]
        if action == "call_back":
            ratings.followup_call_back(followup=followup, user=request.user, method=data["method"],
                                       summary=data["summary"], called_at=data["called_at"],
                                       satisfied=data["satisfied"])
            done = _("回访记录已保存。")
        elif action == "close":
            ratings.followup_close(followup=followup, user=request.user, reply=data["reply"])
            done = _("整改已办结。")
        elif action == "appeal":
            ratings.rating_appeal(rating=followup.rating, user=request.user, kind=data["kind"],
                                  statement=data["statement"], evidence=request.FILES.get("evidence"))
            done = _("申诉已提交,等待督查人员审核。")
        else:
            appeal = getattr(followup.rating, "appeal", None)
            if appeal is None or not request.user.is_supervisor:
                raise Forbidden(_("只有督查人员可以审核差评申诉。"), code="not_a_supervisor")
            if not data["decision"]:
                raise Invalid(_("请选择申诉成立或不成立。"), code="decision_required")
            ratings.rating_appeal_decide(appeal=appeal, supervisor=request.user, accept=data["decision"] == "accept",
                                         reason=data["reason"])
            done = _("已审核申诉。")
    except DomainError as exc:
        show_domain_error(request, exc)
        followup = feedback.access_followup(request.user, pk)
        context = _followup_context(request, followup, errors=exc.fields, posted=form.data)
        return render(request, "supervision/followup_detail.html", context, status=exc.status)
    messages.success(request, done)
    return redirect("portal:followup", pk=followup.pk)


def _period(request):
    today = _today()
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today.replace(day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return start, end


@role_required(*STAFF_ROLES, allow_superuser=True)
def rating_list(request):
    """Ratings with the distribution of the period; supervisors by department, hall or clerk."""
    user = request.user
    start, end = _period(request)
    filters = {"level": request.GET.get("level", ""), "occasion": request.GET.get("occasion", ""),
               "valid": request.GET.get("valid", "")}
    visible = feedback.ratings_for(user)
    rows = feedback.filter_ratings(visible, start=start, end=end, **filters)
    page = keyset_page(request, rows, key="created_at", descending=True, per_page=LIST_PER_PAGE)  # rating_created_idx
    by = request.GET.get("by", "department")
    if by not in feedback.DIMENSIONS:
        by = "department"
    is_supervisor = user.is_supervisor or user.is_superuser
    distribution = feedback.rating_distribution(by=by, start=start, end=end, occasion=filters["occasion"] or None,
                                                scope=scope_of(user)) if is_supervisor else None
    own = rows.filter(is_valid=True)
    totals = {level: own.filter(level=level).count() for level, _label in LEVELS_BIG_FIRST}
    return render(request, "supervision/rating_list.html", {
        "title": _("好差评"), "scope": _scope(user), "page": page, "filters": filters, "start": start, "end": end,
        "by": by, "dimensions": [("department", _("部门")), ("hall", _("大厅")), ("clerk", _("窗口人员"))],
        "distribution": distribution, "levels": LEVELS_BIG_FIRST, "totals": totals,
        "total": sum(totals.values()), "occasions": Occasion.choices,
        "query": "&".join(f"{k}={v}" for k, v in {**filters, "start": start, "end": end, "by": by}.items() if v),
        "pending_appeals": feedback.appeals_for(user).filter(state=RatingAppeal.State.PENDING).count(),
    })


@role_required(User.Role.SUPERVISOR, allow_superuser=True)
def appeal_list(request):
    state = request.GET.get("state", RatingAppeal.State.PENDING)
    qs = feedback.appeals_for(request.user)
    if state in RatingAppeal.State.values:
        qs = qs.filter(state=state)
    page = page_of(request, qs.select_related("rating__followup"), 50)
    return render(request, "supervision/appeal_list.html", {
        "title": _("差评申诉审核"), "page": page, "state": state, "states": RatingAppeal.State.choices,
        "query": f"state={state}",
    })


# --- staff: complaints ------------------------------------------------------------------------------


@role_required(User.Role.SUPERVISOR, User.Role.REVIEWER, allow_superuser=True)
def complaint_list(request):
    user, today = request.user, _today()
    filters = {"state": request.GET.get("state", "active"), "department": request.GET.get("department", ""),
               "overdue": request.GET.get("overdue", "")}
    visible = feedback.complaints_for_staff(user)
    qs = feedback.filter_complaints(visible, today=today, **filters)
    page = keyset_page(request, qs, key="due", descending=False, per_page=LIST_PER_PAGE)  # complaint_*_order_idx
    is_supervisor = user.is_supervisor or user.is_superuser
    district = scope_of(user)
    departments = Department.objects.order_by("code")
    if district is not None:
        departments = departments.filter(pk__in=sorted(district.department_ids))
    return render(request, "supervision/complaint_list.html", {
        "title": _("投诉举报办理"), "scope": _scope(user), "page": page, "filters": filters, "today": today,
        "states": [("active", _("未办结")), *Complaint.State.choices, ("all", _("全部"))],
        "departments": departments if is_supervisor else None,
        "by_department": feedback.complaint_counts_by_department(
            today=today, departments=district.department_ids if district else None) if is_supervisor else None,
        "query": "&".join(f"{k}={v}" for k, v in filters.items() if v),
    })


def _complaint_context(request, complaint, *, errors=None, posted=None):
    user = request.user
    return {
        "title": _("投诉详情"), "complaint": complaint, "log": complaint.log.select_related("actor"),
        "today": _today(), "errors": errors or {}, "posted": posted or {},
        "can_reply": complaints.may_reply(user, complaint) and complaint.state == Complaint.State.OPEN,
        "can_route": user.is_supervisor and complaint.state == Complaint.State.ROUTING,
        "can_close": user.is_supervisor and complaint.state != Complaint.State.CLOSED,
        "departments": Department.objects.order_by("code") if user.is_supervisor else (),
    }


@role_required(User.Role.SUPERVISOR, User.Role.REVIEWER, allow_superuser=True)
@not_found_pages
def complaint_detail(request, pk):
    complaint = feedback.access_complaint_for_staff(request.user, pk)
    if request.method != "POST":
        return render(request, "supervision/complaint_detail.html", _complaint_context(request, complaint))
    form = ComplaintStaffForm(request.POST)
    try:
        data = checked(form)
        if data["action"] == "reply":
            complaints.complaint_reply(complaint=complaint, user=request.user, reply=data["reply"],
                                       upheld=data["upheld"])
            done = _("答复已送达投诉人。")
        elif data["action"] == "route":
            complaints.complaint_route(complaint=complaint, supervisor=request.user, department_id=data["department"])
            done = _("已分派。")
        else:
            complaints.complaint_close(complaint=complaint, supervisor=request.user, note=data["note"],
                                       upheld=data["upheld"])
            done = _("投诉已办结。")
    except DomainError as exc:
        show_domain_error(request, exc)
        complaint = feedback.access_complaint_for_staff(request.user, pk)
        context = _complaint_context(request, complaint, errors=exc.fields, posted=form.data)
        return render(request, "supervision/complaint_detail.html", context, status=exc.status)
    messages.success(request, done)
    return redirect("portal:complaint_staff", pk=complaint.pk)
