"""On two or more real PostgreSQL connections: the last place of a slot, two clerks calling at
once, two terminals taking numbers at once."""

import pytest
from django.db import connection

from core.errors import Conflict
from tests.concurrency import run_concurrently
from tests.factories import AppointmentSlotFactory, ClerkFactory, HallFactory, UserFactory, WindowFactory, ticket
from windows import queue_services as services
from windows.models import Appointment, AppointmentSlot, Ticket

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
]


def test_many_people_booking_the_last_place_give_one_booking():
    slot = AppointmentSlotFactory(capacity=3, booked=2)
    people = [UserFactory() for _ in range(8)]
    results = run_concurrently(*[lambda u=u: services.appointment_book(user=u, slot=slot) for u in people])
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error"] * 7 + ["ok"], results
    assert all(isinstance(r, Conflict) and r.code == "slot_full" for kind, r in results if kind == "error")
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 3
    assert Appointment.objects.filter(slot=slot).count() == 1


def test_two_clerks_calling_at_once_never_get_the_same_ticket():
    hall = HallFactory()
    clerks = [ClerkFactory(window=WindowFactory(hall=hall, number=f"A0{i}")) for i in range(4)]
    for _ in range(3):
        ticket(hall=hall)
    results = run_concurrently(*[lambda c=c: services.ticket_call_next(clerk=c) for c in clerks])
    called = [t.number for kind, t in results if kind == "ok"]
    assert sorted(called) == ["A001", "A002", "A003"], results
    assert [r.code for kind, r in results if kind == "error"] == ["queue_empty"]
    assert Ticket.objects.filter(state=Ticket.State.CALLED).count() == 3


def test_terminals_taking_numbers_at_once_never_share_one():
    hall = HallFactory()
    WindowFactory(hall=hall, number="A01")
    results = run_concurrently(*[lambda: ticket(hall=hall) for _ in range(6)])
    assert all(kind == "ok" for kind, _ in results), results
    assert sorted(t.number for _, t in results) == [f"A00{i}" for i in range(1, 7)]
