"""Demo queue and appointments: slots for the coming working days in every hall, and a morning's
queue today at the district centre and at 太和镇 so the screens and the calling panels have
something to show. Idempotent: slots are kept, today's queue is made once per hall and day."""

import datetime as dt

from django.db import transaction

from accounts.models import Department, Hall, User
from windows import clock
from windows import queue_services as services
from windows.models import Appointment, AppointmentSlot, Ticket, Window

C = Window.Category
# (hall, queue, department code, source, taken by): the order people arrived this morning
MORNING = [
    ("QX-ZWZX", C.NATURAL, None, Ticket.Source.TERMINAL, None),
    ("QX-ZWZX", C.NATURAL, None, Ticket.Source.PHONE, "citizen2"),
    ("QX-ZWZX", C.LEGAL, None, Ticket.Source.PHONE, "enterprise"),
    ("QX-ZWZX", C.DEPARTMENT, "QX-ZRZY", Ticket.Source.TERMINAL, None),
    ("QX-ZWZX", C.NATURAL, None, Ticket.Source.TERMINAL, None),
    ("QX-ZWZX", C.ASSIST, None, Ticket.Source.TERMINAL, None),
    ("QX-ZWZX", C.LEGAL, None, Ticket.Source.TERMINAL, None),
    ("QX-ZWZX", C.DELIVERY, None, Ticket.Source.TERMINAL, None),
    ("QX-ZWZX", C.NATURAL, None, Ticket.Source.TERMINAL, None),
    ("QX-ZWZX", C.DEPARTMENT, "QX-SWJ", Ticket.Source.TERMINAL, None),
    ("QX-ZWZX", C.NATURAL, None, Ticket.Source.TERMINAL, None),
    ("QX-TAIHE", C.NATURAL, None, Ticket.Source.TERMINAL, None),
    ("QX-TAIHE", C.NATURAL, None, Ticket.Source.TERMINAL, None),
    ("QX-TAIHE", C.LEGAL, None, Ticket.Source.TERMINAL, None),
]


def load_queue() -> dict:
    made = services.generate_slots()
    tickets = _morning_queue()
    booked = _a_booking()
    return {"slots": made, "tickets": tickets, "appointments": booked}


@transaction.atomic
def _morning_queue() -> int:
    today, now = clock.today(), clock.now()
    halls = {h.code: h for h in Hall.objects.filter(code__in={row[0] for row in MORNING})}
    if len(halls) < 2 or Ticket.objects.filter(hall__in=halls.values(), day=today).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["citizen2", "enterprise", "clerk", "clerk_legal",
                                                                       "clerk_taihe"])}
    made = []
    for hall_code, category, department, source, who in MORNING:
        made.append(services.ticket_take(
            hall=halls[hall_code], category=category, source=source, user=users.get(who),
            department=Department.objects.get(code=department) if department else None,
        ))
    # spread the arrivals over the last 45 minutes
    for i, ticket in enumerate(made):
        Ticket.objects.filter(pk=ticket.pk).update(issued_at=now - dt.timedelta(minutes=45 - 3 * i))
    # the natural-person window served one in 8 minutes, one did not come, and has called the next;
    # the legal-person window and 太和镇 have called their first
    steps = [("clerk", "served", 30, 8), ("clerk", "no_show", 21, 2), ("clerk", None, 4, 0),
             ("clerk_legal", None, 3, 0), ("clerk_taihe", None, 1, 0)]
    for username, outcome, ago, took in steps:
        clerk = users.get(username)
        if clerk is None or not services.seats_today(clerk, today).exists():
            continue
        ticket = services.ticket_call_next(clerk=clerk)
        called = now - dt.timedelta(minutes=ago)
        Ticket.objects.filter(pk=ticket.pk).update(called_at=called, announced_at=called)
        if outcome:
            services.ticket_finish(clerk=clerk, ticket=ticket, outcome=outcome)
            Ticket.objects.filter(pk=ticket.pk).update(finished_at=called + dt.timedelta(minutes=took))
    return len(made)


def _a_booking() -> int:
    """陈志明 has booked the first free range of the next working day at the district centre."""
    citizen = User.objects.filter(username="citizen").first()
    if citizen is None or Appointment.objects.filter(user=citizen).exists():
        return 0
    slot = (AppointmentSlot.objects.filter(hall__code="QX-ZWZX", category=C.NATURAL, date__gt=clock.today(),
                                           booked__lt=3).order_by("starts_at").first())
    if slot is None:
        return 0
    services.appointment_book(user=citizen, slot=slot)
    return 1
