"""Reads of 好差评 and 投诉举报 shared by pages and API: who sees what, and the figures.

Who sees what (decided here once):
- supervisors: every rating, follow-up, appeal and complaint;
- a department's reviewers: the ratings of their department's decisions, their follow-ups,
  and complaints routed to them;
- window clerks: the window ratings of the halls where they sit today and those follow-ups
  (any clerk of the hall handles the hall's follow-ups; the hall has no separate head in our model);
- citizens: their own complaints ("我的投诉"); anonymous complainants one complaint by its code.

Figures for the dashboard (valid ratings only: an accepted appeal removes a rating everywhere):

    rating_distribution(*, by: "department" | "hall" | "clerk" | None, start: date, end: date,
                        occasion: str | None = None) -> list[dict]
        one row per rated department / hall / clerk (or one row for the district when by is None):
        {"key", "name", "total", "levels": {5: n, 4: n, 3: n, 2: n, 1: n}, "bad", "satisfied",
         "satisfaction_rate" (share of 满意 and 非常满意, %, one decimal; None without ratings)},
        for ratings made from `start` to `end` inclusive (Beijing dates), most ratings first.
        Served by the partial indexes (dimension, rated_on) WHERE is_valid.

    complaint_counts_by_department(*, today: date) -> list[dict]
        {"department_id" (None: 政务服务中心 — routing or escalated), "name", "open", "overdue"}:
        complaints not closed (routing, open, replied, escalated) and those whose clock runs past
        its due date. Served by (department, state, due).

    followup_counts(*, today: date) -> dict: {"open", "overdue", "closed", "voided"}
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import Department, Hall, User
from core.errors import NotFound
from core.numbers import is_small_int
from supervision.scope.districts import scope_of
from workflow.models import Application
from workflow.selectors import applications_for

from .models import Complaint, FollowUp, Occasion, Rating, RatingAppeal, RatingLevel
from .ratings import clerk_hall_ids


def _pk(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _in_district(qs, user):
    """A supervisor's ratings or follow-ups: all; a district supervisor's (issue 15) those of
    the district's departments (decisions) and halls (window service)."""
    scope = scope_of(user)
    if scope is None:
        return qs
    return qs.filter(Q(department_id__in=sorted(scope.department_ids)) | Q(hall_id__in=sorted(scope.hall_ids)))


def ratings_for(user):
    qs = Rating.objects.select_related("application", "clerk", "hall", "department", "followup", "appeal",
                                       "token__subcase")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_supervisor or user.is_superuser:
        return _in_district(qs, user)
    if user.is_reviewer:
        return qs.filter(department_id=user.department_id)
    if user.is_clerk:
        return qs.filter(hall_id__in=clerk_hall_ids(user), department__isnull=True)
    return qs.none()


def followups_for(user):
    qs = FollowUp.objects.select_related("rating", "rating__application", "rating__clerk", "rating__hall",
                                         "rating__department", "department", "hall", "rating__appeal",
                                         "rating__token__subcase__matter")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_supervisor or user.is_superuser:
        return _in_district(qs, user)
    if user.is_reviewer:
        return qs.filter(department_id=user.department_id)
    if user.is_clerk:
        return qs.filter(hall_id__in=clerk_hall_ids(user), department__isnull=True)
    return qs.none()


def access_followup(user, pk) -> FollowUp:
    found = followups_for(user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if found is None:
        raise NotFound(_("未找到该差评整改,或您无权查看。"), code="followup_not_found")
    return found


def access_rating(user, pk) -> Rating:
    found = ratings_for(user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if found is None:
        raise NotFound(_("未找到该评价,或您无权查看。"), code="rating_not_found")
    return found


def appeals_for(user):
    qs = RatingAppeal.objects.select_related("rating", "rating__application", "rating__department", "rating__hall",
                                             "rating__clerk", "appealed_by", "decided_by")
    return qs.filter(rating__in=ratings_for(user))


def access_appeal(user, pk) -> RatingAppeal:
    found = appeals_for(user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if found is None:
        raise NotFound(_("未找到该申诉,或您无权查看。"), code="appeal_not_found")
    return found


def access_application_to_rate(user, number) -> Application:
    """评价 on an application page: the applicant's own application (the person served rates;
    an agent or the enterprise's other staff do not), read through the applicant's list
    (`workflow.selectors.applications_for`). NotFound otherwise."""
    found = applications_for(user).filter(applicant=user, number=number).first() if number else None
    if found is None:
        raise NotFound(_("未找到该办件。"), code="application_not_found")
    return found


# The hall of a window visit, by occasion: where the walk-in was accepted, where the result was handed out.
VISIT_HALL = {Occasion.WINDOW_ACCEPT: "accepted_hall_id", Occasion.WINDOW_DELIVER: "delivery_hall_id"}


def access_window_visit(clerk, number, occasion: str = "") -> tuple[Application, str]:
    """The case and occasion of a window visit in a hall where `clerk` sits today, for its rating
    QR code: `occasion` is window_accept or window_deliver (by default the hand-out if there was
    one, else the acceptance). NotFound when the visit did not happen in one of her halls,
    whether or not the number exists, and before any rating link is made. A visit that has not
    happened yet (no hand-out) is the service's to refuse (409: nothing to rate)."""
    halls = clerk_hall_ids(clerk)
    application = None
    if halls and number:
        application = (Application.objects.filter(number=number)
                       .filter(Q(accepted_hall_id__in=halls) | Q(delivery_hall_id__in=halls)).first())
    if application is not None and occasion not in VISIT_HALL:
        occasion = Occasion.WINDOW_DELIVER if application.delivered_by_id else Occasion.WINDOW_ACCEPT
    visit_hall = getattr(application, VISIT_HALL[occasion], None) if application is not None else None
    if application is None or (visit_hall is not None and visit_hall not in halls):
        raise NotFound(_("未找到该办件在本大厅的窗口服务。"), code="not_this_hall")
    return application, occasion


def complaints_for_staff(user):
    qs = Complaint.objects.select_related("department", "application", "complainant", "intermediary__enterprise")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_supervisor or user.is_superuser:
        scope = scope_of(user)  # a district supervisor: the complaints their departments answer for
        return qs if scope is None else qs.filter(department_id__in=sorted(scope.department_ids))
    if user.is_reviewer:
        return qs.filter(department_id=user.department_id).exclude(state=Complaint.State.ROUTING)
    return qs.none()


def access_complaint_for_staff(user, pk) -> Complaint:
    found = complaints_for_staff(user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if found is None:
        raise NotFound(_("未找到该投诉,或您无权查看。"), code="complaint_not_found")
    return found


def complaints_of(user):
    if not getattr(user, "is_authenticated", False):
        return Complaint.objects.none()
    return Complaint.objects.select_related("department", "application").filter(complainant=user)


def access_own_complaint(user, pk) -> Complaint:
    found = complaints_of(user).filter(pk=_pk(pk)).first() if _pk(pk) else None
    if found is None:
        raise NotFound(_("未找到该投诉。"), code="complaint_not_found")
    return found


def filter_complaints(qs, *, state="", department="", overdue="", today: dt.date | None = None):
    if state == "active":
        qs = qs.exclude(state=Complaint.State.CLOSED)
    elif state in Complaint.State.values:
        qs = qs.filter(state=state)
    if is_small_int(department):  # within a database integer
        qs = qs.filter(department_id=int(department))
    if overdue == "1" and today is not None:
        qs = qs.filter(state__in=Complaint.RUNNING_STATES, due__lt=today)
    return qs


def filter_followups(qs, *, state="", overdue="", today: dt.date | None = None):
    if state in FollowUp.State.values:
        qs = qs.filter(state=state)
    if overdue == "1" and today is not None:
        qs = qs.filter(state=FollowUp.State.OPEN, due__lt=today)
    return qs


def filter_ratings(qs, *, level="", occasion="", start=None, end=None, valid=""):
    if is_small_int(str(level)) and int(level) in RatingLevel.values:
        qs = qs.filter(level=int(level))
    if occasion in Occasion.values:
        qs = qs.filter(occasion=occasion)
    if start:
        qs = qs.filter(rated_on__gte=start)
    if end:
        qs = qs.filter(rated_on__lte=end)
    if valid == "1":
        qs = qs.filter(is_valid=True)
    elif valid == "0":
        qs = qs.filter(is_valid=False)
    return qs


# --- figures ----------------------------------------------------------------------------------

DIMENSIONS = {"department": "department_id", "hall": "hall_id", "clerk": "clerk_id"}


def _rate(satisfied, total):
    return round(100 * satisfied / total, 1) if total else None


def rating_distribution(*, by: str | None, start: dt.date, end: dt.date, occasion: str | None = None,
                        scope=None) -> list[dict]:
    """Valid ratings from `start` to `end` (inclusive) by dimension: see the module docstring
    (`scope`: a district supervisor's, the district's departments and halls alone)."""
    if by is not None and by not in DIMENSIONS:
        raise ValueError(by)
    qs = Rating.objects.filter(is_valid=True, rated_on__gte=start, rated_on__lte=end)
    if scope is not None:
        qs = qs.filter(Q(department_id__in=sorted(scope.department_ids)) | Q(hall_id__in=sorted(scope.hall_ids)))
    if occasion:
        qs = qs.filter(occasion=occasion)
    if by is not None:
        column = DIMENSIONS[by]
        qs = qs.filter(**{f"{column}__isnull": False})
        group = [column]
    else:
        group = []
    aggregates = {f"l{level}": Count("pk", filter=Q(level=level)) for level in RatingLevel.values}
    rows = list(qs.values(*group).annotate(total=Count("pk"), **aggregates).order_by()) if group else \
        [{**qs.aggregate(total=Count("pk"), **aggregates)}]
    names = {}
    if by == "department":
        names = dict(Department.objects.filter(pk__in=[r["department_id"] for r in rows]).values_list("pk", "name"))
    elif by == "hall":
        names = dict(Hall.objects.filter(pk__in=[r["hall_id"] for r in rows]).values_list("pk", "name"))
    elif by == "clerk":
        names = dict(User.objects.filter(pk__in=[r["clerk_id"] for r in rows]).values_list("pk", "real_name"))
    result = []
    for row in rows:
        levels = {level: row[f"l{level}"] or 0 for level in RatingLevel.values}
        total = row["total"] or 0
        satisfied = levels[RatingLevel.VERY_SATISFIED] + levels[RatingLevel.SATISFIED]
        key = row[DIMENSIONS[by]] if by else None
        result.append({
            "key": key, "name": names.get(key, "") if by else _("全区"), "total": total, "levels": levels,
            "bad": levels[RatingLevel.DISSATISFIED] + levels[RatingLevel.VERY_DISSATISFIED],
            "satisfied": satisfied, "satisfaction_rate": _rate(satisfied, total),
        })
    result.sort(key=lambda r: (-r["total"], str(r["name"])))
    return result


def complaint_counts_by_department(*, today: dt.date, departments=None) -> list[dict]:
    """Complaints not closed and overdue, by responsible department (None: the centre).
    `departments`: a district supervisor's department ids: those alone, without the centre's
    (routing and escalation are the city centre's)."""
    not_closed = ~Q(state=Complaint.State.CLOSED)
    overdue = Q(state__in=[Complaint.State.OPEN], due__lt=today)
    centre = Q(state__in=[Complaint.State.ROUTING, Complaint.State.ESCALATED])
    mine = Q() if departments is None else Q(department_id__in=sorted(departments))
    rows = list(
        Complaint.objects.filter(not_closed, mine).exclude(centre)
        .values("department_id").annotate(open=Count("pk"), overdue=Count("pk", filter=overdue)).order_by()
    )
    # the names of these departments only (none to read when nothing is open: the dashboard's usual case)
    names = dict(Department.objects.filter(pk__in=[r["department_id"] for r in rows]).order_by()
                 .values_list("pk", "name"))
    result = [{"department_id": r["department_id"], "name": names.get(r["department_id"], ""), "open": r["open"],
               "overdue": r["overdue"]} for r in rows]
    if departments is not None:
        result.sort(key=lambda r: (-r["overdue"], -r["open"], str(r["name"])))
        return result
    at_centre = Complaint.objects.filter(centre).aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due__lt=today)))
    if at_centre["open"]:
        result.append({"department_id": None, "name": _("政务服务中心"), "open": at_centre["open"],
                       "overdue": at_centre["overdue"]})
    result.sort(key=lambda r: (-r["overdue"], -r["open"], str(r["name"])))
    return result


def followup_counts(*, today: dt.date, qs=None) -> dict:
    qs = FollowUp.objects.all() if qs is None else qs
    return qs.aggregate(
        open=Count("pk", filter=Q(state=FollowUp.State.OPEN)),
        overdue=Count("pk", filter=Q(state=FollowUp.State.OPEN, due__lt=today)),
        closed=Count("pk", filter=Q(state=FollowUp.State.CLOSED)),
        voided=Count("pk", filter=Q(state=FollowUp.State.VOIDED)),
    )
