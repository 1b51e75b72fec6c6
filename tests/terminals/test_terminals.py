"""Issue 13, 市民之窗: a terminal's word counts only when its own key signed it (unknown device,
bad signature, stale time and replay refused and kept); an ID card read opens a session that
becomes personal only with the holder's PIN; 60 s without a touch, the card taken out or another
card ends it; heartbeats tell the hall's staff which terminals are offline or out of paper."""

import datetime as dt
import hashlib
import json

import pytest
from django.test import Client

from accounts.models import Hall
from core.errors import Conflict, Forbidden, Invalid
from terminals import services, signing
from terminals.models import CardSession, Terminal, TerminalPin, TerminalRefusal
from tests.factories import PASSWORD, ClerkFactory, HallFactory, SupervisorFactory, UserFactory, WindowFactory

pytestmark = pytest.mark.django_db

EVENTS = "/api/terminals/events/"
PHOTO = hashlib.sha256(b"photo").hexdigest()
PIN = "258036"


@pytest.fixture
def device():
    private, public = signing.new_key_pair()
    terminal = Terminal.objects.create(code="QX-T01", hall=HallFactory(), location="一楼大厅东侧", public_key=public)
    return terminal, private


def send(device, message, *, private=None, code=None, now=None, nonce=None, body=None):
    terminal, own_private = device
    body = body if body is not None else json.dumps(message, ensure_ascii=False).encode()
    headers = signing.sign_headers(terminal=code or terminal.code, private_key=private or own_private,
                                   method="POST", path=EVENTS, body=body, now=now, nonce=nonce)
    return Client().post(EVENTS, body, content_type="application/json",
                         **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})


def card(person, name=None):
    return {"event": "card_inserted", "card": {"name": name or person.real_name, "id_number": person.id_number,
                                               "photo_sha256": PHOTO}}


def resident_with_pin():
    person = UserFactory()
    services.set_pin(person, pin=PIN, password=PASSWORD)
    return person


# --- the device's word ------------------------------------------------------------------------------


def test_a_signed_card_read_opens_a_session_waiting_for_the_pin(device):
    person = resident_with_pin()
    response = send(device, card(person))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "awaiting_pin"
    session = CardSession.objects.get()
    assert session.person == person and session.state == CardSession.State.AWAITING_PIN
    assert session.card_id_masked == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert person.id_number not in json.dumps(response.json())


@pytest.mark.parametrize("how, code", [("unknown", "unknown_terminal"), ("forged", "bad_signature"),
                                       ("stale", "stale_timestamp"), ("inactive", "unknown_terminal"),
                                       ("tampered", "bad_signature")])
def test_what_no_registered_terminal_signed_is_refused_and_kept(device, how, code):
    person = resident_with_pin()
    message = card(person)
    if how == "unknown":
        response = send(device, message, code="QX-T99")
    elif how == "forged":
        response = send(device, message, private=signing.new_key_pair()[0])
    elif how == "stale":
        response = send(device, message, now=dt.datetime.now().timestamp() - 3600)
    elif how == "inactive":
        Terminal.objects.update(active=False)
        response = send(device, message)
    else:  # signed one body, sent another
        terminal, private = device
        body = json.dumps(message).encode()
        headers = signing.sign_headers(terminal=terminal.code, private_key=private, method="POST", path=EVENTS,
                                       body=body)
        other = json.dumps(card(UserFactory())).encode()
        response = Client().post(EVENTS, other, content_type="application/json",
                                 **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    assert response.status_code == 401
    assert response.json()["code"] == code and response.json()["message"]
    assert not CardSession.objects.exists()
    assert TerminalRefusal.objects.get().code == code


def test_a_replayed_card_read_is_refused(device):
    person = resident_with_pin()
    assert send(device, card(person), nonce="n" * 32).status_code == 200
    CardSession.objects.update(state=CardSession.State.ENDED)
    again = send(device, card(person), nonce="n" * 32)
    assert again.status_code == 409 and again.json()["code"] == "replayed_nonce"
    assert CardSession.objects.count() == 1


def test_a_bad_card_read_changes_nothing(device):
    response = send(device, {"event": "card_inserted", "card": {"name": "王五", "id_number": "123",
                                                                "photo_sha256": PHOTO}})
    assert response.status_code == 400 and "身份证号码" in response.json()["message"]
    assert send(device, {"event": "reboot"}).json()["code"] == "invalid_event"
    assert send(device, None, body=b"[1]").status_code == 400
    assert not CardSession.objects.exists()


def test_without_an_account_or_a_pin_the_session_ends_at_once_and_says_why(device):
    stranger = UserFactory.build()  # never registered
    assert send(device, card(stranger)).json()["state"] == "ended"
    assert CardSession.objects.get().end_reason == CardSession.EndReason.NO_ACCOUNT
    no_pin = UserFactory(phone="")
    answer = send(device, card(no_pin)).json()
    assert answer["state"] == "ended" and answer["message"] == "尚未设置终端密码"
    # no PIN but a registered phone: the code texted to it is the second factor
    with_phone = UserFactory(phone="13912345678")
    answer = send(device, card(with_phone)).json()
    assert answer["state"] == "awaiting_code" and answer["message"] == "待输入短信验证码"


def test_the_card_taken_out_or_another_card_ends_the_session(device):
    first, second = resident_with_pin(), resident_with_pin()
    send(device, card(first))
    send(device, card(second))
    sessions = {s.person: s for s in CardSession.objects.all()}
    assert sessions[first].end_reason == CardSession.EndReason.REPLACED
    assert sessions[second].state == CardSession.State.AWAITING_PIN
    assert send(device, {"event": "card_removed"}).status_code == 200
    sessions[second].refresh_from_db()
    assert sessions[second].end_reason == CardSession.EndReason.CARD_REMOVED


# --- the resident -----------------------------------------------------------------------------------


def test_the_pin_is_the_second_factor_and_five_wrong_lock_it(device):
    person = resident_with_pin()
    send(device, card(person))
    session = CardSession.objects.get()
    with pytest.raises(Invalid, match="还可再试 4 次"):
        services.enter_pin(session, "111112")
    for _ in range(3):
        with pytest.raises(Invalid):
            services.enter_pin(session, "111112")
    with pytest.raises(Forbidden, match="已锁定 15 分钟"):
        services.enter_pin(session, "111112")
    session.refresh_from_db()
    assert session.end_reason == CardSession.EndReason.PIN_LOCKED
    send(device, card(person))  # locked even with the right PIN now
    with pytest.raises(Forbidden, match="已锁定至"):
        services.enter_pin(CardSession.objects.exclude(state="ended").get(), PIN)


def test_the_right_pin_opens_the_session(device):
    person = resident_with_pin()
    send(device, card(person))
    session = services.enter_pin(CardSession.objects.get(), PIN)
    assert session.state == CardSession.State.ACTIVE and session.verified_at
    assert TerminalPin.objects.get(user=person).failures == 0


def test_sixty_seconds_without_a_touch_end_the_session(device, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    person = resident_with_pin()
    send(device, card(person))
    session = services.enter_pin(CardSession.objects.get(), PIN)
    time_machine.shift(dt.timedelta(seconds=59))
    services.touch(session)
    time_machine.shift(dt.timedelta(seconds=61))
    with pytest.raises(Conflict, match="60 秒无操作"):
        services.touch(session)
    session.refresh_from_db()
    assert session.state == CardSession.State.ENDED and session.end_reason == CardSession.EndReason.IDLE

    send(device, card(person))  # idle while the PIN is being typed: ended too, and it stays ended
    waiting = CardSession.objects.exclude(state="ended").get()
    time_machine.shift(dt.timedelta(seconds=61))
    with pytest.raises(Conflict, match="60 秒无操作"):
        services.enter_pin(waiting, PIN)
    waiting.refresh_from_db()
    assert waiting.end_reason == CardSession.EndReason.IDLE


def test_setting_the_pin_online_needs_the_password_and_a_real_pin(client):
    person = UserFactory()
    client.force_login(person)
    page = client.get("/me/terminal-pin/")
    assert page.status_code == 200 and "尚未设置" in page.content.decode()
    for pin, password, message in (("123456", PASSWORD, "不能是相同或连续的数字"),
                                   ("888888", PASSWORD, "不能是相同或连续的数字"),
                                   ("12a456", PASSWORD, "6 位数字"),
                                   (PIN, "wrong", "登录密码不正确")):
        response = client.post("/me/terminal-pin/", {"pin": pin, "pin_again": pin, "password": password})
        assert message in response.content.decode(), pin
    mismatch = client.post("/me/terminal-pin/", {"pin": PIN, "pin_again": "258037", "password": PASSWORD})
    assert "两次输入的终端密码不一致" in mismatch.content.decode()
    assert not TerminalPin.objects.exists()
    done = client.post("/me/terminal-pin/", {"pin": PIN, "pin_again": PIN, "password": PASSWORD}, follow=True)
    assert "终端密码已设置" in done.content.decode()
    assert TerminalPin.objects.get(user=person).pin_hash != PIN


def test_staff_set_no_terminal_pin(client):
    client.force_login(ClerkFactory())
    assert client.get("/me/terminal-pin/").status_code == 403


# --- heartbeats and the hall's page -----------------------------------------------------------------


def test_heartbeats_show_the_hall_which_terminal_needs_attention(device, client, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    terminal, private = device
    quiet = Terminal.objects.create(code="QX-T02", hall=terminal.hall, location="二楼", public_key=terminal.public_key)
    elsewhere = Terminal.objects.create(code="YZ-T01", hall=HallFactory(code="YZ", name="禾云镇便民服务中心"),
                                        location="门口", public_key=terminal.public_key)
    assert send(device, {"event": "heartbeat", "paper": "out", "reader_ok": True}).status_code == 200
    assert send(device, {"event": "heartbeat", "paper": "empty"}).status_code == 400
    terminal.refresh_from_db()
    assert terminal.paper == "out" and terminal.is_online()

    clerk = ClerkFactory(window=WindowFactory(hall=terminal.hall))
    client.force_login(clerk)
    page = client.get("/hall/terminals/").content.decode()
    assert "QX-T01" in page and "缺纸" in page and "QX-T02" in page and "从未上线" in page
    assert "YZ-T01" not in page

    time_machine.shift(dt.timedelta(minutes=3))
    assert "离线" in client.get("/hall/terminals/").content.decode()

    other = ClerkFactory(window=WindowFactory(hall=Hall.objects.get(code="YZ")))
    client.force_login(other)
    page = client.get("/hall/terminals/").content.decode()
    assert "YZ-T01" in page and "QX-T01" not in page

    client.force_login(SupervisorFactory())
    page = client.get("/hall/terminals/").content.decode()
    assert all(t.code in page for t in (terminal, quiet, elsewhere))

    client.force_login(UserFactory())
    assert client.get("/hall/terminals/").status_code == 403
