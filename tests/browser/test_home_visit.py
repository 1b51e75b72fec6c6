"""Browser (issue 13, done when: "a home visit booked and its case accepted"): a citizen books a
home visit from the matter's guide, a clerk of the hall takes it as a slot of her day, the
citizen sees the time on 我的预约, and on the day the clerk receives the materials at home on the
walk-in screen and accepts the case, recorded as 上门办理. The citizen's two pages pass axe-core."""

import datetime as dt

from django.utils import timezone

from tests.browser.test_accessibility import axe_violations
from tests.browser.test_smoke import sign_in, sign_out
from tests.factories import ClerkFactory, HallFactory, MatterFactory, UserFactory, WindowFactory
from windows import clock
from windows.models import HomeVisit
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Source


def move_clock(monkeypatch, when: str):
    moment = timezone.make_aware(dt.datetime.fromisoformat(when))
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_a_home_visit_booked_assigned_and_its_case_accepted_at_home(transactional_db, live_server, page, monkeypatch):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    move_clock(monkeypatch, "2026-11-23 09:00")  # a Monday
    hall = HallFactory(name="清新区政务服务中心")
    matter = MatterFactory(name="社会保障卡申领", home_visit=True)
    clerk = ClerkFactory(real_name="何丽娟", window=WindowFactory(hall=hall))
    citizen = UserFactory(real_name="李秀英")
    base = live_server.url

    sign_in(page, base, citizen)
    page.goto(f"{base}/guide/matters/{matter.code}/")
    with page.expect_navigation():
        page.get_by_role("link", name="预约上门办理").click()
    assert axe_violations(page) == []  # 适老化: the relatives of the elderly book here
    page.locator("#reason").select_option("elderly")
    page.fill("#address", "清远市清新区太和镇洲心大道东18号2栋302")
    page.fill("#preferred_date", "2026-11-25")
    with page.expect_navigation():
        page.get_by_role("button", name="提交预约").click()
    expect(page.locator("#home-visits")).to_contain_text("待安排(希望 2026-11-25)")
    assert axe_violations(page) == []
    visit = HomeVisit.objects.get()
    sign_out(page)

    sign_in(page, base, clerk)
    page.goto(f"{base}/hall/")
    with page.expect_navigation():
        page.get_by_role("link", name="上门办理", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name=visit.code).click()
    page.fill("#starts_at", "2026-11-25T09:30")
    with page.expect_navigation():
        page.get_by_role("button", name="由我上门").click()
    expect(page.locator("#visit-slot")).to_contain_text("2026-11-25 09:30–10:30 · 何丽娟")
    sign_out(page)

    sign_in(page, base, citizen)
    page.goto(f"{base}/appointments/")
    expect(page.locator("#home-visits .visit-time")).to_have_text("2026-11-25 09:30–10:30")
    sign_out(page)

    move_clock(monkeypatch, "2026-11-25 09:35")  # at the door
    sign_in(page, base, clerk)
    page.goto(f"{base}/hall/home-visits/{visit.code}/")
    with page.expect_navigation():
        page.locator("#receive-at-home").click()
    expect(page.locator("h1")).to_have_text("上门收件:社会保障卡申领")
    expect(page.locator("#applicant_id_number")).to_have_value(citizen.id_number)
    form = matter.materials.get(name="申请表")
    page.check(f"input[name=mark_{form.pk}][value=window]")
    with page.expect_navigation():
        page.locator("#do-accept").click()
    expect(page.locator(".walk-in-state")).to_have_text("已受理")

    application = Application.objects.get()
    assert application.state == Application.State.ACCEPTED and application.source == Source.HOME_VISIT
    assert application.applicant == citizen and application.accepted_by == clerk
    assert application.log.get(action="workflow.application.submitted").note.startswith("上门办理")
    assert HomeVisit.objects.get().state == HomeVisit.State.RECEIVED
