"""Browser, issue 13's done-when for the mobile personal page: on a 390 px phone a citizen opens 我的
from the masthead, taps 查询 on 社保 and on 电费, and both are answered by the reference data source
(`python -m refsys`, its own process); the page never scrolls sideways, every target on it is at
least 44 px, axe-core finds nothing serious, 大字版 keeps it within the screen, and at 1366 px the
citizen menu is still one line."""

import json
import re

from exchange.datasources import _clients
from exchange.demo_records import person_records
from portal.personal import ensure_query_matter
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_smoke import sign_in
from tests.exchange.refsys_process import RefProcess
from tests.factories import DepartmentFactory, UserFactory, submitted_application
from workflow.calendar_store import seed_calendar

# Links and buttons of the page's own content smaller than 44 × 44 px, as [text, w, h].
SMALL_TARGETS = """
() => Array.from(document.querySelectorAll("main a, main button"))
  .filter(a => a.offsetParent !== null && !a.closest("p, dd, td, .messages"))
  .map(a => { const b = a.getBoundingClientRect(); return [a.textContent.trim(), Math.round(b.width), Math.round(b.height)]; })
  .filter(([, w, h]) => w < 44 || h < 44)
"""
SCROLL_WIDTH = "() => document.documentElement.scrollWidth"
# The tops of the menu items shown: one value when the menu is one line.
MENU_LINES = """
() => new Set(Array.from(document.querySelectorAll("#nav-list > li"))
  .filter(li => li.offsetParent !== null).map(li => Math.round(li.getBoundingClientRect().top))).size
"""


def test_the_personal_page_on_a_phone_with_shebao_and_dian_answered(
    transactional_db, live_server, page, settings, tmp_path
):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    citizen = UserFactory(real_name="陈志明")
    application = submitted_application(applicant=citizen)
    DepartmentFactory()
    ensure_query_matter()
    record = person_records(citizen)
    path = tmp_path / "records.json"
    path.write_text(json.dumps({s: {citizen.id_number: f} for s, f in record.items()}, ensure_ascii=False),
                    encoding="utf-8")
    source = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                        extra=("--records", str(path))).start()
    try:
        settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = source.url, "d1:ds-secret"
        _clients.clear()
        base = live_server.url
        sign_in(page, base, citizen)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/")
        with page.expect_navigation():  # the masthead's 我的 (the name is hidden on a phone)
            page.locator("a.account-name").click()
        expect(page.locator("h1")).to_have_text("我的")
        expect(page.locator(f'[data-application="{application.number}"]')).to_contain_text("下一步")

        shebao = page.locator("#data-shebao")
        with page.expect_navigation():
            shebao.get_by_role("button", name="查询").click()
        expect(shebao.locator("[data-answer]")).to_contain_text("参保中")
        expect(shebao.locator("[data-answer]")).to_contain_text(str(record["shebao"]["months"]))
        expect(shebao.locator("[data-months] tbody tr")).to_have_count(6)
        expect(shebao.locator("[data-answered]")).to_contain_text("由数据来源部门实时答复")
        dian = page.locator("#data-dian")
        with page.expect_navigation():
            dian.get_by_role("button", name="查询").click()
        expect(dian.locator("[data-answer]")).to_contain_text(record["dian"]["bill_amount"])
        expect(dian.locator("[data-answer]")).to_contain_text("无欠费")
        expect(dian.locator("[data-answered]")).to_contain_text("由数据来源部门实时答复")
        assert source.stats()["data_queries"] == 2

        assert page.evaluate(SCROLL_WIDTH) <= 390
        assert page.evaluate(SMALL_TARGETS) == []
        assert axe_violations(page) == []

        with page.expect_navigation():
            page.get_by_role("button", name="大字版").click()
        expect(page.locator("html")).to_have_class(re.compile(r"\blarge-print\b"))
        expect(page.locator("#data-dian [data-answer]")).to_contain_text(record["dian"]["bill_amount"])
        assert page.evaluate(SCROLL_WIDTH) <= 390
        assert page.evaluate(SMALL_TARGETS) == []

        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{base}/me/")
        expect(page.locator(".account-name")).to_have_attribute("aria-current", "page")
        assert page.evaluate(MENU_LINES) == 1
    finally:
        source.stop()
        _clients.clear()
