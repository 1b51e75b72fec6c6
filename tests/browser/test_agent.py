"""Browser: an agent (委托代办) applies for the principal within the authorisation and succeeds;
for a matter outside it the apply page says why not and a stale choice is refused with the
service's message. The Chromium fixture is in conftest.py."""

import re

from tests.browser.test_smoke import PDF_BYTES, sign_in
from tests.factories import MatterFactory, UserFactory, agent_for
from workflow.calendar_store import seed_calendar
from workflow.models import Application

SCREENSHOT = "/tmp/tongban-agent.png"


def test_agent_applies_for_the_principal_within_the_authorisation(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    covered = MatterFactory(name="城乡居民养老保险参保登记")
    outside = MatterFactory(name="再生育审批")
    principal = UserFactory(real_name="陈志明")
    agent = UserFactory(real_name="陈伟健")
    grant = agent_for(principal, [covered], agent=agent)
    base = live_server.url

    sign_in(page, base, agent)
    # within: choose 代为申请 for the principal, fill in and submit
    page.goto(f"{base}/apply/matter/{covered.code}/")
    section = page.locator("#on-behalf")
    expect(section).to_contain_text("代为申请")
    page.select_option("#id_for", value=str(grant.pk))
    expect(page.locator("#id_for option:checked")).to_contain_text("代 陈志明 申请")
    with page.expect_navigation():
        section.get_by_role("button", name="确定").click()
    expect(page.locator(".card.accent").first).to_contain_text("代办人 陈伟健 代为申请")
    expect(page.locator(".card.accent").first).to_contain_text("陈志明")
    upload = covered.materials.get(name="申请表")
    page.fill("#id_field_contact_phone", "13912345678")
    page.set_input_files(f"#id_material_{upload.pk}",
                         files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/applications/[^/]+/$"))
    expect(page.locator(".messages")).to_contain_text("代 陈志明 申请")
    expect(page.locator("#agency")).to_contain_text("城乡居民养老保险参保登记")
    expect(page.locator("#agency")).to_contain_text("有效")
    expect(page.locator("main")).to_contain_text("代办人 陈伟健 代 陈志明")
    application = Application.objects.get()
    assert (application.applicant, application.agent) == (principal, agent)

    # outside: the principal is not offered, the page says why
    page.goto(f"{base}/apply/matter/{outside.code}/")
    expect(page.locator("#on-behalf")).to_have_count(0)
    expect(page.locator("#no-agency")).to_contain_text("您持有的委托不包含本次申请的全部事项,不能代为申请")

    # a choice made while the authorisation covered the matter, submitted after it no longer
    # does: the service refuses and the page shows its message
    page.goto(f"{base}/apply/matter/{covered.code}/?for={grant.pk}")
    grant.matters.set([outside])
    page.fill("#id_field_contact_phone", "13912345678")
    page.set_input_files(f"#id_material_{upload.pk}",
                         files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("陈伟健 没有 陈志明 对所选事项的有效委托")
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert Application.objects.count() == 1
