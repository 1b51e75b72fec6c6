"""Browser, issue 13's done-when for the terminals: a 市民之窗 kiosk bound to its device by a one-time
code; the reference terminal agent (its own process) reads an ID card and signs it; the PIN is
typed on the big-button pad; a shared-data query (社保) answers from the reference data source; a
fee is paid in the payment sandbox from the resident's phone; each leaves an 80 mm receipt whose
text is read; then the idle countdown reaches its end and the server has ended the session."""

import io
import json

from pypdf import PdfReader

from accounts.models import User
from exchange.models import DataSourcePolicy
from matters.models import FeeItem, Matter
from payments.models import FeeLine
from terminals import kiosk, services
from terminals.models import CardSession, KioskReceipt, Terminal
from tests.browser.test_accessibility import axe_violations
from tests.exchange.refsys_process import RefProcess
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    HallFactory,
    MatterFactory,
    UserFactory,
    WindowFactory,
    accepted_application,
)
from tests.payments.paysim_process import PaySimProcess
from tests.terminals.termsim_process import TermSimProcess
from workflow.calendar_store import seed_calendar

IDLE = 30  # seconds: room for a loaded box between two touches, short enough to wait for
PIN = "258036"


def pdf_text(page, href) -> tuple[str, float]:
    response = page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    return "".join(p.extract_text() for p in reader.pages).replace(" ", ""), width_mm


def test_a_resident_queries_pays_prints_and_is_signed_out_at_the_kiosk(
    transactional_db, live_server, page, settings, tmp_path
):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    settings.TERMINAL_IDLE_SECONDS = IDLE
    base = live_server.url
    citizen = UserFactory(real_name="陈志明")
    services.set_pin(citizen, pin=PIN, password=PASSWORD)

    # the other organisations' systems, each its own process: data source, payment sandbox, terminal agent
    records = tmp_path / "records.json"
    records.write_text(
        json.dumps({"shebao": {citizen.id_number: {"insured": True, "months": 146}}}, ensure_ascii=False),
        encoding="utf-8",
    )
    source = RefProcess(
        db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"}, extra=("--records", str(records))
    ).start()
    paysim = PaySimProcess(db=tmp_path / "paysim.sqlite3", merchant="QXZWFWZX", keys={"p1": "kiosk-secret"}).start()
    agent = TermSimProcess(db=tmp_path / "termsim.json", portal=base, terminal="QX-T01")
    try:
        settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = source.url, "d1:ds-secret"
        settings.PAYMENT_PROVIDER_URL, settings.PAYMENT_MERCHANT = paysim.url, "QXZWFWZX"
        settings.PAYMENT_KEY_ID, settings.PAYMENT_SECRET = "p1", "kiosk-secret"
        settings.PAYMENT_NOTIFY_BASE_URL = base

        hall = HallFactory(name="清新区综合政务服务中心")
        WindowFactory(hall=hall)
        terminal = Terminal.objects.create(
            code="QX-T01", hall=hall, location="一楼大厅东侧", public_key=agent.public_key()
        )
        query_matter = MatterFactory(
            code=settings.TERMINAL_QUERY_MATTER,
            name="个人数据自助查询",
            is_active=False,
            department=DepartmentFactory(),
        )
        DataSourcePolicy.objects.create(
            matter=query_matter, source="shebao", fields=["insured", "months"], purpose="本人在市民之窗自助查询"
        )
        matter = MatterFactory(name="居民身份证换领")
        FeeItem.objects.create(matter=matter, name="证照工本费", amount_fen=2000, legal_basis="发改价格〔2003〕2322号")
        application = accepted_application(applicant=citizen, matters=[matter])
        agent.start()  # after the data is written: on SQLite its heartbeats' reads would lock the tables the writes need
        code = kiosk.enrolment_code_issue(terminal=terminal, by=UserFactory(role=User.Role.ADMINISTRATOR))

        # the terminal's browser is bound to its device once
        page.goto(f"{base}/kiosk/")
        expect(page).to_have_url(f"{base}/kiosk/enrol/")
        page.get_by_label("终端登记码").fill(code)
        page.get_by_role("button", name="登记本设备").click()
        expect(page.locator("#idle")).to_contain_text("请将居民身份证放在读卡区")
        page.get_by_role("button", name="大字版").click()
        expect(page.locator("html")).to_have_class("kiosk large-print")
        assert axe_violations(page) == []

        # a signed card read by the agent: the page finds the new session by itself
        answer = agent.insert(name=citizen.real_name, id_number=citizen.id_number)
        assert answer["status"] == 200 and answer["answer"]["state"] == "awaiting_pin"
        expect(page.locator("#pinpad")).to_be_visible()
        key = page.locator('[data-digit="5"]').bounding_box()
        assert key["width"] >= 64 and key["height"] >= 64, key  # touch targets
        for digit in PIN:
            page.locator(f'[data-digit="{digit}"]').click()
        expect(page.locator("#pin-dots")).to_have_text("●●●●●●")
        assert axe_violations(page) == []
        page.get_by_role("button", name="确认").click()
        session = CardSession.objects.get()
        expect(page).to_have_url(f"{base}/kiosk/{session.pk}/")
        expect(page.locator("h1")).to_contain_text("陈志明")

        # 查: the shared-data query answered by the data source, and its receipt
        page.get_by_role("link", name="数据查询").click()
        page.get_by_role("button", name="社保").click()
        expect(page.locator("#result")).to_contain_text("累计缴费月数")
        expect(page.locator("#result")).to_contain_text("146")
        assert axe_violations(page) == []
        text, width = pdf_text(page, base + page.locator("#print").get_attribute("href"))
        assert round(width) == 80 and "社保查询结果" in text and "146" in text and "陈**" in text
        assert citizen.id_number not in text

        # 缴: the fee, paid on the sandbox's page from the resident's phone, then confirmed here
        page.get_by_role("link", name="返回首页").click()
        page.get_by_role("link", name="缴费").click()
        row = page.locator("#fee-lines li")
        expect(row).to_contain_text("证照工本费")
        expect(row).to_contain_text("待缴费")
        row.get_by_role("button", name="缴费").click()
        pay_url = page.locator("#pay-qr").get_attribute("data-pay-url")
        phone = page.context.new_page()
        phone.goto(pay_url)
        expect(phone.locator(".amount")).to_contain_text("¥20.00")
        phone.locator("#pay").click()
        expect(phone.locator("#paid")).to_contain_text("支付完成")
        phone.close()
        page.get_by_role("button", name="我已完成支付").click()
        expect(page.locator("#done")).to_contain_text("缴费成功")
        assert axe_violations(page) == []
        line = FeeLine.objects.get(application=application)
        assert line.status == FeeLine.Status.PAID and line.orders.count() == 1
        order = line.orders.get()
        text, width = pdf_text(page, base + page.locator("#print").get_attribute("href"))
        assert round(width) == 80 and "缴费凭条" in text and "¥20.00" in text and order.receipt_number in text
        assert KioskReceipt.objects.filter(session=session).count() == 2

        # the idle end: the countdown runs out, the server has ended the session, the screen says so
        expect(page.locator("#countdown")).to_have_text("0", timeout=(IDLE + 10) * 1000)
        expect(page.locator("#ended")).to_contain_text(f"本次使用已结束:{IDLE} 秒无操作", timeout=10_000)
        session.refresh_from_db()
        assert session.state == CardSession.State.ENDED and session.end_reason == CardSession.EndReason.IDLE
        assert page.request.get(f"{base}/kiosk/{session.pk}/fees/", max_redirects=0).status == 302
        assert Matter.objects.filter(pk=query_matter.pk, is_active=False).exists()
    finally:
        agent.stop()
        paysim.stop()
        source.stop()
