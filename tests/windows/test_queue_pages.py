"""The queue's pages as people use them: a number from the terminal, its page, the clerk's calling
panel, the screen's JSON, booking and cancelling, check-in at the terminal."""

import pytest

from tests.factories import AppointmentSlotFactory, ClerkFactory, HallFactory, UserFactory, WindowFactory
from windows.models import Appointment, AppointmentSlot, Ticket, Window

pytestmark = pytest.mark.django_db


@pytest.fixture
def hall(at):
    at("2026-11-26 09:00")
    hall = HallFactory(name="太和镇综合政务服务中心")
    WindowFactory(hall=hall, number="A01", category=Window.Category.NATURAL)
    WindowFactory(hall=hall, number="B01", category=Window.Category.LEGAL)
    return hall


def test_take_a_number_at_the_terminal_and_follow_it(client, hall):
    page = client.get(f"/queue/{hall.code}/?mode=terminal")
    assert page.status_code == 200
    html = page.content.decode()
    assert "太和镇综合政务服务中心 · 取号" in html and 'class="terminal"' in html
    assert "个人业务" in html and "企业业务" in html
    response = client.post(f"/queue/{hall.code}/?mode=terminal", {"queue": "natural"})
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/queue/tickets/{ticket.token}/?mode=terminal"
    assert "完成,返回取号" in client.get(response["Location"]).content.decode()
    assert (ticket.number, ticket.source, ticket.user) == ("A001", Ticket.Source.TERMINAL, None)
    client.post(f"/queue/{hall.code}/", {"queue": "natural"})
    second = Ticket.objects.get(number="A002")
    html = client.get(f"/queue/tickets/{second.token}/").content.decode()
    assert "A002" in html and "前面还有 <strong>1</strong> 人,预计等候约 <strong>6</strong> 分钟" in html
    partial = client.get(f"/queue/tickets/{second.token}/?partial=1").content.decode()
    assert "前面还有" in partial and "<html" not in partial
    bad = client.post(f"/queue/{hall.code}/", {"queue": "department"})
    assert bad.status_code == 400 and "请选择要办理业务的部门窗口" in bad.content.decode()


def test_a_signed_in_citizen_cannot_take_a_second_number_of_one_queue(client, hall):
    citizen = UserFactory()
    client.force_login(citizen)
    client.post(f"/queue/{hall.code}/", {"queue": "natural", "phone": "13912345678"})
    again = client.post(f"/queue/{hall.code}/", {"queue": "natural"})
    assert again.status_code == 409 and "您已有本类业务的号码 A001" in again.content.decode()
    assert Ticket.objects.get().user == citizen


def test_the_clerk_calls_recalls_and_finishes_from_the_hall_page(client, hall):
    clerk = ClerkFactory(window=Window.objects.get(hall=hall, number="A01"))
    client.post(f"/queue/{hall.code}/", {"queue": "natural"})
    client.post(f"/queue/{hall.code}/", {"queue": "natural"})
    client.force_login(clerk)
    html = client.get("/hall/").content.decode()
    assert "A 个人业务 · 等候 2 人" in html and "当前无号码" in html
    assert 'data-refresh-url="/hall/queue/"' in html
    client.post(f"/queue/{hall.code}/", {"queue": "natural"})  # someone else arrives
    panel = client.get("/hall/queue/").content.decode()
    assert "等候 3 人" in panel and "<html" not in panel
    response = client.post("/hall/queue/call/", follow=True)
    html = response.content.decode()
    assert "请 A001 号到 A01 号窗口办理" in html and 'data-current-ticket>A001<' in html
    again = client.post("/hall/queue/call/", follow=True).content.decode()
    assert "请先将当前号码 A001 标记为“办结”或“过号”" in again
    first = Ticket.objects.get(number="A001")
    assert "已重呼 A001(第 1 次)" in client.post(f"/hall/queue/{first.token}/recall/", follow=True).content.decode()
    assert "A001 已记为过号未到" in client.post(f"/hall/queue/{first.token}/no-show/", follow=True).content.decode()
    client.post("/hall/queue/call/")
    second = Ticket.objects.get(number="A002")
    client.post(f"/hall/queue/{second.token}/serve/")
    assert dict(Ticket.objects.values_list("number", "state")) == {"A001": "no_show", "A002": "served", "A003": "waiting"}
    assert client.get(f"/hall/queue/{second.token}/dance/").status_code == 405  # GET
    assert client.post(f"/hall/queue/{second.token}/dance/").status_code == 404


def test_the_screen_and_its_json(client, hall):
    clerk = ClerkFactory(window=Window.objects.get(hall=hall, number="A01"))
    client.post(f"/queue/{hall.code}/", {"queue": "natural"})
    html = client.get(f"/queue/{hall.code}/screen/").content.decode()
    assert f'data-screen-url="/api/queue/halls/{hall.code}/screen/"' in html and "js/screen.js" in html
    empty = client.get(f"/api/queue/halls/{hall.code}/screen/").json()
    assert empty["latest"] is None and empty["waiting"][0]["waiting"] == 1
    client.force_login(clerk)
    client.post("/hall/queue/call/")
    client.logout()
    data = client.get(f"/api/queue/halls/{hall.code}/screen/").json()
    assert (data["latest"]["number"], data["latest"]["window"]) == ("A001", "A01") and data["version"]
    assert "请 A001 号 到 A01 号窗口" in client.get(f"/queue/{hall.code}/screen/").content.decode()
    assert client.get("/queue/NO-SUCH/screen/").status_code == 404


def test_book_cancel_and_check_in(client, hall, at):
    slot = AppointmentSlotFactory(hall=hall, date="2026-11-27", starts_at="2026-11-27T09:00+08:00",
                                  ends_at="2026-11-27T10:00+08:00", capacity=2)
    citizen = UserFactory()
    client.force_login(citizen)
    html = client.get(f"/appointments/book/?hall={hall.code}&queue=natural").content.decode()
    assert "09:00–10:00" in html and "余 2" in html
    response = client.post(f"/appointments/slots/{slot.pk}/book/", follow=True)
    booking = Appointment.objects.get()
    assert "预约成功" in response.content.decode() and booking.code in response.content.decode()
    assert AppointmentSlot.objects.get().booked == 1
    client.post(f"/appointments/{booking.code}/cancel/")
    assert Appointment.objects.get().state == Appointment.State.CANCELLED and AppointmentSlot.objects.get().booked == 0
    client.post(f"/appointments/slots/{slot.pk}/book/")
    booking = Appointment.objects.get(state=Appointment.State.BOOKED)
    client.logout()
    at("2026-11-27 08:45")
    response = client.post(f"/queue/{hall.code}/?mode=terminal", {"action": "check_in", "code": booking.code}, follow=True)
    html = response.content.decode()
    assert "签到成功,您的号码是 A001(预约优先)" in html
    booking.refresh_from_db()
    assert booking.state == Appointment.State.CHECKED_IN and booking.ticket.priority == Ticket.Priority.APPOINTMENT
    refused = client.post(f"/queue/{hall.code}/", {"action": "check_in", "code": "ZZZZZZZZ"})
    assert refused.status_code == 404 and "未找到该预约码" in refused.content.decode()
