"""Browser: 中介超市, issue 16's done-when walk — an enterprise posts a demand, three intermediaries
bid on its page, the owner's random draw picks one, and anyone signed out reads the public result
(seed, ordered list, digest) and re-runs the draw on the site to the same winner; the contract's
clock runs over National Day 2026, the winner delivers the survey report, and the owner hands it
in as a material of a new application (使用中介服务成果), where it shows with its contract.

The server's clock is pinned (time_machine, ticking) to September and October 2026; the session
and CSRF cookies are given a long life so that the browser, on the real clock, keeps them."""

import datetime as dt
import re

from market.models import Contract, Demand
from tests.browser.test_smoke import PDF_BYTES, sign_in, sign_out
from tests.factories import EnterpriseFactory, MatterFactory
from tests.market.conftest import approved_intermediary, member_of
from workflow.calendar_store import seed_calendar


def at(time_machine, day: str):
    time_machine.move_to(f"{day} 10:00 +08:00", tick=True)


def test_post_bid_draw_rerun_deliver_and_reuse(transactional_db, live_server, page, time_machine, settings):
    from playwright.sync_api import expect

    from market.models import ServiceItem

    settings.SESSION_COOKIE_AGE = settings.CSRF_COOKIE_AGE = 30 * 365 * 86400
    at(time_machine, "2026-09-21")  # a Monday
    seed_calendar(years=[2026])
    matter = MatterFactory(
        name="建设用地规划许可证核发",
        target="legal",
        materials=[{"name": "用地红线图", "source": "applicant"}, {"name": "测绘成果报告", "source": "applicant"}],
    )
    red_line, survey = (matter.materials.get(name=n) for n in ("用地红线图", "测绘成果报告"))
    item = ServiceItem.objects.create(code="CH", name="测绘", report_name="测绘成果报告")
    item.matters.add(matter)
    enterprise = EnterpriseFactory(name="清远市清新区禾云山茶业有限公司")
    owner = member_of(enterprise)
    firms = [
        approved_intermediary(item, name=name, valid_until=dt.date(2030, 12, 31))
        for name in ("清远市恒信测绘有限公司", "广东粤北勘测规划设计有限公司", "清远市正方测绘服务有限公司")
    ]
    base = live_server.url

    # the guide names the service and leads to the market
    page.goto(f"{base}/guide/matters/{matter.code}/")
    expect(page.locator("#market-services")).to_contain_text("3 家可选机构")

    sign_in(page, base, owner)
    page.goto(f"{base}/market/demands/new/?item=CH")
    page.fill("#id_title", "禾云山茶叶加工厂房用地地形图测绘")
    page.fill("#id_matter_code", matter.code)
    page.fill("#id_scope", "厂房用地约 1.2 公顷 1:500 地形图测绘,出具测绘成果报告。")
    page.fill("#id_budget_ceiling", "8000")
    page.fill("#id_bid_deadline", "2026-09-28")
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
        page.fill("#id_days", "5")
        with page.expect_navigation():
            page.locator("#bid button[type=submit]").click()
        expect(page.locator(".messages")).to_contain_text("报名成功")
        sign_out(page)
    assert demand.bids.count() == 3

    at(time_machine, "2026-09-29")  # the bidding closed on Monday the 28th
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

    # the contract: signed Tue Sep 29, 5 working days over National Day (Oct 1-7 off, Sat Oct 10
    # a make-up working day) → due Mon Oct 12
    contract = Contract.objects.get()
    staff = next(s for i, s in firms if i == contract.intermediary)
    at(time_machine, "2026-10-09")
    sign_in(page, base, staff)
    page.goto(f"{base}/market/contracts/{demand.number}/")
    expect(page.locator("#due-on")).to_contain_text("2026-10-12")
    page.set_input_files("#id_report", files=[{"name": "禾云山厂房用地测绘成果报告.pdf", "mimeType": "application/pdf",
                                               "buffer": PDF_BYTES}])
    with page.expect_navigation():
        page.locator("#deliver button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("成果已交付")
    expect(page.locator("#contract-state")).to_contain_text("已交付")
    sign_out(page)

    # the owner applies for the permit and hands the report in instead of a file
    sign_in(page, base, owner)
    page.goto(f"{base}/apply/matter/{matter.code}/")
    page.fill("#id_field_applicant_name", "禾云山茶业")
    page.fill("#id_field_contact_phone", "13912345678")
    page.set_input_files(f"#id_material_{red_line.pk}", files=[{"name": "用地红线图.pdf", "mimeType": "application/pdf",
                                                                  "buffer": PDF_BYTES}])
    offer = page.locator(f"input[name=report_{survey.pk}][value='{contract.pk}']")
    expect(offer.locator("xpath=..")).to_contain_text(f"使用中介服务成果:测绘成果报告({contract.intermediary.name}")
    expect(offer.locator("xpath=..")).to_contain_text(f"合同编号 {demand.number}")
    offer.check()
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/applications/[^/]+/$"))
    row = page.locator("table tr", has_text="测绘成果报告")
    expect(row).to_contain_text("中介服务成果")
    expect(row.locator("a.material-contract")).to_have_text(demand.number)
    contract.refresh_from_db()
    material = contract.uses.get().material
    assert (material.source, material.sha256, material.file.name) == (
        "intermediary", contract.report_sha256, contract.report.name)
