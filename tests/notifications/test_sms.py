"""Texts through the sandbox SMS gateway (its own process, real sockets), its delivery receipts
arriving at this test's live portal: a text reaches the gateway once however often its task runs
(twice, after the gateway failed, was down or answered too late), a receipt sets the log once (a
duplicated or late receipt changes nothing, a forged one is refused), the number is never written
in clear on our side."""

import datetime as dt
import json
import logging
import re
import secrets
import time
import urllib.request

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core import intents
from core.models import Intent
from notifications import services, sms, tasks
from notifications.models import Kind, Message, SmsMessage
from tests.factories import ClerkFactory, MatterFactory, UserFactory, WindowFactory, pdf_upload
from windows import clock
from windows.models import Window
from workflow.calendar_store import seed_calendar

from .conftest import ACCOUNT, KEY_ID, SECRET

PHONE = "13912345678"


def tell(citizen, *, kind=Kind.RESULT_READY, key="event:1"):
    with transaction.atomic():
        services.notify(recipient=citizen, kind=kind, title="办件 QX2026 办理结果可领取",
                        body="请携带身份证到综合出件窗口领取。", link="/applications/", dedupe_key=key)
    return SmsMessage.objects.get(recipient=citizen, dedupe_key=key)


def intent_of(text):
    return Intent.objects.get(key=f"notifications.sms:{text.pk}")


def run(text):
    return tasks.send_sms(text.pk, intent_id=intent_of(text).pk)


def test_a_text_reaches_the_gateway_once_when_its_task_runs_twice(smssim, caplog):
    caplog.set_level(logging.DEBUG)
    citizen = UserFactory(phone=PHONE)
    text = tell(citizen)
    assert (text.status, text.phone_masked) == ("queued", "139****5678")
    assert text.text.startswith("【清新区政务服务】办件 QX2026 办理结果可领取。")
    assert Message.objects.filter(recipient=citizen, dedupe_key="event:1").count() == 1  # the in-site one too
    assert tell(citizen).pk == text.pk  # the same event told again: no second text

    assert run(text) is True
    assert run(text) is None  # the intent is done: the second run is skipped
    # a run that lost our answer (the worker died after the gateway took the text) sends it again
    SmsMessage.objects.filter(pk=text.pk).update(status="queued", provider_id="")
    assert tasks.send_sms(text.pk) is True

    held = smssim.messages()
    assert len(held) == 1 and held[0]["client_ref"] == text.client_ref and held[0]["sends"] == 2
    smssim.wait_until(lambda: SmsMessage.objects.get(pk=text.pk).status == "delivered", what="the receipt")
    text.refresh_from_db()
    assert text.provider_id == held[0]["msg_id"] and text.attempts == 2 and text.delivered_at is not None
    assert intent_of(text).status == "done"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "sms" in logged and PHONE not in logged  # the number is never in a log line of ours
    assert PHONE not in json.dumps(list(SmsMessage.objects.values()), default=str)


def test_a_text_waits_while_the_gateway_fails_or_is_down_and_goes_once_it_is_back(smssim, settings):
    settings.INTENT_LEASE_SECONDS = 0.0  # the relay may send again at once
    citizen = UserFactory(phone=PHONE)
    text = tell(citizen)

    smssim.control(fail=True)  # the platform answers 503
    assert run(text) is False
    text.refresh_from_db()
    assert (text.status, text.last_error) == ("queued", "HTTP 503 unavailable")
    assert intent_of(text).status == "pending" and intent_of(text).pk in intents.due_ids()

    smssim.stop()  # down altogether (the port closed)
    assert run(text) is False
    text.refresh_from_db()
    assert text.status == "queued" and "Error" in text.last_error and PHONE not in text.last_error

    smssim.start()  # back on the same port, with the same storage
    smssim.control(fail=False)
    assert intent_of(text).pk in intents.due_ids()
    assert intents.relay_due() == 1 and intent_of(text).sends == 1  # the relay sent it again (to the broker)
    assert run(text) is True
    smssim.wait_until(lambda: SmsMessage.objects.get(pk=text.pk).status == "delivered", what="the receipt")
    stats = smssim.stats()
    assert (stats["messages"], stats["sends"]) == (1, 1)
    text.refresh_from_db()
    assert (text.attempts, text.last_error) == (3, "")
    assert intent_of(text).status == "done"


def test_a_gateway_that_closes_its_port_for_a_while_gets_the_text_when_it_listens_again(smssim, settings):
    settings.INTENT_LEASE_SECONDS = 0.0
    text = tell(UserFactory(phone=PHONE))
    def listening():
        try:
            return smssim.stats()
        except OSError:
            return None

    smssim.control(down_for=3.0)  # the port closes and opens again after 3 s
    smssim.wait_until(lambda: listening() is None, what="the port closed")
    assert run(text) is False
    assert SmsMessage.objects.get(pk=text.pk).status == "queued"
    smssim.wait_until(listening, what="the gateway back")
    assert run(text) is True
    assert smssim.stats()["messages"] == 1
    smssim.wait_until(lambda: SmsMessage.objects.get(pk=text.pk).status == "delivered", what="the receipt")


def test_a_slow_gateway_that_took_the_text_after_our_timeout_is_asked_again_and_sends_it_once(smssim, settings):
    settings.INTENT_LEASE_SECONDS = 0.0
    settings.SMS_TIMEOUT_SECONDS = 0.3
    citizen = UserFactory(phone=PHONE)
    text = tell(citizen)
    # the receipt held back 5 s: a receipt before the second run would settle the text without
    # asking the gateway again (sms_send: "not queued any more"), as a busy machine once had it
    smssim.control(slow=1.0, deliver_delay=5.0)
    assert run(text) is False  # timed out: we do not know whether it went
    smssim.wait_until(lambda: smssim.stats()["messages"] == 1, what="the late send")
    smssim.control(slow=0)
    assert run(text) is True
    held = smssim.messages()
    assert len(held) == 1 and held[0]["sends"] == 2
    smssim.wait_until(lambda: SmsMessage.objects.get(pk=text.pk).status == "delivered", what="the receipt")
    assert SmsMessage.objects.get(pk=text.pk).provider_id == held[0]["msg_id"]


def signed_receipt(client, text, *, status, secret=SECRET):
    body = json.dumps({"receipt_id": "RC" + secrets.token_hex(4), "account": ACCOUNT, "msg_id": text.provider_id,
                       "client_ref": text.client_ref, "status": status, "error": ""}).encode()
    path, ts, nonce = "/notifications/sms/receipt/", str(int(time.time())), secrets.token_hex(16)
    headers = {"X-Sms-Account": ACCOUNT, "X-Sms-Key": KEY_ID, "X-Sms-Timestamp": ts, "X-Sms-Nonce": nonce,
               "X-Sms-Signature": sms.signature(secret, "POST", path, ts, nonce, body)}
    return client.post(path, body, content_type="application/json", headers=headers)


def test_a_duplicated_receipt_changes_nothing_and_a_forged_one_is_refused(smssim, client):
    smssim.control(receipt="twice")
    citizen = UserFactory(phone=PHONE)
    text = tell(citizen)
    assert run(text) is True
    smssim.wait_until(lambda: smssim.stats()["receipts_delivered"] == 2, what="both receipts")
    text.refresh_from_db()
    assert text.status == "delivered"
    first = text.delivered_at

    late = signed_receipt(client, text, status="failed")  # a late receipt of another outcome
    assert late.status_code == 200 and late.json() == {"result": "ok"}
    again = signed_receipt(client, text, status="delivered")
    assert again.status_code == 200
    forged = signed_receipt(client, text, status="failed", secret="not-our-key")
    assert forged.status_code == 401
    text.refresh_from_db()
    assert (text.status, text.delivered_at) == ("delivered", first)


def test_a_handset_that_cannot_be_reached_is_logged_failed(smssim):
    smssim.control(receipt="failed")
    text = tell(UserFactory(phone=PHONE))
    assert run(text) is True
    smssim.wait_until(lambda: SmsMessage.objects.get(pk=text.pk).status == "failed", what="the failed receipt")
    assert SmsMessage.objects.get(pk=text.pk).last_error == "handset_unreachable"


def test_a_malformed_number_is_refused_for_good(smssim):
    text = tell(UserFactory(phone="12345"))
    assert run(text) is True  # nothing to retry
    text.refresh_from_db()
    assert (text.status, text.last_error) == ("failed", "HTTP 400 invalid_request")
    assert smssim.stats()["messages"] == 0


@pytest.mark.django_db
def test_without_a_gateway_or_a_number_nothing_is_queued(settings):
    settings.SMS_GATEWAY_URL = ""
    citizen = UserFactory(phone=PHONE)
    services.notify(recipient=citizen, kind=Kind.RESULT_READY, title="t", dedupe_key="a")
    settings.SMS_GATEWAY_URL, settings.SMS_SECRET = "http://127.0.0.1:9", "x"
    services.notify(recipient=UserFactory(phone=""), kind=Kind.RESULT_READY, title="t", dedupe_key="b")
    assert not SmsMessage.objects.exists() and Message.objects.count() == 2


def test_the_help_desk_code_is_texted_and_shown_on_the_sandbox_handset(smssim, client, monkeypatch):
    seed_calendar(years=[2026])
    moment = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 0))
    monkeypatch.setattr(clock, "now", lambda: moment)
    matter = MatterFactory(name="城乡居民基本医疗保险参保登记")
    clerk = ClerkFactory(window=WindowFactory(category=Window.Category.ASSIST, name="帮办窗口"))
    citizen = UserFactory(real_name="黄伯元", phone=PHONE)
    client.force_login(clerk)
    upload = matter.materials.get(name="申请表")
    client.post(f"/hall/help-desk/?matter={matter.code}", {
        "id_number": citizen.id_number, "field_applicant_name": "黄伯元", "field_contact_phone": PHONE,
        f"material_{upload.pk}": pdf_upload("申请表.pdf")})
    text = SmsMessage.objects.get(recipient=citizen, kind=Kind.CONFIRMATION_CODE)
    code = re.search(r"确认码 (\d{6})", text.text).group(1)
    assert run(text) is True
    with urllib.request.urlopen(smssim.url + "/", timeout=5) as page:
        handset = page.read().decode()
    assert "139****5678" in handset and f"确认码 {code}" in handset and PHONE not in handset


def test_an_administrator_resends_a_failed_text_once_under_a_new_reference(smssim, client):
    admin_client = client
    admin_client.force_login(UserFactory(username="root", role=User.Role.ADMINISTRATOR, is_staff=True,
                                         is_superuser=True))
    smssim.control(receipt="failed")
    text = tell(UserFactory(phone=PHONE))
    assert run(text) is True
    smssim.wait_until(lambda: SmsMessage.objects.get(pk=text.pk).status == "failed", what="the failed receipt")
    old_ref = text.client_ref
    delivered = tell(UserFactory(phone="13700001111"), key="event:2")  # not failed: left alone
    smssim.control(receipt="normal")

    url = "/admin/notifications/smsmessage/"
    answer = admin_client.post(url, {"action": "resend", "_selected_action": [text.pk, delivered.pk]}, follow=True)
    assert "已重新排队发送 1 条短信;1 条不是发送失败状态,未处理" in answer.content.decode()
    text.refresh_from_db()
    assert (text.status, text.last_error) == ("queued", "") and text.client_ref != old_ref
    assert intent_of(text).status == "pending"
    admin_client.post(url, {"action": "resend", "_selected_action": [text.pk]})  # twice: nothing more
    assert SmsMessage.objects.get(pk=text.pk).client_ref == text.client_ref
    assert services.sms_resend(sms_id=text.pk) is False

    assert run(text) is True
    smssim.wait_until(lambda: SmsMessage.objects.get(pk=text.pk).status == "delivered", what="the receipt")
    refs = [m["client_ref"] for m in smssim.messages()]
    assert refs.count(text.client_ref) == 1 and refs.count(old_ref) == 1
    assert SmsMessage.objects.get(pk=text.pk).attempts == 2
