"""The hall's screen in headless Chromium: it shows a number the moment a clerk calls it, without
reloading, whether the call comes from the service or from the clerk's page in another tab."""


from tests.browser.test_smoke import sign_in
from tests.factories import ClerkFactory, HallFactory, WindowFactory, ticket
from windows import queue_services
from windows.models import Ticket


def test_the_screen_updates_when_a_ticket_is_called(transactional_db, live_server, page):
    from playwright.sync_api import expect

    hall = HallFactory(name="太和镇综合政务服务中心")
    window = WindowFactory(hall=hall, number="A01", name="自然人综合窗口")
    clerk = ClerkFactory(window=window)
    first, second = ticket(hall=hall), ticket(hall=hall)
    base = live_server.url

    page.goto(f"{base}/queue/{hall.code}/screen/")
    expect(page.locator(".board h1")).to_contain_text("太和镇综合政务服务中心 · 叫号")
    latest = page.locator("[data-screen-latest]")
    expect(latest).to_contain_text("请取号后留意叫号")
    expect(page.locator(".board-waiting")).to_contain_text("A 个人业务 · 等候 2 人")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    # the clerk calls through the service: the screen follows within a few seconds
    queue_services.ticket_call_next(clerk=clerk)
    expect(latest).to_contain_text("请 A001 号 到 A01 号窗口")
    expect(latest).to_have_class("board-latest flash")
    expect(page.locator("[data-screen-rows] tr").first).to_contain_text("A001")
    expect(page.locator(".board-waiting")).to_contain_text("等候 1 人")
    queue_services.ticket_finish(clerk=clerk, ticket=first, outcome=Ticket.State.SERVED)

    # and through the calling panel of the clerk's hall page, in a second tab
    desk = page.context.new_page()
    sign_in(desk, base, clerk)
    desk.goto(f"{base}/hall/")
    with desk.expect_navigation():
        desk.get_by_role("button", name="叫号", exact=True).click()
    expect(desk.locator("[data-current-ticket]")).to_have_text("A002")
    expect(latest).to_contain_text("请 A002 号 到 A01 号窗口")
    rows = page.locator("[data-screen-rows] tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_class("latest")
    expect(rows.nth(1)).to_contain_text("已办理")

    # a recall puts it back on top and flashes again
    with desk.expect_navigation():
        desk.get_by_role("button", name="重呼").click()
    expect(rows.nth(0)).to_contain_text("重呼")
    assert page.evaluate("window.__sameDocument") is True
    page.screenshot(path="/tmp/tongban-hall-screen.png", full_page=True)
    assert Ticket.objects.get(pk=second.pk).recall_count == 1
