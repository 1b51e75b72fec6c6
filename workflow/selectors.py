"""Reads shared by pages and API. Each role's queryset is narrowed in one place, and `access_*`
helpers fetch and authorise in one call (404 for what the user may not even know exists)."""

from __future__ import annotations

import datetime as dt
from functools import partial, reduce
from operator import or_

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from accounts.identity import mask_name
from accounts.models import AgentAuthorisation, Enterprise
from core.clock import law
from core.errors import NotFound

from . import hooks
from .models import Application, DeliveryMethod, Material, SubCase

# "ask hooks.desk_for": a page that reads several of the clerk's lists passes her desk, read once
_DESK_UNKNOWN = object()

APPLICATION_RELATED = ("applicant", "enterprise", "theme", "accepted_hall", "received_hall", "pickup_hall")

# What a worklist's rows never show: the one form's answers and the situation (JSON, the form
# decrypted on every row), the postal phone and address (decrypted), a matter version's guide
# snapshot. The list pages defer them (issue 15: the rows are most of a page's time).
LIST_DEFERRED = ("form_data", "situation", "post_phone", "post_address")


# What an application's list row shows of its relations: the applicant's name and masked number,
# joined; the enterprise's name, prefetched (one query a page, none when no row has one). The
# other relations (theme, the three halls) are not on a row: each join costs PostgreSQL planning
# time on every page, more than the rows' reading (issue 15: /hall/'s row query with six joins
# planned in 11.6 ms and ran in 0.5 ms at 1M applications).
LIST_JOINED = ("applicant",)
LIST_PREFETCHED = ("enterprise",)


def for_list(qs, *, through: str = ""):
    """`qs` (applications, or rows reaching one `through` a relation: "application__") without
    the columns no list row shows (`LIST_DEFERRED`); sub-cases leave their guide snapshot too;
    applications join only what a row shows (`LIST_JOINED`, `LIST_PREFETCHED`)."""
    deferred = [f"{through}{name}" for name in LIST_DEFERRED]
    if qs.model is SubCase:
        deferred.append("matter_version__snapshot")
    if qs.model is Application:
        qs = qs.select_related(None).select_related(*LIST_JOINED).prefetch_related(*LIST_PREFETCHED)
    return qs.defer(*deferred)


def applications_for(user):
    """Applications a user may read: their own (or their enterprises'), a clerk's hall-facing
    work (every submitted application: 同城通办 means any hall), everything for a supervisor."""
    qs = Application.objects.select_related(*APPLICATION_RELATED)
    if not user.is_authenticated:
        return qs.none()
    if user.is_clerk:  # which settles art. 32 first itself
        return qs.filter(clerk_readable_q(user))
    settle_deemed_acceptance()  # art. 32 before any list or case is read
    if user.is_supervisor or user.is_superuser:
        return qs
    if user.is_reviewer:  # EXISTS, not DISTINCT over the join (issue 15: 178 ms of 193 at 1M)
        return qs.filter(Exists(SubCase.objects.filter(application=OuterRef("pk"), department_id=user.department_id)))
    return qs.filter(Q(applicant=user) | Q(enterprise__in=_enterprises_of(user)) | _as_agent(user))


def _enterprises_of(user) -> list[int]:
    """The enterprises a person acts for, as ids (a few): see `_as_agent`."""
    return list(Enterprise.objects.filter(members=user).values_list("pk", flat=True))


def clerk_readable_q(user, *, through: str = "", desk=_DESK_UNKNOWN, settle: bool = True) -> Q:
    """What a clerk may list and read (issue 12): what waits in the queue of the windows she sits
    at today (授权 applied), what waits there that she may not take (同城通办, so that her
    workbench can say why), the cases in her hands (统一调配: wherever she sits), the results
    at her delivery window, and what she registered or accepted herself. Nothing else: an
    unseated clerk reads only her own cases, and another hall's work is not hers to browse.
    A case outside this set is reached only by its whole number at a window she sits at
    today (`access_application`).

    A condition on the application's own columns (`through`: the path to it from another
    model, "application__"), which a list tests row by row through its indexes, not the set of
    every id it allows (as `pk IN (…)`, PostgreSQL hashed the city's whole queue for each list:
    a clerk's sub-cases took 2.2 s at 1M, her card list 3 s; issue 15). Each part of the set, as
    its own selector reads it:
    - her queue and the queue outside her 授权 (`clerk_queue`, `clerk_queue_elsewhere`): together,
      every submitted or supplement-requested application of her windows' categories;
    - in her hands (`cases_in_hand`): the walk-ins she registered and the 容缺 acceptances she
      made are her own; the supplements she asked for and are still open;
    - at her delivery window (`delivery_queue`); her own (registered or accepted by her).
    Her sub-cases are the accepted part of this set, read by the sub-case's own columns
    (`clerk_subcase_parts`). `settle=False`: the caller settled art. 32 already, and the
    condition is then a function of `user`'s id and `desk` alone (the card list compiles it
    once; `supervision.cards.selectors.live_cards`)."""
    from .models import SupplementRequest

    on, S = partial(_on, through), Application.State
    if settle:
        settle_deemed_acceptance()  # art. 32 first: what has been deemed accepted has left the queue
    if desk is _DESK_UNKNOWN:  # once, not once per part (issue 15); `desk`: a page's, read already
        desk = hooks.desk_for(user, timezone.localdate())
    parts = on(created_by=user) | on(accepted_by=user)
    delivering = delivery_condition(desk, through=through)
    if delivering is not None:
        parts |= on(state=S.RESULT_READY) & delivering
    open_requests = SupplementRequest.objects.filter(requested_by=user, resolved_at__isnull=True)
    parts |= on(state=S.SUPPLEMENT_REQUESTED, pk__in=open_requests.values("application_id"))
    if desk is not None and desk.categories:
        parts |= on(state__in=(S.SUBMITTED, S.SUPPLEMENT_REQUESTED), category__in=sorted(desk.categories))
    return ~on(state=S.DRAFT) & parts


def _as_agent(user):
    """What an agent submitted, while the authorisation it was made under is in force."""
    today = timezone.localdate()
    # the authorisations' ids first (an agent holds a few): an OR of plain column tests lets the
    # database combine the applicant, enterprise and agent indexes (issue 15, 我的办件 at 1M)
    in_force = AgentAuthorisation.objects.filter(agent=user, revoked_at__isnull=True, ends_on__gte=today)
    return Q(agent=user, agent_authorisation_id__in=list(in_force.values_list("pk", flat=True)))


def settle_deemed_acceptance(application=None) -> None:
    """行政许可法第三十二条 on read: an application whose 5 working days have passed is accepted
    as of its receipt before anyone reads it (one indexed query when there is nothing to do), so
    that a stopped worker cannot delay it. With `application`: that one only."""
    from . import services

    today = timezone.localdate()
    if application is None:
        if Application.objects.filter(state=Application.State.SUBMITTED, pre_review_due__lt=today).exists():
            services.deem_overdue_applications_accepted(today=today)
    elif application.state == Application.State.SUBMITTED and law.is_deemed_accepted(
            due=application.pre_review_due, today=today):
        services.apply_deemed_acceptance(application_id=application.pk, today=today)
        application.refresh_from_db()


def access_application(user, number: str, *, found_by: str = "number") -> Application:
    """The application `number` if `user` may read it (NotFound otherwise). A clerk reading a
    case outside her lists (found by its number at her window) leaves a `looked_up` row on the
    case; `application.read_logged` says whether this call wrote one (`found_by`: how the clerk
    found it — "number", "id_number" or "name", as the workbench search says)."""
    application = applications_for(user).filter(number=number).first()
    if application is None and user.is_authenticated and user.is_clerk and number:
        application = _found_at_window(user, number, found_by=found_by)
    if application is None:
        raise NotFound(_("未找到该办件,或您无权查看。"), code="application_not_found")
    settle_deemed_acceptance(application)
    return application


# One visit at the counter: the same clerk reading the same case again within this time (the
# page, then its materials, notices, a refresh) is the same read and is logged once.
READ_LOG_QUIET = dt.timedelta(minutes=10)


def _found_at_window(clerk, number: str, *, found_by: str = "number"):
    """An applicant at the counter gives her number: a clerk seated today reads that one case
    (any hall: 同城通办), and the read is logged on the case. Only the whole number; unseated
    clerks cannot."""
    if hooks.desk_for(clerk, timezone.localdate()) is None:
        return None
    application = (Application.objects.select_related(*APPLICATION_RELATED)
                   .exclude(state=Application.State.DRAFT).filter(number=number).first())
    if application is not None:
        application.read_logged = _log_read_outside_lists(clerk, application, found_by=found_by)
    return application


def _log_read_outside_lists(clerk, application, *, found_by: str) -> bool:
    """Write the `looked_up` row of a read outside the clerk's lists, unless this clerk's last
    read of the case is more recent than `READ_LOG_QUIET`. True when a row was written."""
    from . import services
    from .models import CaseLog

    recent = CaseLog.objects.filter(application=application, actor=clerk, action="workflow.application.looked_up",
                                    created_at__gte=timezone.now() - READ_LOG_QUIET)
    if recent.exists():
        return False
    services.application_looked_up(application=application, clerk=clerk, kind=found_by, outside_lists=True)
    return True


def clerk_queue(user, *, states=(Application.State.SUBMITTED,), desk=_DESK_UNKNOWN, settle=True):
    """Applications waiting at the clerk's windows today, by the categories they accept. A page
    reading several queues passes today's `desk` and settles art. 32 once (`settle=False` after)."""
    if desk is _DESK_UNKNOWN:
        desk = hooks.desk_for(user, timezone.localdate())
    if desk is None:
        return Application.objects.none()
    if settle:
        settle_deemed_acceptance()
    qs = Application.objects.select_related(*APPLICATION_RELATED).filter(state__in=states, category__in=desk.categories)
    return _authorised_matters_only(qs, desk).order_by("submitted_at", "pk")


def _authorised_matters_only(qs, desk):
    """Only applications all of whose matters the clerk is authorised for (授权)."""
    if desk.matter_ids is None:
        return qs
    from matters.models import Matter

    return qs.exclude(matters__in=Matter.objects.exclude(pk__in=desk.matter_ids))


def search_applications(user, query: str) -> tuple[str, object]:
    """The clerk's workbench search over every application she may read (同城通办: any hall):
    by number (whole, or its last digits), by the applicant's ID number or the enterprise's
    credit code (whole), or by the applicant's full name or part of an enterprise's name.
    Returns (kind, queryset) — kind "number", "id_number", "name" or "" for a query too short."""
    q = "".join((query or "").split()).upper()
    qs = applications_for(user).order_by("-submitted_at", "-pk")
    if len(q) < 2:
        return "", qs.none()
    at_counter = qs
    if user.is_clerk and hooks.desk_for(user, timezone.localdate()) is not None:
        # what the applicant at the counter hands over (whole number, ID card, credit code)
        # finds her case at any hall (同城通办); partial numbers and names only the clerk's own
        at_counter = (Application.objects.select_related(*APPLICATION_RELATED)
                      .exclude(state=Application.State.DRAFT).order_by("-submitted_at", "-pk"))
    if any(ch.isdigit() for ch in q[:6]) and "-" in q:
        return "number", at_counter.filter(number=q) if q.count("-") >= 3 else qs.filter(number__endswith=q)
    if len(q) == 18 and q[:17].isalnum() and any(ch.isdigit() for ch in q):
        return "id_number", at_counter.filter(Q(applicant__id_number=q) | Q(enterprise__credit_code=q))
    if q.isdigit():
        return "number", qs.filter(number__endswith=q) if len(q) >= 4 else qs.none()
    name = " ".join((query or "").split())
    by_enterprise = Q(enterprise__name__icontains=name) if len(name) >= 4 else Q(pk__in=[])
    return "name", qs.filter(Q(applicant__real_name=name) | by_enterprise)


def clerk_queue_elsewhere(user, *, states=(Application.State.SUBMITTED, Application.State.SUPPLEMENT_REQUESTED),
                          desk=_DESK_UNKNOWN):
    """同城通办: applications of the clerk's categories waiting at the windows that she may not
    accept (a matter outside her 授权), each with `.not_authorised` (those matters' names), so
    that her workbench says what she cannot take instead of hiding it."""
    if desk is _DESK_UNKNOWN:
        desk = hooks.desk_for(user, timezone.localdate())
    if desk is None or desk.matter_ids is None:
        return Application.objects.none()
    from matters.models import Matter

    outside = Matter.objects.exclude(pk__in=desk.matter_ids)
    with_outside = Application.matters.through.objects.filter(application=OuterRef("pk"), matter__in=outside)
    return (
        Application.objects.select_related(*APPLICATION_RELATED)
        .filter(Exists(with_outside), state__in=states, category__in=desk.categories)
        .order_by("submitted_at", "pk")
    )


def not_authorised_matters(desk, application) -> list:
    """The matters of the application outside the clerk's 授权 (none when she may take all)."""
    if desk is None or desk.matter_ids is None:
        return []
    return [m for m in application.matters.all() if m.pk not in desk.matter_ids]


def actions_for(user, application) -> dict[str, bool]:
    """What `user` may do to `application` now: the page's buttons and the API's `actions`. Each
    asks the state machine (`has_transition_perm`: the transition's source states and its
    `permission=`, workflow/rules.py), never a copy of its states; the delivery flags add where
    the result waits (the hall chosen, the hall that posts)."""
    from . import services

    def may(transition: str) -> bool:
        return has_transition_perm(getattr(application, transition), user)

    deliver = may("deliver")
    desk = hooks.desk_for(user, timezone.localdate()) if deliver else None
    return {
        "accept": may("accept"),
        "request_supplement": may("request_supplement"),
        "refuse": may("refuse"),
        "deliver": deliver and application.delivery_method == DeliveryMethod.HALL
        and application.pickup_hall_id in (None, desk.hall_id),
        "post": deliver and application.delivery_method == DeliveryMethod.POST
        and services.posting_hall_id(application) in (None, desk.hall_id),
        "change_delivery": may("choose_delivery"),
        "withdraw": may("withdraw"),
        "resubmit": may("resubmit"),
        "provide_deferred": may("provide_deferred") and application.materials.filter(
            source=Material.Source.DEFERRED, fulfilled_at__isnull=True).exists(),
        "allow_repeat": may("allow_repeat_supplement"),
        "supplement_at_window": may("supplement_at_window"),
    }


def cases_in_hand(clerk):
    """我经手的在办件 (`Application.objects.in_hand_of`), oldest first, for the clerk's list."""
    return Application.objects.in_hand_of(clerk).select_related(*APPLICATION_RELATED).order_by("submitted_at", "pk")


def delivery_queue(user, *, desk=_DESK_UNKNOWN):
    """Results waiting at the delivery window where the clerk sits today: those the applicant
    chose to collect at this hall (or at any hall, when none was chosen), and those to post,
    which the delivery window of the hall that accepted the application posts (or, for an online
    application deemed accepted, any delivery window). Electronic deliveries need no window."""
    if desk is _DESK_UNKNOWN:
        desk = hooks.desk_for(user, timezone.localdate())
    delivering = delivery_condition(desk)
    if delivering is None:
        return Application.objects.none()
    return Application.objects.select_related(*APPLICATION_RELATED).filter(
        state=Application.State.RESULT_READY).filter(delivering).order_by("concluded_at", "pk")


def _on(through: str, **lookups) -> Q:
    """A condition on an application's columns, read `through` a path from another model."""
    return Q(**{f"{through}{name}": value for name, value in lookups.items()})


def delivery_condition(desk, *, through: str = "") -> Q | None:
    """Which results (RESULT_READY) the delivery window of `desk` hands out (`delivery_queue`;
    `through`: the path to the application from another model); None where she sits at no
    window that delivers."""
    if desk is None or not desk.delivers:
        return None
    on, hall = partial(_on, through), desk.hall_id
    pickup = on(delivery_method=DeliveryMethod.HALL) & (on(pickup_hall_id=hall) | on(pickup_hall__isnull=True))
    posting = on(delivery_method=DeliveryMethod.POST) & (
        on(accepted_hall_id=hall)
        | on(accepted_hall__isnull=True, received_hall_id=hall)
        | on(accepted_hall__isnull=True, received_hall__isnull=True)
    )
    return pickup | posting


def sees_postal_details(user, application, *, desk=_DESK_UNKNOWN) -> bool:
    """The recipient's phone and full address are for the applicant and the delivery windows;
    everyone else (reviewers, supervisors, other clerks' pages) reads them masked. A list of
    many applications passes the reader's `desk` (today's, from `hooks.desk_for`) once."""
    if application.applicant_id == user.pk:
        return True
    if desk is _DESK_UNKNOWN:
        desk = hooks.desk_for(user, timezone.localdate()) if getattr(user, "is_clerk", False) else None
    return desk is not None and desk.delivers


def delivery_facts(user, application, *, desk=_DESK_UNKNOWN) -> dict:
    """How the result is received, as the reader may see it."""
    from accounts.identity import mask_phone

    full = sees_postal_details(user, application, desk=desk)
    address = application.post_address
    return {
        "method": application.delivery_method,
        "method_display": application.get_delivery_method_display(),
        "pickup_hall": application.pickup_hall.name if application.pickup_hall_id else "",
        "recipient": application.post_recipient if full else mask_name(application.post_recipient),
        "phone": application.post_phone if full else mask_phone(application.post_phone),
        "address": address if full or not address else address[:6] + "****",
        "carrier": application.post_carrier,
        "tracking_number": application.post_tracking_number,
        "posted_at": application.posted_at,
        "delivered_at": application.delivered_at,
    }


def detail_prefetch() -> list:
    """What the application's detail (API) reads of its related rows, each read once."""
    from matters.models import Matter

    from .models import CaseLog

    return [
        Prefetch("matters", queryset=Matter.objects.prefetch_related("fields")),
        Prefetch("materials", queryset=Material.objects.select_related("requirement")),
        Prefetch("subcases", queryset=SubCase.objects.select_related("matter", "department")),
        "notices", "supplement_requests", "agent_authorisation__agent", "agent_authorisation__matters",
        Prefetch("log", queryset=CaseLog.objects.select_related("actor", "subcase").order_by("created_at", "pk")),
    ]


def application_detail(user, number: str) -> Application:
    """`access_application` with the detail's related rows read in one query each."""
    application = access_application(user, number)
    from django.db.models import prefetch_related_objects

    prefetch_related_objects([application], *detail_prefetch())
    return application


def prime_detail(application, *, matters, materials, log) -> Application:
    """Fill the detail's related rows of an application just written from what was written (its
    matters with their fields, its materials, its log; no sub-case, notice or supplement request
    yet), so that its answer needs no re-read. Returns the application."""

    def cached(manager, rows):
        qs = manager.all()
        qs._result_cache, qs._prefetch_done = list(rows), True
        return qs

    application.written_now = True
    application._prefetched_objects_cache = {}
    application._prefetched_objects_cache.update({
        "matters": cached(application.matters, matters), "materials": cached(application.materials, materials),
        "subcases": cached(application.subcases, []), "notices": cached(application.notices, []),
        "supplement_requests": cached(application.supplement_requests, []), "log": cached(application.log, log),
    })
    return application


def detail_form_data(user, application) -> list[tuple[str, str]]:
    """`visible_form_data` of the whole application, from its prefetched matters and fields."""
    from accounts.identity import mask_value
    from matters.oneform import form_fields

    whole = user is not None and user.pk is not None and user.pk == application.applicant_id
    matters = sorted(application.matters.all(), key=lambda m: m.code)
    if user.is_reviewer:
        matters = [m for m in matters if m.department_id == user.department_id]
    return [(f.label, application.form_data.get(f.key, "") if whole else mask_value(f.type, application.form_data.get(f.key, "")))
            for f in form_fields(matters)]


def detail_materials(user, application) -> list:
    """`visible_materials` of the whole application, from its prefetched materials."""
    materials = list(application.materials.all())
    if user.is_reviewer:
        mine = {m.pk for m in application.matters.all() if m.department_id == user.department_id}
        materials = [m for m in materials if m.requirement is not None and m.requirement.matter_id in mine]
    return materials


def application_licences(application):
    """The e-licences issued on the application's sub-cases (exchange knows the numbers only)."""
    from exchange.models import ElectronicLicence

    return ElectronicLicence.objects.filter(application_number=application.number).select_related("department")


def subcases_for(user, *, clerk_parts=None):
    """The sub-cases `user` may read (`clerk_parts`: a clerk's `clerk_subcase_parts`, read
    already)."""
    qs = SubCase.objects.select_related("application", "matter", "department", "matter_version")
    if not user.is_authenticated:
        return qs.none()
    if user.is_supervisor or user.is_superuser:
        return qs
    if user.is_reviewer:
        return qs.filter(department_id=user.department_id)
    if user.is_clerk:
        return qs.filter(reduce(or_, clerk_subcase_parts(user) if clerk_parts is None else clerk_parts))
    return qs.filter(Q(application__applicant=user) | Q(application__enterprise__in=_enterprises_of(user)))


def clerk_subcase_parts(user, *, desk=_DESK_UNKNOWN) -> list[Q]:
    """A clerk's sub-cases: those of the cases of her set that can hold some (`clerk_readable_q`'s
    accepted part: sub-cases are made on acceptance), as conditions on the sub-case, each
    read newest first along an index: those she accepted herself (`SubCase.accepted_by`, the
    application's, copied on acceptance), and those of her few other cases, by their ids — the
    ones she registered and someone else accepted (`REGISTERED_ELSEWHERE`, a partial index of
    its own), the results at her delivery window. One condition over the application, as
    before, had PostgreSQL walk the city's sub-cases newest first testing each one's
    application: 320 ms at 1M (issue 15); `portal.pagination.CursorPagination.narrowed` reads
    each part for one page."""
    from .models import REGISTERED_ELSEWHERE

    settle_deemed_acceptance()  # art. 32 first: what has been deemed accepted has its sub-cases
    if desk is _DESK_UNKNOWN:
        desk = hooks.desk_for(user, timezone.localdate())
    others = Q(created_by=user) & REGISTERED_ELSEWHERE
    delivering = delivery_condition(desk)
    if delivering is not None:
        others |= Q(state=Application.State.RESULT_READY) & delivering
    ids = list(Application.objects.filter(others).order_by().values_list("pk", flat=True))
    return [Q(accepted_by=user), *([Q(application__pk__in_array=ids)] if ids else [])]


def access_subcase(user, number: str) -> SubCase:
    subcase = subcases_for(user).filter(number=number).first()
    if subcase is None:
        raise NotFound(_("未找到该子件,或您无权查看。"), code="subcase_not_found")
    return subcase


def clock_reading(subcase, *, calendar, today) -> dict:
    """How a sub-case's clock reads today: remaining working days and its card colour, from the
    same stored dates the supervision sweep uses."""
    if subcase.state not in SubCase.OPEN_STATES:
        return {"remaining": None, "overdue": 0, "level": ""}
    remaining = law.remaining_workdays(calendar, today=today, deadline=subcase.deadline)
    level = law.clock_level(today=today, deadline=subcase.deadline, yellow_from=subcase.yellow_from,
                            suspended=subcase.state == SubCase.State.SUSPENDED)
    return {"remaining": remaining, "overdue": max(-remaining, 0), "level": level}


def with_clocks(subcases, *, today=None) -> list:
    """The sub-cases as a list, each with `.clock` set (one calendar read for all)."""
    from .calendar_store import load_calendar

    subcases = list(subcases)
    if subcases:
        calendar, today = load_calendar(), today or timezone.localdate()
        for subcase in subcases:
            subcase.clock = clock_reading(subcase, calendar=calendar, today=today)
        _colour_by_policy(subcases, today)
    return subcases


def _colour_by_policy(subcases, today) -> None:
    """Running clocks take their colour from the card policy in force (through the hook that
    `supervision` registers), so that the list shows what the cards show."""
    running = [s for s in subcases if s.state in SubCase.RUNNING_STATES]
    levels = hooks.clock_levels([s.pk for s in running], today) if running else None
    if levels is None:
        return
    for subcase in running:
        subcase.clock["level"] = levels.get(subcase.pk, "green")


def deadline_explanation(subcase) -> dict:
    """Every deadline explains itself: where it starts, the promised working days, the days the
    clock stood still and why, the extension, the due date and, after approval, the licence clock."""
    pauses = [
        {"kind": p.get_kind_display(), "reason": p.reason, "from": p.started_on, "to": p.ended_on,
         "days": p.paused_days, "open": p.ended_on is None}
        for p in subcase.pauses.all()
    ]
    extension = subcase.extensions.filter(status="approved").select_related("decided_by").first()
    return {
        "started_on": subcase.started_on,
        "promised_days": subcase.promised_days,
        "legal_days": subcase.matter.legal_days,
        "pauses": pauses,
        "paused_days": subcase.paused_days,
        "extension": (
            {"days": extension.days, "reason": extension.reason, "approved_by": str(extension.decided_by),
             "from": extension.old_deadline, "to": extension.new_deadline}
            if extension else None
        ),
        "deadline": subcase.deadline,
        "deadline_provisional": subcase.deadline_provisional,
        "yellow_from": subcase.yellow_from,
        "decided_on": subcase.decided_on,
        "licence_due": subcase.licence_due,
        "licence_due_provisional": subcase.licence_due_provisional,
    }


def public_progress(number: str, id_last4: str) -> Application | None:
    """The application whose number and applicant's last four ID characters both match; the
    same None whether the number is unknown or the four characters are wrong."""
    import hmac

    application = (
        Application.objects.select_related("applicant", "enterprise", "accepted_hall", "received_hall", "pickup_hall")
        .exclude(state=Application.State.DRAFT).filter(number=number).first()
    )
    if application is None:
        return None
    expected = (application.applicant.id_number or "")[-4:].upper()
    if len(expected) != 4 or not hmac.compare_digest(expected, (id_last4 or "").upper()):
        return None
    settle_deemed_acceptance(application)
    return application


def case_log(application):
    return application.log.select_related("actor", "subcase").order_by("created_at", "pk")


def _reviewer_matters(user, application):
    """The matters of an application that the reviewer's department handles."""
    return application.matters.filter(department_id=user.department_id).prefetch_related("fields").order_by("code")


def visible_form_data(user, application, subcase=None):
    """The filled-in form as (label, value) pairs. A department sees only the fields its own
    matters need: a reviewer always, anyone when looking through one sub-case. ID numbers and
    phones in it are masked (accounts.identity.mask_value) for anyone but the applicant."""
    from accounts.identity import mask_value
    from matters.oneform import fields_for_matter, form_fields

    whole = user is not None and user.pk is not None and user.pk == application.applicant_id

    def shown(field, value):
        return value if whole else mask_value(field.type, value)

    if subcase is not None:
        return [(f.label, shown(f, v)) for f, v in fields_for_matter(subcase.matter, application.form_data)]
    if user.is_reviewer:
        matters = _reviewer_matters(user, application)
    else:
        matters = application.matters.prefetch_related("fields").order_by("code")
    return [(f.label, shown(f, application.form_data.get(f.key, ""))) for f in form_fields(matters)]


def current_materials(materials) -> list:
    """The current materials (not replaced by a later one for the same requirement), each with
    `.history`: the ones it replaced, oldest first, so pages show what counts and keep the rest
    behind it. Order: as handed in, by the first version of each."""
    materials = list(materials)
    by_pk = {m.pk: m for m in materials}
    for m in materials:
        m.history = []
    current = [m for m in materials if m.replaced_by_id is None]
    for m in materials:
        if m.replaced_by_id is None:
            continue
        head = m
        while head.replaced_by_id is not None and head.replaced_by_id in by_pk:
            head = by_pk[head.replaced_by_id]
        if head.replaced_by_id is None:
            head.history.append(m)
        else:  # its replacement is not readable here: show it on its own
            current.append(m)
    for m in current:
        m.history.sort(key=lambda h: (h.added_at, h.pk))
    first = {m.pk: min([m.added_at] + [h.added_at for h in m.history]) for m in current}
    return sorted(current, key=lambda m: (first[m.pk], m.pk))


def visible_materials(user, application, subcase=None):
    materials = application.materials.select_related("requirement")
    if subcase is not None:
        return materials.filter(requirement__matter=subcase.matter)
    if user.is_reviewer:
        return materials.filter(requirement__matter__department_id=user.department_id)
    return materials


def application_of_applicant(user, number: str) -> bool:
    """Registered on accounts.hooks: does `number` name one of `user`'s applications?"""
    return Application.objects.filter(applicant=user, number=number).exclude(state=Application.State.DRAFT).exists()
