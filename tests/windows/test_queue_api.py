"""The queue and appointments over the API: a phone takes a number, a clerk calls, recalls and
finishes it, a citizen books and cancels; errors in the one shape."""

import pytest
from rest_framework.test import APIClient

from tests.factories import AppointmentSlotFactory, ClerkFactory, HallFactory, UserFactory, WindowFactory
from windows.models import Window

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_a_number_from_the_phone_called_recalled_and_served(at):
    at("2026-11-26 10:00")
    hall = HallFactory()
    clerk = ClerkFactory(window=WindowFactory(hall=hall, number="A01", category=Window.Category.NATURAL))
    citizen = UserFactory()
    taken = api(citizen).post("/api/queue/tickets/", {"hall": hall.code, "category": "natural", "phone": "13912345678"},
                              format="json", HTTP_IDEMPOTENCY_KEY="take-1")
    assert taken.status_code == 201, taken.content
    body = taken.json()
    assert (body["number"], body["ahead"], body["estimated_minutes"], body["state"]) == ("A001", 0, 0, "waiting")
    replay = api(citizen).post("/api/queue/tickets/", {"hall": hall.code, "category": "natural",
                                                       "phone": "13912345678"}, format="json",
                               HTTP_IDEMPOTENCY_KEY="take-1")  # the same request again (another body: 422)
    assert replay.json()["token"] == body["token"] and replay["Idempotent-Replayed"] == "true"
    second = api(citizen).post("/api/queue/tickets/", {"hall": hall.code, "category": "natural"}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "ticket_already_taken"

    called = api(clerk).post("/api/queue/call-next/", format="json")
    assert called.status_code == 200 and called.json()["window"] == "A01"
    token = body["token"]
    assert api(clerk).post(f"/api/queue/tickets/{token}/recall/").json()["recall_count"] == 1
    status = api().get(f"/api/queue/tickets/{token}/").json()
    assert (status["state"], status["window"], status["ahead"]) == ("called", "A01", None)
    assert api(clerk).post(f"/api/queue/tickets/{token}/serve/").json()["state"] == "served"
    again = api(clerk).post(f"/api/queue/tickets/{token}/no-show/")
    assert again.status_code == 409 and set(again.json()) == {"code", "message", "fields"}
    empty = api(clerk).post("/api/queue/call-next/")
    assert empty.status_code == 409 and empty.json()["message"] == "当前没有等候的号码。"


def test_slots_booking_and_cancelling(at):
    at("2026-11-26 10:00")
    slot = AppointmentSlotFactory(date="2026-11-27", starts_at="2026-11-27T09:00+08:00",
                                  ends_at="2026-11-27T10:00+08:00", capacity=1)
    listed = api().get(f"/api/appointments/slots/?hall={slot.hall.code}&category=natural&date=2026-11-27").json()
    assert [(s["id"], s["remaining"]) for s in listed] == [(slot.pk, 1)]
    assert api().get(f"/api/appointments/slots/?hall={slot.hall.code}&date=27-11").status_code == 400
    citizen = UserFactory()
    booked = api(citizen).post("/api/appointments/", {"slot": slot.pk}, format="json")
    assert booked.status_code == 201 and booked.json()["state"] == "booked"
    full = api(UserFactory()).post("/api/appointments/", {"slot": slot.pk}, format="json")
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    code = booked.json()["code"]
    assert [a["code"] for a in api(citizen).get("/api/appointments/").json()] == [code]
    cancelled = api(citizen).post(f"/api/appointments/{code}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert api().get(f"/api/appointments/slots/?hall={slot.hall.code}").json()[0]["remaining"] == 1
