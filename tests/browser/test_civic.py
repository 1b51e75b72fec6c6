"""Browser: 政民互动 — a citizen asks a public question, the department answers, another reviewer
publishes it and an anonymous visitor reads the masked answer; 免申即享 — an eligible citizen
accepts a benefit in one step (the reference data source runs as its own process)."""

import json

from civic.models import Benefit, Question
from exchange.datasources import _clients
from exchange.models import DataSourcePolicy
from tests.browser.test_smoke import sign_in, sign_out
from tests.exchange.refsys_process import RefProcess
from tests.factories import MatterFactory, ReviewerFactory, UserFactory
from workflow.calendar_store import seed_calendar


def test_ask_answer_publish_and_read_anonymously(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    matter = MatterFactory(name="城乡居民基本养老保险参保登记")
    citizen = UserFactory()
    answerer = ReviewerFactory(department=matter.department)
    checker = ReviewerFactory(department=matter.department)
    base = live_server.url

    sign_in(page, base, citizen)
    page.goto(f"{base}/civic/ask/")
    page.select_option("#matter", str(matter.pk))
    page.fill("#subject", "灵活就业可以参保吗")
    page.fill("#content", "我电话13912345678,灵活就业能参加城乡居民养老保险吗?")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#q-state")).to_have_text("待答复")
    question = Question.objects.get()
    sign_out(page)

    sign_in(page, base, answerer)
    page.goto(f"{base}/civic/desk/")
    with page.expect_navigation():
        page.get_by_role("link", name="灵活就业可以参保吗").click()
    page.fill("#answer", "可以,在户籍地参加城乡居民基本养老保险。")
    with page.expect_navigation():
        page.locator("#answer-form button[type=submit]").click()
    expect(page.locator("#q-state")).to_have_text("已答复待审核")
    sign_out(page)

    sign_in(page, base, checker)
    page.goto(f"{base}/civic/q/{question.pk}/")
    expect(page.locator("#public_content")).to_have_value("我电话139****5678,灵活就业能参加城乡居民养老保险吗?")
    with page.expect_navigation():
        page.locator("#publish-form button[type=submit]").click()
    sign_out(page)

    page.goto(f"{base}/civic/")
    with page.expect_navigation():
        page.get_by_role("link", name="灵活就业可以参保吗").click()
    expect(page.locator("#q-answer")).to_contain_text("在户籍地参加城乡居民基本养老保险")
    expect(page.locator("#q-content")).not_to_contain_text("13912345678")


def test_an_eligible_citizen_accepts_a_benefit_in_one_step(transactional_db, live_server, page, tmp_path, settings):
    from playwright.sync_api import expect

    citizen = UserFactory()
    records = tmp_path / "records.json"
    records.write_text(json.dumps({"shebao": {citizen.id_number: {"months": 200}}}), encoding="utf-8")
    source = RefProcess(
        db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"}, extra=("--records", str(records))
    ).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = source.url, "d1:ds-secret"
    _clients.clear()
    try:
        matter = MatterFactory(name="职工基本养老保险退休待遇核定")
        DataSourcePolicy.objects.create(matter=matter, source="shebao", fields=["months"], purpose="核验缴费年限")
        Benefit.objects.create(
            code="changjiao",
            name="养老保险长缴多得补贴",
            matter=matter,
            source="shebao",
            field="months",
            field_label="累计缴费月数",
            op=Benefit.Op.GTE,
            value="180",
            grant_text="每月增发30元",
        )
        base = live_server.url
        sign_in(page, base, citizen)
        page.goto(f"{base}/civic/benefits/changjiao/")
        with page.expect_navigation():
            page.locator("#benefit-accept-button").click()
        expect(page.locator("#benefit-granted")).to_contain_text("您已确认享受该政策")
        expect(page.locator("#benefit-accept-button")).to_have_count(0)
    finally:
        source.stop()
        _clients.clear()
