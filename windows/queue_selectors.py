"""Reads of the queue and of appointments that the pages and the API share."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from django.db.models import Count, Q

from . import clock
from .models import QUEUE_LABELS, TICKET_PREFIXES, Appointment, AppointmentSlot, Seat, Ticket, Window

# Mean service time assumed while a category has no finished ticket today in the hall: a
# comprehensive window needs about 6 minutes per visitor (checking identity and originals,
# entering the form), the figure halls put on their own queue boards before they have data.
DEFAULT_SERVICE_MINUTES = 6
# The mean is taken over the most recent finished tickets only, so it follows the day's pace.
RECENT_SERVICES = 10
SCREEN_ROWS = 8

T = Ticket.State


def hall_queue(hall, day: dt.date):
    return Ticket.objects.filter(hall=hall, day=day)


def _same_queue(ticket_or_kwargs):
    t = ticket_or_kwargs
    q = Q(hall_id=t.hall_id, day=t.day, category=t.category)
    if t.category == Window.Category.DEPARTMENT:
        q &= Q(department_id=t.department_id)
    return q


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets that will be called before this one: higher priority, or the same
    priority and taken earlier."""
    if ticket.state != T.WAITING:
        return 0
    return Ticket.objects.filter(_same_queue(ticket), state=T.WAITING).filter(
        Q(priority__gt=ticket.priority) | Q(priority=ticket.priority, pk__lt=ticket.pk)
    ).count()


def mean_service_minutes(*, hall_id, day, category, department_id=None) -> float:
    """Mean of (finished_at − called_at) over the category's last served tickets in the hall
    today; DEFAULT_SERVICE_MINUTES while there are none."""
    qs = Ticket.objects.filter(hall_id=hall_id, day=day, category=category, state=T.SERVED,
                               called_at__isnull=False, finished_at__isnull=False)
    if category == Window.Category.DEPARTMENT:
        qs = qs.filter(department_id=department_id)
    spans = [(f - c).total_seconds() / 60 for c, f in qs.order_by("-finished_at").values_list("called_at", "finished_at")[:RECENT_SERVICES]]
    return sum(spans) / len(spans) if spans else float(DEFAULT_SERVICE_MINUTES)


def staffed_windows(*, hall_id, day, category, department_id=None) -> int:
    """Active windows of the category in the hall with a clerk seated on the day."""
    qs = Window.objects.filter(hall_id=hall_id, category=category, is_active=True,
                               seats__in=Seat.objects.on(day))
    if category == Window.Category.DEPARTMENT:
        qs = qs.filter(department_id=department_id)
    return qs.distinct().count()


@dataclass(frozen=True)
class WaitEstimate:
    ahead: int
    minutes: int
    windows: int  # staffed windows of the category today (0: none open yet)
    service_minutes: float


def estimate_wait(ticket: Ticket) -> WaitEstimate:
    """People ahead × recent mean service time ÷ windows of the category staffed today."""
    ahead = people_ahead(ticket)
    keys = {"hall_id": ticket.hall_id, "day": ticket.day, "category": ticket.category,
            "department_id": ticket.department_id}
    service = mean_service_minutes(**keys)
    windows = staffed_windows(**keys)
    minutes = math.ceil(ahead * service / max(windows, 1)) if ahead else 0
    return WaitEstimate(ahead=ahead, minutes=minutes, windows=windows, service_minutes=round(service, 1))


def ticket_by_token(token) -> Ticket | None:
    return Ticket.objects.select_related("hall", "window", "department").filter(token=token).first()


def current_ticket(clerk) -> Ticket | None:
    """The ticket the clerk has called and not yet finished."""
    # the department for its queue's label (`category_label`); nothing else of the ticket's relations is shown
    return Ticket.objects.select_related("department").filter(called_by=clerk, state=T.CALLED).first()


def waiting_counts(hall, day, *, windows=None) -> list[dict]:
    """Waiting tickets per queue (category, and department for department windows), for the
    windows given (all of the hall's when None)."""
    qs = hall_queue(hall, day).filter(state=T.WAITING)
    rows = qs.values("category", "department_id", "department__short_name").annotate(n=Count("id")).order_by("category")
    wanted = None if windows is None else {(w.category, w.department_id if w.category == Window.Category.DEPARTMENT else None)
                                           for w in windows}
    out = []
    for row in rows:
        key = (row["category"], row["department_id"])
        if wanted is not None and key not in wanted:
            continue
        label = row["department__short_name"] if row["category"] == Window.Category.DEPARTMENT else QUEUE_LABELS[row["category"]]
        out.append({"category": row["category"], "prefix": TICKET_PREFIXES[row["category"]], "label": str(label),
                    "department_id": row["department_id"], "waiting": row["n"]})
    return sorted(out, key=lambda r: (r["prefix"], r["department_id"] or 0))


def screen(hall, day=None) -> dict:
    """What the hall's screen shows: the numbers called most recently (a recall puts one back
    on top), with their windows; the first is the one just called."""
    day = day or clock.today()
    called = list(
        hall_queue(hall, day).filter(announced_at__isnull=False)
        .select_related("window").order_by("-announced_at", "-pk")[:SCREEN_ROWS]
    )
    rows = [{
        "number": t.number, "window": t.window.number if t.window_id else "", "window_name": t.window.name if t.window_id else "",
        "state": t.state, "recall_count": t.recall_count, "announced_at": t.announced_at,
    } for t in called]
    latest = called[0] if called else None
    return {
        "hall": hall.code,
        "hall_name": hall.name,
        "day": day,
        "latest": rows[0] if rows else None,
        # changes whenever a number is called or recalled: the screen flashes when it does
        "version": f"{latest.pk}-{latest.recall_count}-{latest.announced_at.timestamp():.3f}" if latest else "",
        "called": rows,
        "waiting": waiting_counts(hall, day),
    }


def hall_categories(hall) -> list[dict]:
    """The queues a visitor can take a number for at this hall: one per window category the hall
    has (and one per department for department windows)."""
    seen, out = set(), []
    for w in Window.objects.filter(hall=hall, is_active=True).select_related("department").order_by("number"):
        department = w.department if w.category == Window.Category.DEPARTMENT else None
        key = (w.category, department.pk if department else None)
        if key in seen:
            continue
        seen.add(key)
        out.append({"category": w.category, "department": department, "prefix": TICKET_PREFIXES[w.category],
                    "label": (department.short_name or department.name) if department else QUEUE_LABELS[w.category]})
    order = list(TICKET_PREFIXES)
    return sorted(out, key=lambda r: (order.index(r["category"]), r["department"].pk if r["department"] else 0))


def halls_in_order():
    """The district's centre first, then the towns' halls by code."""
    from accounts.models import Hall, Region

    return sorted(Hall.objects.select_related("region"), key=lambda h: (h.region.level != Region.Level.DISTRICT, h.code))


# --- appointments --------------------------------------------------------------------------------


def open_slots(*, hall, category=None, department_id=None, date=None):
    """Slots still ahead (not started), oldest first."""
    qs = AppointmentSlot.objects.filter(hall=hall, starts_at__gt=clock.now()).select_related("department", "hall")
    if category:
        qs = qs.filter(category=category)
        if category == Window.Category.DEPARTMENT and department_id:
            qs = qs.filter(department_id=department_id)
    if date:
        qs = qs.filter(date=date)
    return qs.order_by("starts_at", "category", "department_id")


def my_appointments(user):
    return (Appointment.objects.filter(user=user)
            .select_related("slot", "slot__hall", "slot__department", "ticket").order_by("-slot__starts_at", "-pk"))


TICKET_NUMBER = re.compile(r"^[A-Z]{1,2}\d{1,4}$")


def looks_like_ticket(query: str) -> bool:
    return bool(TICKET_NUMBER.match("".join((query or "").split()).upper()))


def tickets_numbered(clerk, query: str, day: dt.date):
    """Workbench search: today's tickets of that number in the halls where the clerk sits
    (numbers start again every day in every hall), each with `.ahead` while waiting."""
    from .selectors import seats_today

    number = "".join((query or "").split()).upper()
    halls = {s.window.hall_id for s in seats_today(clerk, day)}
    tickets = list(Ticket.objects.filter(hall_id__in=halls, day=day, number=number)
                   .select_related("hall", "window", "called_by", "department").order_by("issued_at"))
    for ticket in tickets:
        ticket.ahead = people_ahead(ticket)
    return tickets
