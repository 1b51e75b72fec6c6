"""预约: slots over working days, booking and cancelling, check-in with priority, 爽约."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, Invalid, NotFound
from tests.factories import AppointmentSlotFactory, ClerkFactory, HallFactory, UserFactory, WindowFactory, ticket
from windows import queue_services as services
from windows.models import Appointment, AppointmentSlot, Ticket, Window
from windows.tasks import daily_appointments
from workflow.calendar_store import seed_calendar

pytestmark = pytest.mark.django_db
A = Appointment.State
C = Window.Category


def slot_on(hall, day: str, start="09:00", end="10:00", capacity=4, category=C.NATURAL):
    date = dt.date.fromisoformat(day)
    at = lambda hm: timezone.make_aware(dt.datetime.combine(date, dt.time.fromisoformat(hm)))  # noqa: E731
    return AppointmentSlotFactory(hall=hall, date=date, starts_at=at(start), ends_at=at(end), capacity=capacity,
                                  category=category)


def test_slots_skip_national_day_and_open_on_the_make_up_weekend(at):
    seed_calendar(years=[2026])
    at("2026-09-19 20:00")  # a Saturday
    hall = HallFactory()
    WindowFactory(hall=hall, number="A01"), WindowFactory(hall=hall, number="A02")
    WindowFactory(hall=hall, number="B01", category=C.LEGAL)
    WindowFactory(hall=hall, number="D01", category=C.DELIVERY)  # results are not booked
    days = services.slot_days(start=dt.date(2026, 9, 30), days=4)
    assert days == [dt.date(2026, 9, 30), dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)]

    made = services.generate_slots(days=10)
    dates = sorted(set(AppointmentSlot.objects.values_list("date", flat=True)))
    assert dates[0] == dt.date(2026, 9, 20)  # Sunday 20 September is a working day (调休)
    assert not any(dt.date(2026, 10, 1) <= d <= dt.date(2026, 10, 7) for d in dates)
    assert dt.date(2026, 9, 26) not in dates  # an ordinary Saturday
    assert len(dates) == 10 and made == 10 * 4 * 2  # four ranges a day, natural and legal
    natural = AppointmentSlot.objects.filter(category=C.NATURAL).first()
    assert natural.capacity == 2 * services.PLACES_PER_WINDOW
    assert timezone.localtime(natural.starts_at).strftime("%H:%M") == "08:30"
    # the daily task runs again: nothing new, bookings kept
    AppointmentSlot.objects.filter(pk=natural.pk).update(booked=3)
    assert daily_appointments() == {"slots_made": 0, "missed": 0}
    assert AppointmentSlot.objects.get(pk=natural.pk).booked == 3


def test_book_and_cancel_up_to_the_start(at):
    at("2026-11-25 10:00")
    slot = slot_on(HallFactory(), "2026-11-26", capacity=2)
    citizen = UserFactory()
    booking = services.appointment_book(user=citizen, slot=slot)
    assert len(booking.code) == 8 and booking.state == A.BOOKED
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 1
    with pytest.raises(Conflict) as refused:
        services.appointment_book(user=citizen, slot=slot)
    assert refused.value.code == "already_booked" and booking.code in refused.value.message
    services.appointment_cancel(user=citizen, appointment=booking)
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 0
    again = services.appointment_book(user=citizen, slot=slot)
    with pytest.raises(NotFound):
        services.appointment_cancel(user=UserFactory(), appointment=again)  # not theirs
    at("2026-11-26 09:00")
    with pytest.raises(Invalid) as refused:
        services.appointment_cancel(user=citizen, appointment=again)
    assert "已开始" in refused.value.message
    with pytest.raises(Invalid):
        services.appointment_book(user=UserFactory(), slot=slot)  # started


def test_a_full_slot_and_staff_are_refused(at):
    at("2026-11-25 10:00")
    slot = slot_on(HallFactory(), "2026-11-26", capacity=1)
    services.appointment_book(user=UserFactory(), slot=slot)
    with pytest.raises(Conflict) as refused:
        services.appointment_book(user=UserFactory(), slot=slot)
    assert refused.value.code == "slot_full" and "已约满" in refused.value.message
    with pytest.raises(Forbidden):
        services.appointment_book(user=ClerkFactory(), slot=slot_on(HallFactory(), "2026-11-27"))
    assert AppointmentSlot.objects.get(pk=slot.pk).booked == 1


def test_check_in_gives_a_priority_ticket_called_before_earlier_walk_ins(at):
    at("2026-11-25 10:00")
    hall = HallFactory()
    window = WindowFactory(hall=hall, number="A01")
    clerk = ClerkFactory(window=window)
    citizen = UserFactory()
    booking = services.appointment_book(user=citizen, slot=slot_on(hall, "2026-11-26", "09:00", "10:00"))

    at("2026-11-26 08:20")
    with pytest.raises(Invalid) as refused:
        services.appointment_check_in(hall=hall, code=booking.code)
    assert "请于 08:30 以后签到取号" in refused.value.message
    at("2026-11-26 08:35")
    walk_ins = [ticket(hall=hall), ticket(hall=hall)]
    with pytest.raises(Invalid) as refused:
        services.appointment_check_in(hall=HallFactory(), code=booking.code)
    assert refused.value.code == "check_in_wrong_hall"
    arrival = services.appointment_check_in(hall=hall, code=booking.code.lower())
    assert (arrival.number, arrival.priority, arrival.source, arrival.user) == (
        "A003", Ticket.Priority.APPOINTMENT, Ticket.Source.APPOINTMENT, citizen)
    booking.refresh_from_db()
    assert (booking.state, booking.ticket) == (A.CHECKED_IN, arrival)
    with pytest.raises(Conflict) as refused:
        services.appointment_check_in(hall=hall, code=booking.code)
    assert "A003" in refused.value.message
    assert services.ticket_call_next(clerk=clerk) == arrival
    services.ticket_finish(clerk=clerk, ticket=arrival, outcome=Ticket.State.SERVED)
    assert services.ticket_call_next(clerk=clerk) == walk_ins[0]


def test_check_in_by_id_number_needs_the_signed_in_person(at):
    at("2026-11-25 10:00")
    hall = HallFactory()
    WindowFactory(hall=hall, number="A01")
    citizen = UserFactory()
    services.appointment_book(user=citizen, slot=slot_on(hall, "2026-11-26", "14:30", "16:00"))
    at("2026-11-26 14:10")
    with pytest.raises(Forbidden):
        services.appointment_check_in(hall=hall, id_number=citizen.id_number)  # anonymous at the terminal
    with pytest.raises(Forbidden):
        services.appointment_check_in(hall=hall, id_number=citizen.id_number, user=UserFactory())
    issued = services.appointment_check_in(hall=hall, id_number=citizen.id_number, user=citizen)
    assert issued.priority == Ticket.Priority.APPOINTMENT


def test_too_late_and_wrong_day_and_missed_bookings_become_no_shows(at):
    at("2026-11-25 10:00")
    hall = HallFactory()
    WindowFactory(hall=hall, number="A01")
    early, late = slot_on(hall, "2026-11-26", "08:30", "10:00"), slot_on(hall, "2026-11-27", "08:30", "10:00")
    missed = services.appointment_book(user=UserFactory(), slot=early)
    tomorrow = services.appointment_book(user=UserFactory(), slot=late)
    at("2026-11-26 10:05")
    with pytest.raises(Invalid) as refused:
        services.appointment_check_in(hall=hall, code=missed.code)
    assert "已结束" in refused.value.message
    with pytest.raises(Invalid) as refused:
        services.appointment_check_in(hall=hall, code=tomorrow.code)
    assert "只能在预约当天签到" in refused.value.message
    assert services.appointments_mark_missed() == 1
    assert Appointment.objects.get(pk=missed.pk).state == A.NO_SHOW
    assert Appointment.objects.get(pk=tomorrow.pk).state == A.BOOKED
    assert not Ticket.objects.exists()
