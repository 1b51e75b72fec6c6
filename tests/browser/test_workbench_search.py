"""Browser (issue 17): the clerk's workbench search finds any application — by number, by the
applicant's ID number, by name — listed masked, and opening one is written in its log (which
the applicant sees); a ticket number finds today's ticket in her hall."""

from tests.browser.test_smoke import sign_in
from tests.factories import ClerkFactory, HallFactory, MatterFactory, UserFactory, WindowFactory, submitted_application
from tests.factories import ticket as take_ticket
from workflow.calendar_store import seed_calendar
from workflow.models import CaseLog


def test_clerk_finds_applications_and_a_ticket(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    hall = HallFactory(name="太和镇便民服务中心")
    clerk = ClerkFactory(window=WindowFactory(hall=hall, number="T01"))
    chen = UserFactory(real_name="陈志明")
    other = UserFactory(real_name="李秀英")
    first = submitted_application(applicant=chen, matters=[MatterFactory(name="城乡居民养老保险参保登记")])
    second = submitted_application(applicant=chen, matters=[MatterFactory(name="居民身份证换领")])
    hers = submitted_application(applicant=other, matters=[MatterFactory(name="再生育审批")])
    take_ticket(hall=hall)
    wanted = take_ticket(hall=hall)
    elsewhere = WindowFactory(hall=HallFactory(name="三坑镇便民服务中心")).hall
    take_ticket(hall=elsewhere)
    assert take_ticket(hall=elsewhere).number == wanted.number  # same number elsewhere: not hers

    base = live_server.url
    sign_in(page, base, clerk)
    page.goto(f"{base}/hall/")

    # by ID number: both of 陈志明's, masked, not 李秀英's
    page.fill("#hall_q", chen.id_number)
    with page.expect_navigation():
        page.locator("form.inline-search button").click()
    results = page.locator("#search-results")
    expect(results).to_contain_text(first.number)
    expect(results).to_contain_text(second.number)
    expect(results).not_to_contain_text(hers.number)
    expect(results).to_contain_text("陈**")
    expect(results).not_to_contain_text("陈志明")
    expect(results).not_to_contain_text(chen.id_number)

    # by name, then by the number's last digits
    page.fill("#q", "李秀英")
    with page.expect_navigation():
        page.get_by_role("button", name="检索", exact=True).click()
    expect(results).to_contain_text(hers.number)
    expect(results).not_to_contain_text(first.number)
    page.fill("#q", first.number.rsplit("-", 1)[1])
    with page.expect_navigation():
        page.get_by_role("button", name="检索", exact=True).click()
    expect(results.locator("tbody tr")).to_have_count(1)

    # opening is logged on the case, with how it was found
    assert not CaseLog.objects.filter(application=first, action="workflow.application.looked_up").exists()
    with page.expect_navigation():
        results.get_by_role("button", name="打开").click()
    expect(page.locator("h1")).to_contain_text("城乡居民养老保险参保登记")
    log = CaseLog.objects.get(application=first, action="workflow.application.looked_up")
    assert log.actor == clerk and "按办件编号" in log.note
    expect(page.locator("main")).to_contain_text("窗口人员检索查阅")

    # a ticket number: today's ticket in her hall only
    page.goto(f"{base}/hall/search/?q={wanted.number.lower()}")
    rows = page.locator("#search-results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(wanted.number)
    expect(rows).to_contain_text("太和镇便民服务中心")
    expect(rows).to_contain_text("前面 1 人")
