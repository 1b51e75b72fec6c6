"""Browser: 中介超市 — an enterprise posts a demand, three intermediaries bid on its page, the
owner's random draw picks one, and anyone signed out reads the public result (seed, ordered list,
digest) and re-runs the draw on the site to the same winner."""

import datetime as dt

from django.utils import timezone

from market.models import Demand
from tests.browser.test_smoke import sign_in, sign_out
from tests.factories import EnterpriseFactory, MatterFactory
from tests.market.conftest import approved_intermediary, member_of
from workflow.calendar_store import seed_calendar


def test_post_bid_draw_and_rerun(transactional_db, live_server, page):
    from playwright.sync_api import expect

    from market.models import ServiceItem

    seed_calendar(years=[2026])
    matter = MatterFactory(name="建设用地规划许可证核发", target="legal")
    item = ServiceItem.objects.create(code="CH", name="测绘", report_name="测绘成果报告")
    item.matters.add(matter)
    enterprise = EnterpriseFactory(name="清远市清新区禾云山茶业有限公司")
    owner = member_of(enterprise)
    firms = [
        approved_intermediary(item, name=name, valid_until=dt.date(2030, 12, 31))
        for name in ("清远市恒信测绘有限公司", "广东粤北勘测规划设计有限公司", "清远市正方测绘服务有限公司")
    ]
    base = live_server.url
    today = timezone.localdate()

    # the guide names the service and leads to the market
    page.goto(f"{base}/guide/matters/{matter.code}/")
    expect(page.locator("#market-services")).to_contain_text("3 家可选机构")

    sign_in(page, base, owner)
    page.goto(f"{base}/market/demands/new/?item=CH")
    page.fill("#id_title", "禾云山茶叶加工厂房用地地形图测绘")
    page.fill("#id_matter_code", matter.code)
    page.fill("#id_scope", "厂房用地约 1.2 公顷 1:500 地形图测绘,出具测绘成果报告。")
    page.fill("#id_budget_ceiling", "8000")
    page.fill("#id_bid_deadline", today.isoformat())
    page.fill("#id_service_days", "10")
    page.select_option("#id_method", "draw")
    with page.expect_navigation():
        page.locator("#demand-form button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已发布")
    demand = Demand.objects.get()
    expect(page.locator("#seed-commitment")).to_have_text(demand.seed_commitment)
    sign_out(page)

    for (_intermediary, staff), price in zip(firms, ("6800", "7200.50", "8000")):
        sign_in(page, base, staff)
        page.goto(f"{base}/market/demands/{demand.number}/")
        page.fill("#id_price", price)
        page.fill("#id_days", "8")
        with page.expect_navigation():
            page.locator("#bid button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("报名成功")
        sign_out(page)
    assert demand.bids.count() == 3

    Demand.objects.filter(pk=demand.pk).update(bid_deadline=today - dt.timedelta(days=1))  # the bidding closed
    sign_in(page, base, owner)
    page.goto(f"{base}/market/demands/{demand.number}/")
    with page.expect_navigation():
        page.locator("#do-draw").click()
    expect(page.locator(".messages")).to_contain_text("已选定")
    sign_out(page)

    demand.refresh_from_db()
    codes = sorted(i.credit_code for i, _s in firms)
    page.goto(f"{base}/market/demands/{demand.number}/")
    expect(page.locator("#draw-seed")).to_have_text(demand.seed)
    expect(page.locator("#draw-list li")).to_have_text(codes)
    winner = page.locator("#winner-code").inner_text()
    assert winner == codes[demand.draw_index]
    with page.expect_navigation():
        page.locator("#rerun").click()
    expect(page.locator("#check-winner")).to_have_text(winner)
    expect(page.locator("#check-digest")).to_have_text(demand.draw_digest)
    # another list is recomputed: drop the winner and the page names someone else
    page.fill("#id_codes", "\n".join(c for c in codes if c != winner))
    with page.expect_navigation():
        page.get_by_role("button", name="重新计算").click()
    expect(page.locator("#check-winner")).not_to_have_text(winner)
