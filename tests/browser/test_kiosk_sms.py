"""Browser, issue 13: a resident without their ID card signs in at a 市民之窗 kiosk with the ID
number typed on the big-button pad and the code texted to their registered phone through the
reference SMS gateway (its own process): a wrong code is refused with the tries left, the right
one opens the menu; nothing personal is shown before it."""

import re

from accounts.models import User
from core.models import Intent
from notifications import tasks
from notifications.models import SmsMessage
from terminals import kiosk
from terminals.models import CardSession, Terminal
from terminals.signing import new_key_pair
from tests.browser.test_accessibility import axe_violations
from tests.factories import HallFactory, UserFactory
from tests.notifications.smssim_process import SmsSimProcess

PHONE = "13912345678"


def test_without_the_card_the_id_number_and_a_texted_code_open_the_kiosk(
    transactional_db, live_server, page, settings, tmp_path
):
    from playwright.sync_api import expect

    base = live_server.url
    settings.TERMINAL_IDLE_SECONDS = 120  # room for a loaded box between two touches
    gateway = SmsSimProcess(db=tmp_path / "smssim.sqlite3", account="QXZWFWZX", keys={"s1": "sms-secret"}).start()
    try:
        settings.SMS_GATEWAY_URL = gateway.url
        settings.SMS_ACCOUNT, settings.SMS_KEY_ID, settings.SMS_SECRET = "QXZWFWZX", "s1", "sms-secret"
        settings.SMS_RECEIPT_BASE_URL = base
        citizen = UserFactory(real_name="陈志明", phone=PHONE)
        terminal = Terminal.objects.create(code="QX-T01", hall=HallFactory(), location="一楼大厅东侧",
                                           public_key=new_key_pair()[1])
        code = kiosk.enrolment_code_issue(terminal=terminal, by=UserFactory(role=User.Role.ADMINISTRATOR))
        page.goto(f"{base}/kiosk/enrol/")
        page.get_by_label("终端登记码").fill(code)
        page.get_by_role("button", name="登记本设备").click()

        page.locator("#no-card").click()
        expect(page).to_have_url(f"{base}/kiosk/id/")
        submit = page.get_by_role("button", name="获取短信验证码")
        expect(submit).to_be_disabled()
        page.locator('[data-digit="X"]').click()  # X only ends a number
        expect(page.locator("#pin-dots")).to_have_text("")
        for ch in citizen.id_number:
            page.locator(f'[data-digit="{ch}"]').click()
        expect(page.locator("#pin-dots")).to_have_text(
            f"{citizen.id_number[:6]} {citizen.id_number[6:14]} {citizen.id_number[14:]}")
        assert axe_violations(page) == []
        submit.click()
        expect(page.locator("#code-sent")).to_contain_text("若身份证号码")
        expect(page.locator("main")).not_to_contain_text("陈志明")
        assert axe_violations(page) == []

        # the text goes out through the gateway (the worker's task, run here), the phone shows it
        text = SmsMessage.objects.get(recipient=citizen)
        intent = Intent.objects.get(key=f"notifications.sms:{text.pk}")
        assert tasks.send_sms(text.pk, intent_id=intent.pk) is True
        held = gateway.messages()
        assert len(held) == 1 and held[0]["phone"].endswith("5678")
        sent = re.search(r"验证码 (\d{6})", held[0]["text"]).group(1)

        wrong = "000000" if sent != "000000" else "111111"
        for digit in wrong:
            page.locator(f'[data-digit="{digit}"]').click()
        page.get_by_role("button", name="确认").click()
        expect(page.locator(".kerror")).to_contain_text("验证码不正确,还可再试 4 次")
        for digit in sent:
            page.locator(f'[data-digit="{digit}"]').click()
        expect(page.locator("#pin-dots")).to_have_text(sent)
        page.get_by_role("button", name="确认").click()
        session = CardSession.objects.get()
        expect(page).to_have_url(f"{base}/kiosk/{session.pk}/")
        expect(page.locator("h1")).to_contain_text("陈志明")
        session.refresh_from_db()
        assert (session.state, session.factor, session.started_by) == ("active", "sms", "id_number")
    finally:
        gateway.stop()
