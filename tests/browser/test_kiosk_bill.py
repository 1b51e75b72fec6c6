"""Browser, issue 13's 缴 of a utility bill at the 市民之窗 kiosk: the resident's 电费 asked of the
reference data source (its own process) shows arrears; 缴纳欠费 puts the order's QR code on the
screen; the resident pays on the phone in the payment sandbox (its own process, told to notify
twice); 我已完成支付 prints the 80 mm receipt with the account and month; the bill is paid once."""

import json

from accounts.models import User
from exchange.datasources import _clients
from exchange.models import DataSourcePolicy
from payments.models import PaymentNotification, PaymentOrder, UtilityBill
from terminals import kiosk, services
from terminals.models import CardSession, Terminal
from tests.browser.test_accessibility import axe_violations
from tests.browser.test_kiosk import PIN, pdf_text
from tests.exchange.refsys_process import RefProcess
from tests.factories import PASSWORD, DepartmentFactory, HallFactory, MatterFactory, UserFactory
from tests.payments.paysim_process import PaySimProcess

BILL = {"account": "D20261100", "bill_month": "2026-11", "bill_amount": "123.45", "arrears": "123.45"}


def test_electricity_arrears_paid_at_the_kiosk_once(transactional_db, live_server, page, settings, tmp_path):
    from playwright.sync_api import expect

    settings.TERMINAL_IDLE_SECONDS = 120  # room for a loaded box between two touches
    base = live_server.url
    citizen = UserFactory(real_name="陈志明")
    services.set_pin(citizen, pin=PIN, password=PASSWORD)
    records = tmp_path / "records.json"
    records.write_text(json.dumps({"dian": {citizen.id_number: BILL}}, ensure_ascii=False), encoding="utf-8")
    source = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                        extra=("--records", str(records))).start()
    paysim = PaySimProcess(db=tmp_path / "paysim.sqlite3", merchant="QXZWFWZX", keys={"p1": "bill-secret"}).start()
    try:
        settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = source.url, "d1:ds-secret"
        settings.PAYMENT_PROVIDER_URL, settings.PAYMENT_MERCHANT = paysim.url, "QXZWFWZX"
        settings.PAYMENT_KEY_ID, settings.PAYMENT_SECRET = "p1", "bill-secret"
        settings.PAYMENT_NOTIFY_BASE_URL = base
        _clients.clear()
        paysim.control(notify="twice")
        query_matter = MatterFactory(code=settings.TERMINAL_QUERY_MATTER, name="个人数据自助查询", is_active=False,
                                     department=DepartmentFactory())
        DataSourcePolicy.objects.create(matter=query_matter, source="dian", fields=list(BILL),
                                        purpose="本人在市民之窗自助查询")
        terminal = Terminal.objects.create(code="QX-T01", hall=HallFactory(), location="一楼大厅东侧", public_key="x")
        code = kiosk.enrolment_code_issue(terminal=terminal, by=UserFactory(role=User.Role.ADMINISTRATOR))
        page.goto(f"{base}/kiosk/enrol/")
        page.get_by_label("终端登记码").fill(code)
        page.get_by_role("button", name="登记本设备").click()
        expect(page.locator("#idle")).to_be_visible()

        # the card read (the signed read itself is tests/browser/test_kiosk.py's), then the PIN
        services.card_inserted(terminal, name=citizen.real_name, id_number=citizen.id_number, photo_hash="a" * 64)
        expect(page.locator("#pinpad")).to_be_visible(timeout=15_000)
        for digit in PIN:
            page.locator(f'[data-digit="{digit}"]').click()
        page.get_by_role("button", name="确认").click()
        session = CardSession.objects.get()
        expect(page).to_have_url(f"{base}/kiosk/{session.pk}/")

        page.get_by_role("link", name="数据查询").click()
        page.get_by_role("button", name="电").click()
        expect(page.locator("#result")).to_contain_text("123.45")
        pay = page.locator("#bill-pay button")
        expect(pay).to_contain_text("缴纳欠费 ¥123.45")
        box = pay.bounding_box()
        assert box["height"] >= 64, box  # a kiosk's touch target
        pay.click()
        bill = UtilityBill.objects.get()
        assert (bill.account, bill.bill_month, bill.amount_fen) == ("D20261100", "2026-11", 12345)
        pay_url = page.locator("#pay-qr").get_attribute("data-pay-url")
        assert axe_violations(page) == []

        page.get_by_role("button", name="我已完成支付").click()  # before paying: the QR code again
        expect(page.locator(".kmsg")).to_contain_text("尚未收到支付结果")
        phone = page.context.new_page()
        phone.goto(pay_url)
        expect(phone.locator(".amount")).to_contain_text("¥123.45")
        phone.locator("#pay").click()
        expect(phone.locator("#paid")).to_contain_text("支付完成")
        phone.close()
        page.get_by_role("button", name="我已完成支付").click()
        expect(page.locator("#done")).to_contain_text("缴费成功:电费 123.45 元")
        paysim.wait_until(lambda: paysim.stats()["notifications_delivered"] == 2, what="both notifications")
        order = PaymentOrder.objects.get()
        bill.refresh_from_db()
        assert (order.status, bill.status, order.amount_fen) == ("paid", "paid", 12345)
        assert set(PaymentNotification.objects.values_list("outcome", flat=True)) <= {"settled", "duplicate"}
        text, width = pdf_text(page, base + page.locator("#print").get_attribute("href"))
        assert round(width) == 80 and "缴费凭条" in text and "D20261100" in text and "2026-11" in text
        assert "¥123.45" in text and order.receipt_number in text
    finally:
        paysim.stop()
        source.stop()
        _clients.clear()
