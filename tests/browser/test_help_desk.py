"""Browser, issue 13's done-when: a 帮办 application confirmed by the citizen. A help-desk clerk
fills the online application with the citizen beside them and sends a confirmation code to the
citizen's account; the citizen reads it on their phone (their own message centre) and says it; the
clerk types it, and the application is the citizen's own online one, its log naming the clerk.

The server's clock is pinned (ticking) to a Monday morning; the cookies get a long life so the
browser, on the real clock, keeps them."""

import re

from tests.browser.test_smoke import PDF_BYTES, sign_in
from tests.factories import ClerkFactory, MatterFactory, UserFactory, WindowFactory
from windows.models import Window
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Source


def test_a_help_desk_application_is_confirmed_by_the_citizen(transactional_db, live_server, page, time_machine,
                                                              settings):
    from playwright.sync_api import expect

    settings.SESSION_COOKIE_AGE = settings.CSRF_COOKIE_AGE = 30 * 365 * 86400
    time_machine.move_to("2026-11-23 09:00 +08:00", tick=True)
    seed_calendar(years=[2026])
    matter = MatterFactory(name="城乡居民基本医疗保险参保登记")
    clerk = ClerkFactory(real_name="梁淑贞", window=WindowFactory(category=Window.Category.ASSIST, name="帮办窗口"))
    citizen = UserFactory(real_name="黄伯元", phone="13912345678")
    base = live_server.url

    sign_in(page, base, clerk)
    page.goto(f"{base}/hall/help-desk/?matter={matter.code}")
    page.fill("#id_number", citizen.id_number)
    page.fill("#id_field_applicant_name", "黄伯元")
    page.fill("#id_field_contact_phone", "13912345678")
    upload = matter.materials.get(name="申请表")
    page.set_input_files(f"#id_material_{upload.pk}",
                         files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    with page.expect_navigation():
        page.get_by_role("button", name="发送确认码给申请人").click()
    expect(page.locator("#confirm-form")).to_be_visible()
    assert not Application.objects.exists()  # nothing is submitted before the citizen confirms

    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, base, citizen)
    phone.goto(f"{base}/me/messages/")
    code = re.search(r"确认码 (\d{6})", phone.locator("main").inner_text()).group(1)
    phone.context.close()

    page.fill("#code", code)
    with page.expect_navigation():
        page.get_by_role("button", name="确认并提交").click()
    application = Application.objects.get()
    expect(page.locator("#draft-application")).to_have_text(application.number)
    assert (application.applicant, application.source) == (citizen, Source.HELP_DESK)
    row = application.log.get(action="workflow.application.submitted")
    assert "帮办:由窗口人员 梁淑贞 协助填报" in row.note
