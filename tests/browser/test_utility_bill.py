"""Browser, issue 13's 缴 of utility bills on a 390 px phone: 我的 → 查询 电费, answered with arrears
by the reference data source (its own process) → 缴纳欠费 → the payment sandbox's pay page (its
own process, told to notify twice) → back on the bill, paid once, with its electronic receipt;
我的 then says the arrears are paid."""

import io
import json

from pypdf import PdfReader

from exchange.datasources import _clients
from exchange.demo_records import person_records
from payments.models import PaymentNotification, PaymentOrder, UtilityBill
from portal.personal import ensure_query_matter
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_personal_page import SCROLL_WIDTH
from tests.browser.test_smoke import sign_in
from tests.exchange.refsys_process import RefProcess
from tests.factories import DepartmentFactory, UserFactory
from tests.payments.paysim_process import PaySimProcess


def test_electricity_arrears_paid_from_the_phone_once(transactional_db, live_server, page, settings, tmp_path):
    from playwright.sync_api import expect

    citizen = UserFactory(real_name="陈志明")
    DepartmentFactory()
    ensure_query_matter()
    records = {s: {citizen.id_number: f} for s, f in person_records(citizen).items()}
    records["dian"][citizen.id_number].update({"account": "D20261100", "bill_month": "2026-11", "arrears": "123.45"})
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    source = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                        extra=("--records", str(path))).start()
    paysim = PaySimProcess(db=tmp_path / "paysim.sqlite3", merchant="QXZWFWZX", keys={"p1": "bill-secret"}).start()
    try:
        base = live_server.url
        settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = source.url, "d1:ds-secret"
        settings.PAYMENT_PROVIDER_URL, settings.PAYMENT_MERCHANT = paysim.url, "QXZWFWZX"
        settings.PAYMENT_KEY_ID, settings.PAYMENT_SECRET = "p1", "bill-secret"
        settings.PAYMENT_NOTIFY_BASE_URL = base
        _clients.clear()
        paysim.control(notify="twice")

        sign_in(page, base, citizen)
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/me/")
        dian = page.locator("#data-dian")
        with page.expect_navigation():
            dian.get_by_role("button", name="查询").click()
        expect(dian.locator("[data-answer]")).to_contain_text("123.45")
        pay = dian.get_by_role("button", name="缴纳欠费 ¥123.45")
        box = pay.bounding_box()
        assert box["height"] >= 44, box
        assert page.evaluate(SCROLL_WIDTH) <= 390
        assert axe_violations(page) == []
        with page.expect_navigation():
            pay.click()
        bill = UtilityBill.objects.get()
        expect(page).to_have_url(f"{base}/payments/bills/{bill.pk}/")
        expect(page.locator("#bill-status")).to_contain_text("待缴费")
        assert page.evaluate(SCROLL_WIDTH) <= 390
        assert axe_violations(page) == []

        with page.expect_navigation():
            page.locator("#pay-link").click()
        expect(page.locator(".amount")).to_contain_text("¥123.45")
        with page.expect_navigation(url=f"{base}/payments/bills/{bill.pk}/"):
            page.locator("#pay").click()
        expect(page.locator("#bill-status")).to_contain_text("已缴费")
        receipt = page.locator("#bill-receipt")
        expect(receipt).to_be_visible()
        paysim.wait_until(lambda: paysim.stats()["notifications_delivered"] == 2, what="both notifications")
        order = PaymentOrder.objects.get()
        bill.refresh_from_db()
        assert (order.status, bill.status, order.amount_fen) == ("paid", "paid", 12345)
        assert PaymentNotification.objects.filter(outcome="settled").count() <= 1  # the query may settle first
        assert set(PaymentNotification.objects.values_list("outcome", flat=True)) <= {"settled", "duplicate"}
        response = page.request.get(base + receipt.get_attribute("href"))
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages).replace(" ", "")
        assert order.receipt_number in text and "电费欠费" in text and "¥123.45" in text

        page.goto(f"{base}/me/")
        expect(page.locator("#data-dian [data-bill-paid]")).to_contain_text("欠费已缴纳")
        expect(page.locator("#data-dian [data-bill-pay]")).to_have_count(0)
    finally:
        paysim.stop()
        source.stop()
        _clients.clear()
