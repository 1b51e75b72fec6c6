import datetime as dt

from django.db.models import Case, IntegerField, Q, Value, When

from core.web.paging import Key
from workflow.hooks import Desk, Referral

from .models import ClerkAuthorisation, Seat, Window


def seats_today(clerk, day: dt.date):
    return Seat.objects.on(day).filter(clerk=clerk, window__is_active=True).select_related("window", "window__hall__region")


def desk_for_clerk(clerk, day: dt.date, *, seats=None) -> Desk | None:
    """The categories a clerk may accept and whether they deliver, from today's seats (`seats`:
    those of `day`, when the caller has read them already)."""
    seats = list(seats_today(clerk, day)) if seats is None else seats
    if not seats:
        return None
    categories = frozenset(c for s in seats if (c := s.window.accepts_category))
    # Small halls have no separate delivery window: any comprehensive window hands out results.
    delivers = any(s.window.category in (Window.Category.DELIVERY, Window.Category.NATURAL, Window.Category.LEGAL) for s in seats)
    return Desk(hall_id=seats[0].window.hall_id, categories=categories, delivers=delivers,
                matter_ids=authorised_matter_ids(clerk, day))


def desk_and_halls(clerk, day: dt.date) -> tuple[Desk | None, list[int]]:
    """`desk_for_clerk` and the halls of every seat she holds on `day` (a seat at a window
    closed for now counts, as `supervision.feedback.ratings.clerk_hall_ids` counts it), from
    one read of her seats (the card list read them twice; issue 15)."""
    seats = list(Seat.objects.on(day).filter(clerk=clerk).select_related("window"))
    desk = desk_for_clerk(clerk, day, seats=[seat for seat in seats if seat.window.is_active])
    return desk, sorted({seat.window.hall_id for seat in seats})


def authorised_matter_ids(clerk, day: dt.date) -> frozenset[int] | None:
    """授权 in force on `day`: None for every matter, else the ids (empty: none at all)."""
    from matters.models import Matter

    # (id, all_matters, category) tuples: no model built, and the named matters read only when a
    # grant names some (most clerks hold one grant for every matter: one query, issue 15)
    grants = list(ClerkAuthorisation.objects.on(day).filter(clerk=clerk).values_list("pk", "all_matters", "category"))
    if any(all_matters and not category for _pk, all_matters, category in grants):
        return None
    named = [pk for pk, all_matters, _category in grants if not all_matters]
    ids = set(ClerkAuthorisation.matters.through.objects.filter(clerkauthorisation_id__in=named)
              .values_list("matter_id", flat=True)) if named else set()
    blanket = {category for _pk, all_matters, category in grants if all_matters}
    if blanket:
        ids |= set(Matter.objects.filter(target__in=blanket).values_list("pk", flat=True))
    return frozenset(ids)


def halls_authorised_for(matter_ids: frozenset[int], category: str, day: dt.date) -> list[Referral]:
    """同城通办 referral: the halls where a clerk seated on `day` at a window of the category is
    authorised (授权) for every one of the matters, with those windows' numbers.

    Every hall of the city is a candidate, whatever its district (issue 15): a walk-in at any
    hall stays allowed for any district's matter, and an online application waits at every
    hall's windows of its category. A hall's queue only puts its own district's applications
    first (`own_district_first`); it never hides the others."""
    seats = [s for s in Seat.objects.on(day).filter(window__is_active=True).select_related("window", "window__hall")
             if s.window.accepts_category == category]
    halls: dict[int, tuple] = {}
    authorised: dict[int, frozenset[int] | None] = {}
    for seat in seats:
        if seat.clerk_id not in authorised:
            authorised[seat.clerk_id] = authorised_matter_ids(seat.clerk, day)
        ids = authorised[seat.clerk_id]
        if ids is not None and not matter_ids <= ids:
            continue
        hall = seat.window.hall
        halls.setdefault(hall.pk, (hall, set()))[1].add(seat.window.number)
    return [Referral(hall_name=hall.name, address=hall.address, phone=hall.phone, windows=tuple(sorted(numbers)))
            for hall, numbers in sorted(halls.values(), key=lambda h: h[0].code)]


# The hall's queues (issue 15, 同城通办): its own district's applications first, then the rest of
# the city's, each part oldest first. An application's district is its number's (the district of
# its first matter's department, `workflow.services.next_application_number`), the hall's that of
# its region (`Region.district_code`).
QUEUE_KEYS = [Key("other_district"), Key("submitted_at"), Key("pk")]
QUEUE_ANNOTATED = {"other_district": IntegerField()}


def own_district_first(queryset, hall):
    """`queryset` (applications) with `other_district`: 0 for those numbered in `hall`'s
    district, 1 for the rest of the city (no hall: 0 for every one, the order unchanged); page
    it by `QUEUE_KEYS` (`core.web.paging.keyset_page_by`, annotated=QUEUE_ANNOTATED)."""
    if hall is None:
        return queryset.annotate(other_district=Value(0, output_field=IntegerField()))
    return queryset.annotate(other_district=Case(
        When(number__startswith=f"{hall.region.district_code}-", then=Value(0)), default=Value(1),
        output_field=IntegerField()))


def district_segments(hall) -> dict:
    """`own_district_first`'s two parts as filters (`keyset_page_by`'s `segments`): each is read
    in (submitted_at, pk) order, which an index serves, instead of sorting the whole queue by
    the annotation. Reading the rest of the city scans past the hall's own rows, so a page that
    reaches it costs more where the city has few of them."""
    if hall is None:
        return {0: Q()}
    own = Q(number__startswith=f"{hall.region.district_code}-")
    return {0: own, 1: ~own}


def roster(day: dt.date):
    """Who sits at which window of which hall on `day` (统一调配), by hall and window number."""
    return (
        Seat.objects.on(day).select_related("clerk", "window", "window__hall")
        .order_by("window__hall__code", "window__number", "clerk__real_name")
    )


def authorisations_on(day: dt.date):
    return ClerkAuthorisation.objects.on(day).select_related("clerk", "granted_by").prefetch_related("matters")


# --- 首问责任 consultations ----------------------------------------------------------------------


def consultations_for(user):
    """What `user` may read: a supervisor every consultation; a staff member those they own,
    recorded or handed away (previous owners keep reading); a citizen those they asked."""
    from django.db.models import Exists, OuterRef, Q

    from accounts.models import User

    from .models import Consultation, ConsultationEvent

    base = Consultation.objects.select_related("owner", "recorded_by", "hall", "matter", "asker")
    if not user.is_authenticated:
        return base.none()
    if user.role == User.Role.SUPERVISOR:
        return base
    if user.role == User.Role.PUBLIC:
        return base.filter(asker=user)
    handed_away = ConsultationEvent.objects.filter(consultation=OuterRef("pk"), from_owner=user)
    return base.filter(Q(owner=user) | Q(recorded_by=user) | Exists(handed_away))


def access_consultation(user, number: str):
    """The consultation `number` if `user` may read it; NotFound otherwise (not even its existence)."""
    from django.utils.translation import gettext as _

    from core.errors import NotFound

    consultation = consultations_for(user).filter(number=number).first()
    if consultation is None:
        raise NotFound(_("未找到该咨询。"), code="consultation_not_found")
    return consultation


def consultation_worklist(queryset, *, today: dt.date, limit: int = 200):
    """Open first (earliest due first), then answered (latest first); each with `.overdue`."""
    from .models import Consultation

    open_ = list(queryset.filter(state=Consultation.State.OPEN).order_by("due_on", "opened_at", "pk")[:limit])
    done = list(queryset.filter(state=Consultation.State.ANSWERED).order_by("-answered_at", "-pk")[:limit])
    for row in open_ + done:
        row.overdue = row.is_overdue(today)
    return open_, done


def handover_candidates(user):
    """Staff a consultation may be handed to: clerks, reviewers and administrators, not oneself."""
    from accounts.models import User

    return (User.objects.filter(is_active=True, role__in=(User.Role.CLERK, User.Role.REVIEWER, User.Role.ADMINISTRATOR))
            .exclude(pk=user.pk).select_related("department").order_by("role", "department__name", "real_name"))
