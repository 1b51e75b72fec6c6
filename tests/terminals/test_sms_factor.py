"""Issue 13, the terminal's SMS second factor: a resident without their card signs in with their ID
number and a code texted to the registered phone (the terminal never says whether the number has
an account); a card holder may use the code instead of the PIN (or has to, without a PIN); wrong
codes are limited, codes expire, and codes are not sent without end."""

import datetime as dt
import re

import pytest

from notifications.models import Message
from terminals import services
from terminals.models import CardSession
from tests.factories import UserFactory

from .test_kiosk import PIN, card_in, enrolled_client, make_terminal, resident

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)


def last_code(person) -> str:
    message = Message.objects.filter(recipient=person, title__contains="市民之窗登录").order_by("-pk").first()
    assert message is not None, "no code was told to the person"
    return re.search(r"验证码 (\d{6})", message.body).group(1)


def codes_told(person) -> int:
    return Message.objects.filter(recipient=person, title__contains="市民之窗登录").count()


def start_without_card(client, id_number):
    response = client.post("/kiosk/id/", {"id_number": id_number})
    assert response.status_code == 302 and response.url == "/kiosk/", response.content.decode()[:500]
    return CardSession.objects.exclude(state="ended").get()


def test_without_the_card_the_id_number_and_the_texted_code_open_the_session(settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    terminal = make_terminal()
    client = enrolled_client(terminal)
    person = UserFactory(real_name="陈志明", phone="13912345678")
    idle = client.get("/kiosk/").content.decode()
    assert "没带身份证" in idle and 'href="/kiosk/id/"' in idle
    assert 'data-max="18"' in client.get("/kiosk/id/").content.decode()

    session = start_without_card(client, person.id_number.lower())
    assert session.person == person and session.started_by == "id_number" and session.photo_hash == ""
    page = client.get("/kiosk/").content.decode()
    assert "若身份证号码" in page and "陈志明" not in page  # no name before the code is right
    assert client.get(f"/kiosk/{session.pk}/").url == "/kiosk/"  # nothing personal yet
    code = last_code(person)
    wrong = "000000" if code != "000000" else "111111"
    assert "验证码不正确,还可再试 4 次" in client.post(f"/kiosk/{session.pk}/code/", {"code": wrong}).content.decode()
    assert "短信验证码为 6 位数字" in client.post(f"/kiosk/{session.pk}/code/", {"code": "12"}).content.decode()
    assert client.post(f"/kiosk/{session.pk}/pin/", {"pin": PIN}).url == "/kiosk/"  # no PIN path into it
    assert client.post(f"/kiosk/{session.pk}/code/", {"code": code}).url == f"/kiosk/{session.pk}/"
    session.refresh_from_db()
    assert (session.state, session.factor, session.card_name) == ("active", "sms", "陈志明")
    assert session.code_hash == "" and code not in str(CardSession.objects.filter(pk=session.pk).values().get())
    assert "陈志明,请选择要办理的业务" in client.get(f"/kiosk/{session.pk}/").content.decode()


def test_an_unregistered_number_looks_the_same_and_five_wrong_codes_end_the_session():
    terminal = make_terminal()
    client = enrolled_client(terminal)
    stranger = UserFactory.build().id_number  # a valid number with no account
    registered = UserFactory(phone="13912345678")
    answer_for_stranger = None
    for number in (stranger, registered.id_number):
        session = start_without_card(client, number)
        page = client.get("/kiosk/").content.decode()
        said = re.search(r'<p class="klead" id="code-sent">(.*?)</p>', page, re.S).group(1)
        text = re.sub(r"\d{4}\*+\d{3}[\dX]", "ID", said)  # the masked number differs, nothing else
        if answer_for_stranger is None:
            answer_for_stranger = text
            assert session.person is None
            for n in range(4):
                response = client.post(f"/kiosk/{session.pk}/code/", {"code": f"{n}{n}{n}{n}{n}{n}"})
                assert f"还可再试 {4 - n} 次" in response.content.decode()
            last = client.post(f"/kiosk/{session.pk}/code/", {"code": "123123"})
            assert last.url == "/kiosk/"
            session.refresh_from_db()
            assert session.end_reason == CardSession.EndReason.CODE_FAILED
            assert "验证码连续错误 5 次" in client.get("/kiosk/").content.decode()
        else:
            assert text == answer_for_stranger
    assert Message.objects.filter(title__contains="市民之窗登录").count() == 1  # only the registered one


def test_a_bad_id_number_is_refused_in_chinese_and_starts_nothing():
    client = enrolled_client(make_terminal())
    response = client.post("/kiosk/id/", {"id_number": "44010119900101001"})
    assert response.status_code == 200 and "身份证号码为 18 位" in response.content.decode()
    number = UserFactory.build().id_number
    bad_check = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = client.post("/kiosk/id/", {"id_number": bad_check})
    assert "身份证号码有误" in response.content.decode()
    assert not CardSession.objects.exists()


def test_codes_expire_and_a_new_one_replaces_the_old(settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    settings.TERMINAL_IDLE_SECONDS = settings.TERMINAL_CODE_IDLE_SECONDS = 3600  # about the code's time, not the screen's
    terminal = make_terminal()
    client = enrolled_client(terminal)
    person = UserFactory(phone="13912345678")
    session = start_without_card(client, person.id_number)
    old = last_code(person)
    again = client.post(f"/kiosk/{session.pk}/code/send/")
    assert "请 30 秒后再重新获取" in client.get(again.url).content.decode()
    assert codes_told(person) == 1
    time_machine.shift(dt.timedelta(minutes=5, seconds=1))
    expired = client.post(f"/kiosk/{session.pk}/code/", {"code": old}).content.decode()
    assert "验证码已过期(5 分钟内有效)" in expired
    session.refresh_from_db()
    assert session.state == "awaiting_code" and session.code_tries == 0  # an expired code is not a wrong try
    client.post(f"/kiosk/{session.pk}/code/send/")
    new = last_code(person)
    assert codes_told(person) == 2
    if new != old:
        assert "验证码不正确" in client.post(f"/kiosk/{session.pk}/code/", {"code": old}).content.decode()
    assert client.post(f"/kiosk/{session.pk}/code/", {"code": new}).url == f"/kiosk/{session.pk}/"


def test_codes_are_limited_per_session_and_per_person_per_hour(settings, time_machine):
    time_machine.move_to(NOW, tick=False)
    settings.TERMINAL_IDLE_SECONDS = settings.TERMINAL_CODE_IDLE_SECONDS = 3600
    terminal = make_terminal()
    client = enrolled_client(terminal)
    person = UserFactory(phone="13912345678")
    session = start_without_card(client, person.id_number)
    for _n in range(2):
        time_machine.shift(dt.timedelta(seconds=31))
        client.post(f"/kiosk/{session.pk}/code/send/")
    assert codes_told(person) == 3
    time_machine.shift(dt.timedelta(seconds=31))
    refused = client.post(f"/kiosk/{session.pk}/code/send/")
    assert "本次已发送 3 次验证码" in client.get(refused.url).content.decode()
    assert codes_told(person) == 3
    # a second session within the hour: three more, then the hourly limit
    second = start_without_card(client, person.id_number)
    for _n in range(2):
        time_machine.shift(dt.timedelta(seconds=31))
        client.post(f"/kiosk/{second.pk}/code/send/")
    assert codes_told(person) == 6
    third = client.post("/kiosk/id/", {"id_number": person.id_number})
    assert "验证码发送过于频繁" in third.content.decode()
    assert codes_told(person) == 6 and not CardSession.objects.exclude(state="ended").exclude(pk=second.pk).exists()
    time_machine.shift(dt.timedelta(hours=1, seconds=1))
    start_without_card(client, person.id_number)
    assert codes_told(person) == 7


def test_a_card_holder_may_use_the_code_instead_of_the_pin_and_must_without_a_pin():
    terminal = make_terminal()
    client = enrolled_client(terminal)
    person = resident(real_name="李秀英", phone="13712345678")
    session = card_in(terminal, person)
    page = client.get("/kiosk/").content.decode()
    assert "改用短信验证码" in page
    assert client.post(f"/kiosk/{session.pk}/code/send/").url == "/kiosk/"
    page = client.get("/kiosk/").content.decode()
    assert "李秀英,您好" in page and "137****5678" in page and 'id="code-again"' in page
    assert client.post(f"/kiosk/{session.pk}/code/", {"code": last_code(person)}).url == f"/kiosk/{session.pk}/"
    session.refresh_from_db()
    assert session.factor == "sms"

    no_pin = UserFactory(phone="13612345678")
    session = card_in(terminal, no_pin)
    assert session.state == "awaiting_code" and codes_told(no_pin) == 1  # the code goes at the card read
    assert client.post(f"/kiosk/{session.pk}/code/", {"code": last_code(no_pin)}).url == f"/kiosk/{session.pk}/"

    no_phone = resident(phone="")
    session = card_in(terminal, no_phone)
    assert "改用短信验证码" not in client.get("/kiosk/").content.decode()
    refused = client.post(f"/kiosk/{session.pk}/code/send/")
    assert "没有登记手机号码" in client.get(refused.url).content.decode()
    neither = UserFactory(phone="")
    ended = card_in(terminal, neither)
    assert ended.end_reason == CardSession.EndReason.NO_PIN


def test_the_pin_session_records_its_factor():
    terminal = make_terminal()
    client = enrolled_client(terminal)
    session = card_in(terminal, resident())
    client.post(f"/kiosk/{session.pk}/pin/", {"pin": PIN})
    session.refresh_from_db()
    assert (session.state, session.factor) == ("active", "pin")
    assert services.CODE_MAX_TRIES == 5


def test_the_code_screen_waits_180_seconds_every_other_screen_60(time_machine):
    """A resident fetching the phone from a bag needs more than the 60 s of the other screens."""
    time_machine.move_to(NOW, tick=False)
    terminal = make_terminal()
    client = enrolled_client(terminal)
    person = UserFactory(phone="13912345678")
    session = start_without_card(client, person.id_number)
    page = client.get("/kiosk/").content.decode()
    assert 'data-idle="180"' in page and 'data-remaining="180"' in page
    time_machine.shift(dt.timedelta(seconds=150))
    assert client.get("/kiosk/state/").json()["remaining"] == 30
    assert client.post(f"/kiosk/{session.pk}/code/", {"code": "12"}).status_code == 200  # a touch, still on
    time_machine.shift(dt.timedelta(seconds=181))
    client.get("/kiosk/state/")
    session.refresh_from_db()
    assert (session.state, session.end_reason) == ("ended", "idle")
    assert "本次使用已结束:180 秒无操作,已自动退出" in client.get("/kiosk/").content.decode()

    holder = resident(phone="13912345679")  # a card and a PIN: the PIN screen keeps 60 s
    pin_session = card_in(terminal, holder)
    assert 'data-idle="60"' in client.get("/kiosk/").content.decode()
    time_machine.shift(dt.timedelta(seconds=61))
    assert client.get("/kiosk/state/").json()["session"] is None
    pin_session.refresh_from_db()
    assert (pin_session.state, pin_session.end_reason) == ("ended", "idle")
