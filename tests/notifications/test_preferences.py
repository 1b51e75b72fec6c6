"""The preferences page (消息接收设置): a switch per kind and channel; a kind the law requires has
no switch on any channel and a forged post cannot turn it off; each channel is respected by
`notify`; the page masks the number; nobody reads another person's messages or texts."""

from unittest import mock

import pytest
from celery import current_app
from django.db import transaction

from core.models import Intent
from notifications import services
from notifications.models import REQUIRED_KINDS, Channel, Kind, Message, Preference, SmsMessage
from tests.factories import ClerkFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def gateway(settings):
    """A configured gateway (texts are queued; nothing here sends them)."""
    settings.SMS_GATEWAY_URL, settings.SMS_SECRET = "http://127.0.0.1:9", "sandbox-sms-secret"


def tell(user, kind, key):
    services.notify(recipient=user, kind=kind, title="标题", body="内容", dedupe_key=key)
    return (Message.objects.filter(recipient=user, dedupe_key=key).exists(),
            SmsMessage.objects.filter(recipient=user, dedupe_key=key).exists())


def test_the_page_shows_one_switch_per_kind_and_channel_and_masks_the_number(client):
    citizen = UserFactory(phone=PHONE)
    client.force_login(citizen)
    page = client.get("/me/messages/settings/").content.decode()
    assert "139****5678" in page and PHONE not in page
    for kind in Kind.values:
        for channel in Channel.values:
            name = f'name="{channel}-{kind}"'
            assert name in page, name
            tag = page[page.index(name):page.index(">", page.index(name))]
            assert ("disabled" in tag) == (channel == "site" or kind in REQUIRED_KINDS
                                           or (channel, kind) == ("sms", Kind.AUDIT_BREAK)), tag
            assert channel != "site" or "checked" in tag, tag  # 站内信 always on
    assert page.count("依法必须告知,不能关闭") == len(REQUIRED_KINDS)
    assert "站内信始终接收,不能关闭" in page


def test_sms_is_switched_per_kind_and_the_site_message_still_comes(client):
    citizen = UserFactory(phone=PHONE)
    assert tell(citizen, Kind.LICENCE_EXPIRY, "a") == (True, True)  # on by default
    assert tell(citizen, Kind.ACCEPTED, "b") == (True, False)  # texts of acceptance only when asked for
    client.force_login(citizen)
    everything_but = {f"site-{k}": "on" for k in Kind.values} | {f"sms-{Kind.ACCEPTED}": "on"}
    answer = client.post("/me/messages/settings/", everything_but, follow=True)
    assert "消息接收设置已保存" in answer.content.decode()
    assert tell(citizen, Kind.LICENCE_EXPIRY, "c") == (True, False)  # its text switched off
    assert tell(citizen, Kind.ACCEPTED, "d") == (True, True)  # switched on
    assert tell(citizen, Kind.SUPPLEMENT, "e") == (True, True)  # required: on every channel


def test_a_required_kind_cannot_be_switched_off_even_by_a_forged_post(client):
    citizen = UserFactory(phone=PHONE)
    client.force_login(citizen)
    client.post("/me/messages/settings/", {f"site-{Kind.SUPPLEMENT}": "", f"sms-{Kind.SUPPLEMENT}": "",
                                           f"sms-{Kind.CONFIRMATION_CODE}": "off"})  # all unticked
    assert not Preference.objects.filter(user=citizen, kind__in=REQUIRED_KINDS).exists()
    services.set_preferences(user=citizen, enabled={(Kind.NOT_ACCEPTED, Channel.SMS): False,
                                                    (Kind.AUDIT_BREAK, Channel.SMS): True})
    assert not Preference.objects.filter(user=citizen, kind__in=REQUIRED_KINDS).exists()
    for n, kind in enumerate(sorted(REQUIRED_KINDS - {Kind.AUDIT_BREAK})):
        assert tell(citizen, kind, f"r{n}") == (True, True), kind
    assert tell(citizen, Kind.AUDIT_BREAK, "alert") == (True, False)  # a staff alert is never a text
    page = client.get("/me/messages/settings/").content.decode()
    tag = page[page.index(f'name="sms-{Kind.SUPPLEMENT}"'):]
    assert tag[:tag.index(">")].count("checked") == 1


def test_a_send_code_goes_on_every_channel_whatever_the_preferences():
    citizen = UserFactory(phone=PHONE)
    services.set_preferences(user=citizen, enabled={(k, c): False for k in Kind.values for c in Channel.values})
    code = services.send_code(user=citizen, purpose="terminal:7", label="自助终端登录")
    assert len(code) == 6 and code.isdigit()
    text = SmsMessage.objects.get(recipient=citizen)
    assert code in text.text and "自助终端登录验证码" in text.text
    assert code in Message.objects.get(recipient=citizen).body


def test_nobody_reads_another_persons_messages_or_texts(client):
    citizen = UserFactory(phone=PHONE)
    tell(citizen, Kind.RESULT_READY, "mine")
    for other in (UserFactory(phone="13700001111"), ClerkFactory()):
        client.force_login(other)
        inbox = client.get("/me/messages/").content.decode()
        settings_page = client.get("/me/messages/settings/").content.decode()
        assert "标题" not in inbox and "139****5678" not in settings_page and "最近的短信" not in settings_page
    client.force_login(citizen)
    assert "标题" in client.get("/me/messages/").content.decode()
    assert "最近的短信" in client.get("/me/messages/settings/").content.decode()


def test_a_text_is_woken_on_commit_and_a_rolled_back_change_queues_none(django_capture_on_commit_callbacks):
    citizen = UserFactory(phone=PHONE)
    with mock.patch.object(current_app, "send_task") as send:
        with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            tell(citizen, Kind.RESULT_READY, "rolled-back")
            raise RuntimeError("the change failed after telling")
        assert not SmsMessage.objects.exists() and not Intent.objects.exists() and send.call_count == 0
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            tell(citizen, Kind.RESULT_READY, "kept")
            assert send.call_count == 0  # not before the commit
    text = SmsMessage.objects.get()
    assert len(callbacks) == 1 and send.call_count == 1
    assert send.call_args.args[0] == "notifications.tasks.send_sms" and send.call_args.kwargs["args"] == (text.pk,)
    assert send.call_args.kwargs["kwargs"] == {"intent_id": Intent.objects.get(key=f"notifications.sms:{text.pk}").pk}
