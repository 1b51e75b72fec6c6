"""Browser (issue 17): validate first, then confirm. An action that asks "确认…?" with a field it
needs left empty shows the field's Chinese message and asks nothing; filled in, it asks and
goes through. Checked on the reviewer's 不予许可 and 特别程序 and the clerk's 不予受理."""

import re

from tests.browser.test_smoke import sign_in
from tests.factories import ClerkFactory, MatterFactory, ReviewerFactory, accepted_application, submitted_application
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, SubCase


def _watch_dialogs(page):
    asked = []
    page.on("dialog", lambda dialog: asked.append(dialog.message))
    return asked


def test_reviewer_deny_and_suspend_check_the_reason_before_confirming(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    matter = MatterFactory(name="医疗机构执业登记")
    application = accepted_application(matters=[matter])
    services.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    reviewer = ReviewerFactory(department=matter.department)
    services.subcase_start_examining(subcase=subcase, reviewer=reviewer)
    asked = _watch_dialogs(page)
    base = live_server.url
    sign_in(page, base, reviewer)
    page.goto(f"{base}/review/{subcase.number}/")

    # 不予许可 with no reason: no dialog, the field says why and has the focus
    page.get_by_role("button", name="不予许可").click()
    reason = page.locator("#decide_reason")
    expect(reason.locator("xpath=ancestor::div[contains(@class,'field')]")).to_contain_text("不予许可必须说明理由和依据")
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert asked == [] and page.url.endswith(f"/review/{subcase.number}/")

    # 特别程序 with nothing chosen: no dialog either
    page.locator("#pause_kind").locator("xpath=ancestor::form").get_by_role("button", name="进入特别程序").click()
    expect(page.locator("#pause_kind").locator("xpath=ancestor::div[contains(@class,'field')]")).to_contain_text(
        "请选择特别程序的种类")
    expect(page.locator("#pause_reason").locator("xpath=ancestor::div[contains(@class,'field')]")).to_contain_text(
        "请填写进入特别程序的理由")
    assert asked == []

    # typing clears the mark; with the reason the question is asked and the decision made
    reason.fill("申请人不符合《医疗机构管理条例》第十五条规定的条件。")
    expect(reason).not_to_have_attribute("aria-invalid", "true")
    with page.expect_navigation():
        page.get_by_role("button", name="不予许可").click()
    assert asked == ["确认作出不予许可决定?"]
    assert SubCase.objects.get(pk=subcase.pk).state == SubCase.State.DENIED


def test_clerk_refusal_checks_the_reason_before_confirming(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    clerk = ClerkFactory()
    application = submitted_application()
    asked = _watch_dialogs(page)
    base = live_server.url
    sign_in(page, base, clerk)
    page.goto(f"{base}/applications/{application.number}/")
    page.locator("summary", has_text="不予受理").click()
    form = page.locator("#refuse_reason").locator("xpath=ancestor::form")
    form.get_by_role("button", name="不予受理").click()
    expect(form).to_contain_text("不予受理必须说明理由及依据")
    assert asked == []
    page.fill("#refuse_reason", "申请事项依法不属于本机关职权范围。")
    with page.expect_navigation():
        form.get_by_role("button", name="不予受理").click()
    page.wait_for_url(re.compile(rf"/applications/{application.number}/"))
    assert len(asked) == 1 and asked[0].startswith("确认作出不予受理决定")
    assert Application.objects.get(pk=application.pk).state == Application.State.NOT_ACCEPTED
