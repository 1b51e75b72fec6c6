"""Issue 13, 我的 (/me/) lists the citizen's hall appointments and home visits: upcoming first
(soonest first) with state, hall or address, time and 取消预约; then the last few past or closed
ones without an action; a cancel made there comes back to 我的; nobody else's bookings."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.factories import AppointmentSlotFactory, HallFactory, UserFactory
from tests.windows.test_home_visits import book, world  # noqa: F401
from windows import home_visits
from windows import queue_services as services
from windows.models import Appointment, HomeVisit, Window


def slot(hall, day: str, start: str, end: str):
    date = dt.date.fromisoformat(day)
    at = lambda hm: timezone.make_aware(dt.datetime.combine(date, dt.time.fromisoformat(hm)))  # noqa: E731
    return AppointmentSlotFactory(hall=hall, date=date, starts_at=at(start), ends_at=at(end), capacity=4,
                                  category=Window.Category.NATURAL)


def rows(html: str) -> list[str]:
    card = html.split('id="me-appointments"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li class="me-booking[^"]*" data-booking="([^"]+)".*?</li>', card, re.S), card


def row(card: str, code: str) -> str:
    return card.split(f'data-booking="{code}"', 1)[1].split("</li>", 1)[0]


def test_upcoming_first_with_their_actions_then_the_past(world, at, client):  # noqa: F811
    citizen, hall = world["citizen"], world["hall"]
    at("2026-11-19 09:00")
    dropped = services.appointment_book(user=citizen, slot=slot(hall, "2026-11-20", "10:00", "11:00"))
    services.appointment_cancel(user=citizen, appointment=dropped)
    missed = services.appointment_book(user=citizen, slot=slot(hall, "2026-11-20", "09:00", "10:00"))
    at("2026-11-23 09:00")
    later = services.appointment_book(user=citizen, slot=slot(hall, "2026-11-26", "09:00", "10:00"))
    other_hall = HallFactory(name="城关街道便民服务中心")
    sooner = services.appointment_book(user=citizen, slot=slot(other_hall, "2026-11-24", "14:00", "15:00"))
    visit = book(world)  # for the citizen's mother, 待安排, hoped for 2026-11-25
    theirs = services.appointment_book(user=UserFactory(), slot=slot(hall, "2026-11-24", "09:00", "10:00"))

    client.force_login(citizen)
    codes, card = rows(client.get("/me/").content.decode())
    assert codes == [sooner.code, visit.code, later.code, dropped.code, missed.code]
    assert theirs.code not in card
    first = row(card, sooner.code)
    assert "城关街道便民服务中心" in first and "2026-11-24 14:00–15:00" in first and "已预约" in first
    assert f'action="/appointments/{sooner.code}/cancel/"' in first and "data-upcoming" in first
    home = row(card, visit.code)
    assert "上门办理 · 城乡居民养老保险待遇领取" in home and "上门:清新区太和镇桂园路12号3栋201" in home
    assert "待安排(希望 2026-11-25)" in home and "取消预约" in home
    assert "爽约" in row(card, missed.code) and "取消预约" not in row(card, missed.code)  # its slot ended
    assert "已取消" in row(card, dropped.code) and "<form" not in row(card, dropped.code)

    answer = client.post(f"/appointments/{sooner.code}/cancel/", {"back": "me"})
    assert answer.status_code == 302 and answer["Location"] == "/me/#me-appointments"
    assert Appointment.objects.get(pk=sooner.pk).state == Appointment.State.CANCELLED
    answer = client.post(f"/home-visits/{visit.code}/cancel/", {"back": "me"})
    assert answer.status_code == 302 and answer["Location"] == "/me/#me-appointments"
    assert HomeVisit.objects.get(pk=visit.pk).state == HomeVisit.State.CANCELLED
    codes, card = rows(client.get("/me/").content.decode())
    assert codes[0] == later.code and "data-upcoming" not in row(card, sooner.code)
    assert "已取消" in row(card, visit.code)
    assert len(codes) == 1 + 3  # the past: the last three only
    # without `back`, the cancel goes to 我的预约 as before
    assert client.post(f"/appointments/{later.code}/cancel/")["Location"] == "/appointments/"


def test_a_scheduled_visit_shows_its_time_and_the_case(world, at, client):  # noqa: F811
    visit = book(world)
    home_visits.home_visit_assign(visit=visit, by=world["clerk"], clerk=world["clerk"],
                                  starts_at=timezone.make_aware(dt.datetime(2026, 11, 25, 9, 30)))
    client.force_login(world["citizen"])
    _codes, card = rows(client.get("/me/").content.decode())
    scheduled = row(card, visit.code)
    assert "2026-11-25 09:30–10:30" in scheduled and "已安排" in scheduled and "取消预约" in scheduled


@pytest.mark.django_db
def test_nothing_booked(client):
    client.force_login(UserFactory())
    _codes, card = rows(client.get("/me/").content.decode())
    assert "没有预约。" in card and 'href="/appointments/book/"' in card
