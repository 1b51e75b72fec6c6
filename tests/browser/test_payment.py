"""Browser: a citizen pays a fee — 我的缴费, 去缴费, the sandbox provider's pay page (its own
process), back on the portal the fee shows paid with its receipt; the provider notified twice
and the fee was charged once."""

from matters.models import FeeItem
from payments.models import FeeLine, PaymentNotification
from tests.browser.test_smoke import sign_in
from tests.factories import MatterFactory, UserFactory, accepted_application
from tests.payments.paysim_process import PaySimProcess
from workflow.calendar_store import seed_calendar


def test_a_citizen_pays_a_fee_in_the_sandbox(transactional_db, live_server, page, settings, tmp_path):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    paysim = PaySimProcess(db=tmp_path / "paysim.sqlite3", merchant="QXZWFWZX", keys={"p1": "browser-secret"}).start()
    try:
        settings.PAYMENT_PROVIDER_URL, settings.PAYMENT_MERCHANT = paysim.url, "QXZWFWZX"
        settings.PAYMENT_KEY_ID, settings.PAYMENT_SECRET = "p1", "browser-secret"
        settings.PAYMENT_NOTIFY_BASE_URL = live_server.url
        paysim.control(notify="twice")
        matter = MatterFactory(name="居民身份证换领")
        FeeItem.objects.create(matter=matter, name="证照工本费", amount_fen=2000, legal_basis="发改价格〔2003〕2322号")
        citizen = UserFactory(real_name="陈志明")
        accepted_application(applicant=citizen, matters=[matter])
        base = live_server.url

        sign_in(page, base, citizen)
        page.goto(f"{base}/payments/")
        row = page.locator("#fee-lines tbody tr")
        expect(row).to_contain_text("证照工本费")
        expect(row).to_contain_text("待缴费")
        row.get_by_role("button", name="去缴费").click()
        expect(page.locator(".messages")).to_contain_text("已生成")
        with page.expect_navigation():
            page.get_by_role("link", name="前往支付平台付款").click()
        expect(page.locator(".amount")).to_contain_text("¥20.00")
        with page.expect_navigation(url=f"{base}/payments/"):
            page.locator("#pay").click()
        expect(page.locator("#fee-lines tbody tr")).to_contain_text("已缴费")
        expect(page.get_by_role("link", name="电子票据")).to_be_visible()
        paysim.wait_until(lambda: paysim.stats()["notifications_delivered"] == 2, what="both notifications")
        line = FeeLine.objects.get()
        assert line.status == "paid" and line.orders.count() == 1
        assert PaymentNotification.objects.filter(outcome="settled").count() <= 1
    finally:
        paysim.stop()
