"""Browser, issue 13's 交通违章 per vehicle on a 390 px phone: 查询 on 我的's 交通违章 card is answered
by the reference data source (`python -m refsys`, its own process) with two vehicles; each has its
own card, the open violation first; nothing is wider than the screen (also in 大字版), every target
is at least 44 px and axe-core finds nothing serious."""

import json
import re

from exchange.datasources import _clients
from portal.personal import ensure_query_matter
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_personal_page import SCROLL_WIDTH, SMALL_TARGETS
from tests.browser.test_smoke import sign_in
from tests.exchange.refsys_process import RefProcess
from tests.factories import DepartmentFactory, UserFactory
from tests.portal.test_traffic_violations import TRAFFIC


def test_each_vehicle_on_a_phone(transactional_db, live_server, page, settings, tmp_path):
    from playwright.sync_api import expect

    citizen = UserFactory(real_name="陈志明")
    DepartmentFactory()
    ensure_query_matter()
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"jiaotong": {citizen.id_number: TRAFFIC}}, ensure_ascii=False), encoding="utf-8")
    source = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                        extra=("--records", str(path))).start()
    try:
        settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = source.url, "d1:ds-secret"
        _clients.clear()
        base = live_server.url
        sign_in(page, base, citizen)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/me/")
        card = page.locator("#data-jiaotong")
        with page.expect_navigation():
            card.get_by_role("button", name="查询").click()
        expect(card.locator("[data-vehicle]")).to_have_count(2)
        car = card.locator('[data-vehicle="粤R12345"]')
        expect(car).to_contain_text("1 起未处理")
        expect(car.locator("[data-violation]").first).to_contain_text("机动车不按交通信号灯规定通行")
        expect(car.locator("[data-violation]").first).to_contain_text("罚款 200.00 元,记 6 分")
        expect(car.locator("[data-violation]").nth(1)).to_contain_text("已处理")
        expect(card.locator('[data-vehicle="粤R6789摩"]')).to_contain_text("这辆车没有违章记录")
        assert source.stats()["data_queries"] == 1

        assert page.evaluate(SCROLL_WIDTH) <= 390
        assert page.evaluate(SMALL_TARGETS) == []
        assert axe_violations(page) == []
        box = car.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box

        with page.expect_navigation():
            page.get_by_role("button", name="大字版").click()
        expect(page.locator("html")).to_have_class(re.compile(r"\blarge-print\b"))
        expect(card.locator("[data-vehicle]")).to_have_count(2)
        assert page.evaluate(SCROLL_WIDTH) <= 390
        assert page.evaluate(SMALL_TARGETS) == []
    finally:
        source.stop()
        _clients.clear()
