"""Browser, issue 13: 我的 (/me/) on a 390 px phone lists the citizen's hall appointment and home
visit, upcoming first, with their 取消预约; nothing is wider than the screen, every target is at
least 44 px, axe-core finds nothing serious; cancelling there comes back to the card."""

import datetime as dt

from django.utils import timezone

from tests.browser.test_accessibility import axe_violations
from tests.browser.test_home_visit import move_clock
from tests.browser.test_personal_page import SCROLL_WIDTH, SMALL_TARGETS
from tests.browser.test_smoke import sign_in
from tests.factories import AppointmentSlotFactory, HallFactory, MatterFactory, UserFactory, valid_id_number
from windows import home_visits
from windows import queue_services as services
from windows.models import Appointment, Window
from workflow.calendar_store import seed_calendar


def test_bookings_on_a_phone(transactional_db, live_server, page, monkeypatch):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    move_clock(monkeypatch, "2026-11-23 09:00")  # a Monday
    hall = HallFactory(name="清新区政务服务中心")
    citizen = UserFactory(real_name="陈伟军")
    day = dt.date(2026, 11, 24)
    at = lambda hm: timezone.make_aware(dt.datetime.combine(day, dt.time.fromisoformat(hm)))  # noqa: E731
    booking = services.appointment_book(user=citizen, slot=AppointmentSlotFactory(
        hall=hall, date=day, starts_at=at("14:00"), ends_at=at("15:00"), capacity=4,
        category=Window.Category.NATURAL))
    visit = home_visits.home_visit_book(
        user=citizen, matter=MatterFactory(name="城乡居民养老保险待遇领取", home_visit=True), hall=hall,
        reason="elderly", address="清新区太和镇桂园路12号3栋201", phone="13912345678",
        preferred_date=dt.date(2026, 11, 25), for_self=False, person_name="陈秀英",
        person_id_number=valid_id_number(birth="19420315"), relation="子女")
    base = live_server.url
    sign_in(page, base, citizen)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/me/")
    rows = page.locator("#me-appointments [data-booking]")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("2026-11-24 14:00–15:00")
    expect(rows.nth(0)).to_contain_text("清新区政务服务中心")
    expect(rows.nth(0)).to_contain_text("已预约")
    expect(rows.nth(1)).to_contain_text("上门:清新区太和镇桂园路12号3栋201")
    expect(rows.nth(1)).to_contain_text("待安排")
    assert page.evaluate(SCROLL_WIDTH) <= 390
    assert page.evaluate(SMALL_TARGETS) == []
    assert axe_violations(page) == []

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        rows.nth(0).get_by_role("button", name="取消预约").click()
    expect(page).to_have_url(f"{base}/me/#me-appointments")
    assert Appointment.objects.get(pk=booking.pk).state == Appointment.State.CANCELLED
    expect(page.locator(f'#me-appointments [data-booking="{visit.code}"]')).to_have_attribute("data-upcoming", "")
    expect(page.locator(f'#me-appointments [data-booking="{booking.code}"]')).to_contain_text("已取消")
    assert page.evaluate(SCROLL_WIDTH) <= 390
