"""Browser (issue 17, 同城通办): a township clerk whose 授权 does not cover every matter of a theme
application sees it under 未获授权受理 on her workbench (not hidden), and on the application
page why she cannot act (which matters) and which halls and windows can take it today."""

from tests.browser.test_smoke import sign_in
from tests.factories import (
    ClerkFactory,
    HallFactory,
    MatterFactory,
    WindowFactory,
    submitted_application,
    theme_with,
)
from workflow.calendar_store import seed_calendar


def test_township_clerk_sees_why_she_cannot_accept_and_where_to_send(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    pension = MatterFactory(name="城乡居民养老保险参保登记")
    birth = MatterFactory(name="再生育审批")
    theme = theme_with([pension, birth], code="yanglao", name="退休养老一件事", target="natural")
    township = HallFactory(name="太和镇便民服务中心", address="清新区太和镇太和大道 12 号")
    district = HallFactory(name="清新区政务服务中心", address="清新区太和镇玄真路 8 号", phone="0763-5812345")
    clerk = ClerkFactory(real_name="黄丽娟", window=WindowFactory(hall=township, number="T01"), authorised=[pension])
    ClerkFactory(window=WindowFactory(hall=district, number="A03"))  # authorised for every matter
    ClerkFactory(window=WindowFactory(hall=district, number="A05"), authorised=[pension])  # not for both
    mine = submitted_application(matters=[pension])
    theirs = submitted_application(matters=[pension, birth], theme=theme)

    base = live_server.url
    sign_in(page, base, clerk)
    page.goto(f"{base}/hall/")
    expect(page.locator("main table")).to_contain_text(mine.number)
    expect(page.locator("main table")).not_to_contain_text(theirs.number)
    expect(page.locator("#elsewhere-note")).to_contain_text("另有 1 件办件含您今天未获授权受理的事项")
    page.get_by_role("link", name="未获授权受理").click()
    row = page.locator("main table tr", has_text=theirs.number)
    expect(row).to_contain_text("未获授权:再生育审批")
    row.get_by_role("link", name="查看原因").click()

    card = page.locator("#not-authorised")
    expect(card).to_contain_text("您今天未获授权受理以下事项:再生育审批")
    expect(card).not_to_contain_text("城乡居民养老保险参保登记")
    expect(card).to_contain_text("清新区政务服务中心")
    expect(card).to_contain_text("A03 号窗口")
    expect(card).not_to_contain_text("A05")
    expect(card).not_to_contain_text("太和镇便民服务中心")
    expect(card).to_contain_text("0763-5812345")
    expect(page.get_by_role("button", name="受理")).to_have_count(0)
