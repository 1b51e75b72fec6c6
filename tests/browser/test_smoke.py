"""Browser smoke test: a citizen applies online in headless Chromium and a clerk accepts it.

The Chromium fixture `page` is in tests/browser/conftest.py; the
portal runs on pytest-django's live server, on SQLite or PostgreSQL alike. Assertions are on
what the person sees, then on the database.
"""

import re

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 (bench/bench_walk_in.py reads them here)
from tests.factories import PASSWORD, PDF_BYTES, ClerkFactory, MatterFactory, UserFactory
from workflow.calendar_store import seed_calendar
from workflow.models import Application

SCREENSHOT = "/tmp/tongban-smoke.png"


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".account-name")
    assert user.real_name in page.inner_text(".account-name")


def sign_out(page):
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    page.wait_for_selector("main")
    assert "您已安全退出" in page.inner_text("main")


def test_citizen_applies_online_and_clerk_accepts(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    matter = MatterFactory()  # one required upload (申请表) and one 免提交 licence
    upload = matter.materials.get(name="申请表")
    citizen = UserFactory()
    clerk = ClerkFactory()
    base = live_server.url

    # the citizen signs in, opens the guide page and applies
    sign_in(page, base, citizen)
    page.goto(f"{base}/guide/matters/{matter.code}/")
    expect(page.locator("h1")).to_have_text(matter.name)
    with page.expect_navigation():
        page.get_by_role("link", name="在线申办").first.click()
    expect(page.locator("h1")).to_contain_text(f"在线申办:{matter.name}")
    page.fill("#id_field_applicant_name", citizen.real_name)
    page.fill("#id_field_contact_phone", "13912345678")
    page.set_input_files(f"#id_material_{upload.pk}",
                         files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()

    page.wait_for_url(re.compile(r"/applications/[^/]+/$"))
    number = page.inner_text(".case-number").replace("办件编号", "").strip()
    assert re.fullmatch(r"441803-2026-\S+", number), number
    assert page.url.endswith(f"/applications/{number}/")
    expect(page.locator(".case-state")).to_have_text("待受理")
    expect(page.locator(".messages")).to_contain_text(f"申请已提交,办件编号:{number}")
    uploaded = page.locator("section", has=page.get_by_role("heading", name="申请材料")).locator("tr", has_text="申请表")
    expect(uploaded).to_contain_text("下载")  # the PDF went up with the application
    sign_out(page)

    # the clerk finds it in the window queue, opens it and accepts it
    sign_in(page, base, clerk)
    page.wait_for_url(f"{base}/hall/")  # the clerk's workbench is the window queue
    row = page.locator("tbody tr", has_text=number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(citizen.real_name)
    with page.expect_navigation():
        row.get_by_role("link", name="预审").click()
    expect(page.locator(".case-state")).to_have_text("待受理")
    with page.expect_navigation():
        page.get_by_role("button", name="材料齐全,受理").click()

    page.wait_for_url(f"**/applications/{number}/")
    expect(page.locator(".case-state")).to_have_text("已受理")
    expect(page.locator(".messages")).to_contain_text(f"已受理办件 {number}")
    subcases = page.locator("section", has=page.get_by_role("heading", name="部门审批"))
    expect(subcases).to_contain_text(matter.name)
    expect(subcases).to_contain_text(matter.department.name)
    expect(subcases).to_contain_text(f"{number}-01")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # and the database agrees
    application = Application.objects.get(number=number)
    assert application.applicant == citizen
    assert application.state == Application.State.ACCEPTED
    assert application.accepted_by == clerk
    assert [(s.number, s.department_id) for s in application.subcases.all()] == [(f"{number}-01", matter.department_id)]
    material = application.materials.get(requirement=upload)
    assert material.file.read() == PDF_BYTES
