"""Issue 16's third channel: notices pushed to the mobile app through the messaging platform's app
channel (the sandbox `smssim`, its own process, real sockets). The app registers its device's push
token; a notification reaches each registered device once however often its task runs, follows
the person's preferences (required kinds always, staff alerts never), waits while the platform is
down, and stops when the device is removed; nobody else's device can be removed."""

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from core import intents
from core.models import Intent
from notifications import services, tasks
from notifications.models import AppDevice, Channel, Kind, Message, PushMessage
from tests.factories import UserFactory

TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def app_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def register(user, token=TOKEN):
    response = app_of(user).post("/api/notifications/devices/", {"token": token, "platform": "android",
                                                                 "name": "我的手机"}, format="json")
    assert response.status_code == 201, response.content
    assert "token" not in response.json()  # written, never read back
    return response.json()


def tell(citizen, *, kind=Kind.RESULT_READY, key="event:1"):
    with transaction.atomic():
        services.notify(recipient=citizen, kind=kind, title="办件 QX2026 办理结果可领取",
                        body="请携带身份证到综合出件窗口领取。", link="/applications/QX2026/", dedupe_key=key)
    return list(PushMessage.objects.filter(recipient=citizen, dedupe_key=key))


def run(push):
    return tasks.send_push(push.pk, intent_id=Intent.objects.get(key=f"notifications.push:{push.pk}").pk)


def test_a_registered_device_gets_each_notice_once_however_often_its_task_runs(smssim, settings):
    settings.SITE_URL = "https://ythwb.qingxin.gov.cn"
    citizen = UserFactory(phone="")  # no mobile number: no text, the app still gets the notice
    device = register(citizen)
    assert app_of(citizen).get("/api/notifications/devices/").json() == [device]
    [push] = tell(citizen)
    assert tell(citizen) == [push]  # the same event again: no second push
    assert (push.status, push.device_id) == ("queued", device["id"])
    assert run(push) is True and run(push) is None  # the intent is done: the second run is skipped
    PushMessage.objects.filter(pk=push.pk).update(status="queued")  # a worker died after the handover
    assert tasks.send_push(push.pk) is True
    held = smssim.pushes()
    assert len(held) == 1 and held[0]["sends"] == 2 and held[0]["token"] == TOKEN
    assert held[0]["title"] == "办件 QX2026 办理结果可领取"
    assert held[0]["link"] == "https://ythwb.qingxin.gov.cn/applications/QX2026/"
    push.refresh_from_db()
    assert (push.status, push.provider_id) == ("sent", held[0]["push_id"])
    assert Message.objects.filter(recipient=citizen, dedupe_key="event:1").count() == 1  # 站内信 too


def test_the_preferences_decide_except_for_required_notices_and_staff_alerts(smssim):
    citizen = UserFactory()
    register(citizen)
    services.set_preferences(user=citizen, enabled={(Kind.RESULT_READY, Channel.APP): False,
                                                    (Kind.SUPPLEMENT, Channel.APP): False})
    assert tell(citizen, kind=Kind.RESULT_READY, key="a") == []
    assert len(tell(citizen, kind=Kind.SUPPLEMENT, key="b")) == 1  # the law requires it: not switchable
    assert tell(citizen, kind=Kind.AUDIT_BREAK, key="c") == []  # read at the desk, never pushed
    rows = {row["kind"]: {c["channel"]: c for c in row["channels"]} for row in services.preferences_of(citizen)}
    assert rows[Kind.RESULT_READY]["app"] == {"channel": "app", "label": "手机App推送", "on": False,
                                              "switchable": True}
    assert rows[Kind.SUPPLEMENT]["app"]["on"] and not rows[Kind.SUPPLEMENT]["app"]["switchable"]


def test_a_push_waits_while_the_platform_fails_and_goes_once_it_is_back(smssim, settings):
    settings.INTENT_LEASE_SECONDS = 0.0
    citizen = UserFactory()
    register(citizen)
    [push] = tell(citizen)
    smssim.control(fail=True)
    assert run(push) is False
    push.refresh_from_db()
    assert (push.status, push.last_error) == ("queued", "HTTP 503 unavailable")
    intent = Intent.objects.get(key=f"notifications.push:{push.pk}")
    assert intent.status == "pending" and intent.pk in intents.due_ids()
    smssim.control(fail=False)
    assert run(push) is True
    assert smssim.stats()["pushes"] == 1
    push.refresh_from_db()
    assert (push.status, push.attempts) == ("sent", 2)


def test_a_removed_device_gets_nothing_and_nobody_removes_anothers(smssim):
    citizen, other = UserFactory(), UserFactory()
    device = register(citizen)
    [queued] = tell(citizen, key="before")
    assert app_of(other).delete(f"/api/notifications/devices/{device['id']}/").status_code == 404
    assert AppDevice.objects.filter(pk=device["id"]).exists()
    assert app_of(citizen).delete(f"/api/notifications/devices/{device['id']}/").status_code == 204
    assert tell(citizen, key="after") == []
    assert run(queued) is True  # its device is gone: nothing to push to
    queued.refresh_from_db()
    assert (queued.status, queued.last_error) == ("failed", "device_removed")
    assert smssim.stats()["pushes"] == 0


@pytest.mark.django_db
def test_a_token_registered_again_moves_to_the_new_owner_and_bad_input_is_refused():
    first, second = UserFactory(), UserFactory()
    register(first)
    register(second)  # the phone changed hands
    assert list(AppDevice.objects.values_list("user", flat=True)) == [second.pk]
    bad = app_of(first).post("/api/notifications/devices/", {"token": "short", "platform": "symbian"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"token", "platform"}
    assert APIClient().get("/api/notifications/devices/").status_code in (401, 403)
