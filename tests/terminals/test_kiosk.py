"""Issue 13, the kiosk of a 市民之窗 terminal: the page is bound to its device by a one-time
enrolment code; a resident's requests name their session and are refused once it ended (finished,
card removed, idle) or when it belongs to another terminal; what one resident sees and does is
theirs only; each thing done prints an 80 mm receipt."""

import datetime as dt
import hashlib
import io

import pytest
from django.conf import settings as django_settings
from django.core import signing as django_signing
from django.test import Client
from pypdf import PdfReader

from accounts.models import User
from matters.models import FeeItem
from payments.models import FeeLine
from terminals import kiosk, services
from terminals import signing as device_signing
from terminals.models import CardSession, KioskReceipt, Terminal, TerminalEnrolment, TerminalNonce
from terminals.tasks import forget_old_nonces
from tests.factories import (
    PASSWORD,
    ClerkFactory,
    DepartmentFactory,
    HallFactory,
    MatterFactory,
    UserFactory,
    WindowFactory,
    accepted_application,
    concluded_application,
)
from windows.home_visit_models import HallHead
from windows.models import Ticket

pytestmark = pytest.mark.django_db

PIN = "258036"
PHOTO = hashlib.sha256(b"photo").hexdigest()


def make_terminal(hall=None, code="QX-T01"):
    _private, public = device_signing.new_key_pair()
    return Terminal.objects.create(code=code, hall=hall or HallFactory(), location="一楼大厅东侧", public_key=public)


def admin():
    return UserFactory(role=User.Role.ADMINISTRATOR)


def enrolled_client(terminal) -> Client:
    client = Client()
    code = kiosk.enrolment_code_issue(terminal=terminal, by=admin())
    response = client.post("/kiosk/enrol/", {"code": code})
    assert response.status_code == 302 and response.url == "/kiosk/", response.content.decode()
    return client


def resident(**kwargs):
    person = UserFactory(**kwargs)
    services.set_pin(person, pin=PIN, password=PASSWORD)
    return person


def card_in(terminal, person) -> CardSession:
    return services.card_inserted(terminal, name=person.real_name, id_number=person.id_number, photo_hash=PHOTO)


def signed_in(client, terminal, person) -> CardSession:
    session = card_in(terminal, person)
    response = client.post(f"/kiosk/{session.pk}/pin/", {"pin": PIN})
    assert response.status_code == 302 and response.url == f"/kiosk/{session.pk}/"
    session.refresh_from_db()
    assert session.state == CardSession.State.ACTIVE
    return session


# --- binding the page to its device -----------------------------------------------------------------


def test_an_enrolment_code_is_made_by_an_administrator_or_the_hall_head_and_used_once():
    terminal = make_terminal()
    clerk = ClerkFactory(window=WindowFactory(hall=terminal.hall))
    with pytest.raises(Exception, match="只有系统管理员或本大厅负责人"):
        kiosk.enrolment_code_issue(terminal=terminal, by=clerk)
    HallHead.objects.create(hall=terminal.hall, clerk=clerk)
    code = kiosk.enrolment_code_issue(terminal=terminal, by=clerk)
    assert TerminalEnrolment.objects.get().code_digest != code  # only its digest is kept

    first, second = Client(), Client()
    assert first.get("/kiosk/").url == "/kiosk/enrol/"  # no device cookie: the enrolment page
    assert first.post("/kiosk/enrol/", {"code": code.lower()}).status_code == 302
    assert "请将居民身份证放在读卡区" in first.get("/kiosk/").content.decode()
    again = second.post("/kiosk/enrol/", {"code": code})
    assert again.status_code == 200 and "登记码无效、已使用或已过期" in again.content.decode()
    assert second.get("/kiosk/").url == "/kiosk/enrol/"
    assert kiosk.COOKIE not in second.cookies or not second.cookies[kiosk.COOKIE].value


def test_an_expired_code_is_refused_and_a_new_enrolment_revokes_the_old_device(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    terminal = make_terminal()
    code = kiosk.enrolment_code_issue(terminal=terminal, by=admin())
    time_machine.shift(dt.timedelta(minutes=31))
    assert "已过期" in Client().post("/kiosk/enrol/", {"code": code}).content.decode()

    old = enrolled_client(terminal)
    new = enrolled_client(terminal)
    assert old.get("/kiosk/").url == "/kiosk/enrol/"
    assert new.get("/kiosk/").status_code == 200
    Terminal.objects.update(active=False)
    assert new.get("/kiosk/").url == "/kiosk/enrol/"


def test_the_device_cookie_of_one_terminal_reaches_no_session_of_another():
    hall = HallFactory()
    mine, other = make_terminal(hall, "QX-T01"), make_terminal(hall, "QX-T02")
    client = enrolled_client(mine)
    theirs = card_in(other, resident())
    for url in (f"/kiosk/{theirs.pk}/", f"/kiosk/{theirs.pk}/applications/", f"/kiosk/{theirs.pk}/fees/"):
        assert client.get(url).url == "/kiosk/", url
    assert client.post(f"/kiosk/{theirs.pk}/pin/", {"pin": PIN}).url == "/kiosk/"
    theirs.refresh_from_db()
    assert theirs.state == CardSession.State.AWAITING_PIN and theirs.verified_at is None
    assert client.get("/kiosk/state/").json()["session"] is None  # its own terminal has none

    # a cookie naming the other terminal with this terminal's enrolment is not the other terminal
    enrolment = TerminalEnrolment.objects.get(terminal=mine)
    forged = django_signing.get_cookie_signer(salt=kiosk.COOKIE + kiosk.SALT).sign(f"{other.pk}:{enrolment.pk}")
    client.cookies[kiosk.COOKIE] = forged
    assert client.get("/kiosk/").url == "/kiosk/enrol/"
    client.cookies[kiosk.COOKIE] = "tampered"
    assert client.get("/kiosk/").url == "/kiosk/enrol/"


# --- the resident's session ---------------------------------------------------------------------------


def test_the_pin_pad_opens_the_session_and_a_wrong_pin_says_how_many_tries_are_left():
    terminal = make_terminal()
    client = enrolled_client(terminal)
    person = resident()
    session = card_in(terminal, person)
    page = client.get("/kiosk/").content.decode()
    assert 'id="pinpad"' in page and "请输入 6 位终端密码" in page
    assert client.get(f"/kiosk/{session.pk}/").url == "/kiosk/"  # nothing personal before the PIN
    wrong = client.post(f"/kiosk/{session.pk}/pin/", {"pin": "111112"})
    assert "还可再试 4 次" in wrong.content.decode()
    assert "终端密码为 6 位数字" in client.post(f"/kiosk/{session.pk}/pin/", {"pin": "12"}).content.decode()
    assert client.post(f"/kiosk/{session.pk}/pin/", {"pin": PIN}).url == f"/kiosk/{session.pk}/"
    menu = client.get(f"/kiosk/{session.pk}/").content.decode()
    assert "我的办件" in menu and "缴费" in menu and "取号" in menu and 'id="countdown"' in menu


def test_every_kiosk_request_is_refused_once_the_session_ended(settings):
    hall = HallFactory()
    WindowFactory(hall=hall)
    terminal = make_terminal(hall)
    client = enrolled_client(terminal)
    person = resident()
    matter = MatterFactory()
    FeeItem.objects.create(matter=matter, name="证照工本费", amount_fen=2000, legal_basis="依据")
    accepted_application(applicant=person, matters=[matter])
    line = FeeLine.objects.get()
    session = signed_in(client, terminal, person)
    client.post(f"/kiosk/{session.pk}/queue/take/", {"queue": "natural"})
    receipt = KioskReceipt.objects.get()
    services.card_removed(terminal)
    gets = ["", "applications/", "licences/", "data/", "fees/", "queue/", "rate/", f"receipts/{receipt.pk}.pdf"]
    posts = [
        "pin/",
        f"fees/{line.pk}/pay/",
        f"fees/{line.pk}/check/",
        "queue/take/",
        "queue/check-in/",
        "data/shebao/",
        "finish/",
    ]
    for path in gets:
        response = client.get(f"/kiosk/{session.pk}/{path}")
        assert response.status_code == 302 and response.url == "/kiosk/", path
    for path in posts:
        response = client.post(f"/kiosk/{session.pk}/{path}", {"pin": PIN, "queue": "natural"})
        assert response.status_code == 302 and response.url == "/kiosk/", path
    assert Ticket.objects.count() == 1 and KioskReceipt.objects.count() == 1
    assert not line.orders.exists()
    session.refresh_from_db()
    assert session.end_reason == CardSession.EndReason.CARD_REMOVED
    assert "本次使用已结束:已取走身份证" in client.get("/kiosk/").content.decode()


def test_the_server_ends_an_idle_session_whatever_the_page_does(settings, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    settings.TERMINAL_IDLE_SECONDS = 20
    terminal = make_terminal()
    client = enrolled_client(terminal)
    session = signed_in(client, terminal, resident())
    time_machine.shift(dt.timedelta(seconds=15))
    assert client.get("/kiosk/state/").json() == {
        "session": session.pk,
        "state": "active",
        "remaining": 5,
        "ended": None,
        "ended_reason": "",
    }
    time_machine.shift(dt.timedelta(seconds=6))
    state = client.get("/kiosk/state/").json()  # the poll alone ends it: no touch needed
    assert state["session"] is None and state["ended"] == session.pk and state["ended_reason"] == "idle"
    assert client.get(f"/kiosk/{session.pk}/").url == "/kiosk/"
    session.refresh_from_db()
    assert session.end_reason == CardSession.EndReason.IDLE


def test_a_resident_sees_and_pays_only_their_own(settings):
    terminal = make_terminal()
    client = enrolled_client(terminal)
    me, other = resident(real_name="陈志明"), resident(real_name="黄丽娟")
    matter = MatterFactory(name="居民身份证换领")
    FeeItem.objects.create(matter=matter, name="证照工本费", amount_fen=2000, legal_basis="依据")
    mine = accepted_application(applicant=me, matters=[matter])
    theirs = accepted_application(applicant=other, matters=[matter])
    their_line = FeeLine.objects.get(application=theirs)
    their_session = signed_in(client, terminal, other)
    client.post(f"/kiosk/{their_session.pk}/queue/check-in/")  # no appointment: nothing made
    their_receipt = kiosk.receipt_make(
        their_session, kind="query", title="社保查询结果", lines=[("累计缴费月数", "120")]
    )
    session = signed_in(client, terminal, me)  # the next card replaces the session
    their_session.refresh_from_db()
    assert their_session.end_reason == CardSession.EndReason.REPLACED

    page = client.get(f"/kiosk/{session.pk}/applications/").content.decode()
    assert mine.number in page and theirs.number not in page
    fees_page = client.get(f"/kiosk/{session.pk}/fees/").content.decode()
    assert mine.number in fees_page and theirs.number not in fees_page
    assert client.post(f"/kiosk/{session.pk}/fees/{their_line.pk}/pay/").status_code == 404
    assert client.get(f"/kiosk/{session.pk}/receipts/{their_receipt.pk}.pdf").status_code == 404
    assert client.get(f"/kiosk/{their_session.pk}/applications/").url == "/kiosk/"
    assert not their_line.orders.exists()


def test_a_number_taken_at_the_kiosk_prints_an_80_mm_receipt():
    hall = HallFactory(name="清新区政务服务中心")
    WindowFactory(hall=hall)
    terminal = make_terminal(hall)
    client = enrolled_client(terminal)
    person = resident(real_name="陈志明")
    session = signed_in(client, terminal, person)
    page = client.get(f"/kiosk/{session.pk}/queue/").content.decode()
    assert 'value="natural"' in page
    done = client.post(f"/kiosk/{session.pk}/queue/take/", {"queue": "natural"}).content.decode()
    ticket = Ticket.objects.get()
    assert ticket.user == person and ticket.hall == hall and ticket.number in done and "打印凭条" in done
    again = client.post(f"/kiosk/{session.pk}/queue/take/", {"queue": "natural"}, follow=True).content.decode()
    assert "无需重复取号" in again and Ticket.objects.count() == 1
    assert (
        "无法识别的业务类别"
        in client.post(f"/kiosk/{session.pk}/queue/take/", {"queue": "A B"}, follow=True).content.decode()
    )

    receipt = KioskReceipt.objects.get()
    pdf = client.get(f"/kiosk/{session.pk}/receipts/{receipt.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 80  # the roll's width
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert "市民之窗·排队号" in text and ticket.number in text and "陈**" in text
    assert person.id_number not in text and session.card_id_masked in text


def test_a_finished_case_is_rated_at_the_kiosk_once():
    terminal = make_terminal()
    client = enrolled_client(terminal)
    person = resident()
    application = concluded_application(applicant=person)
    session = signed_in(client, terminal, person)
    page = client.get(f"/kiosk/{session.pk}/rate/").content.decode()
    assert application.title in page and "非常满意" in page
    token = page.split('name="token" value="', 1)[1].split('"', 1)[0]
    done = client.post(f"/kiosk/{session.pk}/rate/{application.number}/", {"token": token, "level": 5})
    assert "感谢您的评价" in done.content.decode()
    assert application.ratings.get().level == 5
    again = client.post(f"/kiosk/{session.pk}/rate/{application.number}/", {"token": token, "level": 1}, follow=True)
    assert "已使用" in again.content.decode() and application.ratings.count() == 1


def test_the_beat_forgets_old_nonces(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC), tick=False)
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "terminals.tasks.forget_old_nonces" in tasks
    terminal = make_terminal()
    TerminalNonce.objects.create(terminal=terminal, nonce="old")
    time_machine.shift(dt.timedelta(minutes=11))
    TerminalNonce.objects.create(terminal=terminal, nonce="new")
    assert forget_old_nonces() == 1
    assert list(TerminalNonce.objects.values_list("nonce", flat=True)) == ["new"]


def test_the_hall_head_makes_a_code_on_the_terminals_page_and_it_is_shown_once(client):
    terminal = make_terminal()
    head = ClerkFactory(window=WindowFactory(hall=terminal.hall))
    seated = ClerkFactory(window=WindowFactory(hall=terminal.hall))
    HallHead.objects.create(hall=terminal.hall, clerk=head)
    url = f"/hall/terminals/{terminal.code}/enrolment-code/"

    client.force_login(seated)
    assert "生成登记码" not in client.get("/hall/terminals/").content.decode()
    refused = client.post(url, follow=True).content.decode()
    assert "只有系统管理员或本大厅负责人" in refused and not TerminalEnrolment.objects.exists()

    client.force_login(head)
    shown = client.post(url, follow=True).content.decode()
    code = shown.split("的登记码:", 1)[1][:14]
    assert TerminalEnrolment.objects.count() == 1
    assert code not in client.get("/hall/terminals/").content.decode()  # once
    device = Client()
    assert device.post("/kiosk/enrol/", {"code": code}).url == "/kiosk/"
    assert terminal.code in device.get("/kiosk/").content.decode()


def test_the_demo_terminal_command_registers_the_agents_key_and_prints_a_code(settings):
    from io import StringIO

    from django.core.management import call_command

    from exchange.models import DataSourcePolicy
    from matters.models import Matter

    HallFactory(code="QX-ZWZX", name="清新区综合政务服务中心")
    DepartmentFactory(code="QX-RSJ")
    UserFactory(username="admin", role=User.Role.ADMINISTRATOR)
    citizen = UserFactory(username="citizen")
    _private, public = device_signing.new_key_pair()
    out = StringIO()
    call_command("demo_terminal", public_key=public, stdout=out)
    terminal = Terminal.objects.get(code="QX-T01")
    assert terminal.public_key == public and terminal.hall.code == "QX-ZWZX"
    assert services.enter_pin(card_in(terminal, citizen), "258036").state == CardSession.State.ACTIVE
    matter = Matter.objects.get(code=settings.TERMINAL_QUERY_MATTER)
    assert {"shebao", "dian"} <= set(DataSourcePolicy.objects.filter(matter=matter).values_list("source", flat=True))
    code = out.getvalue().split("登记码 ", 1)[1][:14]
    assert Client().post("/kiosk/enrol/", {"code": code}).url == "/kiosk/"
    call_command("demo_terminal", public_key=public, stdout=StringIO())  # again: the same terminal, a new code
    assert Terminal.objects.count() == 1 and TerminalEnrolment.objects.count() == 2


def test_the_query_pages_answer_without_a_data_source_configured(settings):
    terminal = make_terminal()
    client = enrolled_client(terminal)
    session = signed_in(client, terminal, resident())
    assert "您还没有电子证照" in client.get(f"/kiosk/{session.pk}/licences/").content.decode()
    assert "暂未开通数据查询" in client.get(f"/kiosk/{session.pk}/data/").content.decode()
    assert client.post(f"/kiosk/{session.pk}/data/shebao/").status_code == 404  # no policy: no query
    assert "请回到自助终端" in Client().get("/kiosk/paid/").content.decode()  # the phone, no device


def test_the_admin_makes_an_enrolment_code_and_lists_codes_without_their_digest(client):
    terminal = make_terminal()
    client.force_login(UserFactory(username="root", role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    done = client.post(
        "/admin/terminals/terminal/",
        {"action": "make_enrolment_code", "_selected_action": [terminal.pk]},
        follow=True,
    ).content.decode()
    code = done.split("的登记码:", 1)[1][:14]
    assert Client().post("/kiosk/enrol/", {"code": code}).url == "/kiosk/"
    listing = client.get("/admin/terminals/terminalenrolment/").content.decode()
    assert terminal.code in listing and TerminalEnrolment.objects.get().code_digest not in listing


def test_todays_appointment_is_checked_in_at_the_kiosk_by_the_card_holder(time_machine):
    from tests.factories import AppointmentSlotFactory
    from windows import queue_services
    from windows.models import Appointment

    time_machine.move_to(dt.datetime(2026, 11, 27, 0, 45, tzinfo=dt.UTC), tick=False)  # 08:45 in Beijing
    hall = HallFactory()
    WindowFactory(hall=hall)
    terminal = make_terminal(hall)
    client = enrolled_client(terminal)
    person, other = resident(), resident()
    beijing = dt.timezone(dt.timedelta(hours=8))
    slot = AppointmentSlotFactory(
        hall=hall,
        date=dt.date(2026, 11, 27),
        starts_at=dt.datetime(2026, 11, 27, 9, 0, tzinfo=beijing),
        ends_at=dt.datetime(2026, 11, 27, 10, 0, tzinfo=beijing),
    )
    theirs = queue_services.appointment_book(user=other, slot=slot)
    session = signed_in(client, terminal, person)
    refused = client.post(f"/kiosk/{session.pk}/queue/check-in/", follow=True).content.decode()
    assert "您今天在本大厅没有待签到的预约" in refused  # the other resident's booking is not theirs to check in
    mine = queue_services.appointment_book(user=person, slot=slot)
    done = client.post(f"/kiosk/{session.pk}/queue/check-in/").content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.state == Appointment.State.CHECKED_IN and mine.ticket.number in done and "预约签到成功" in done
    assert theirs.state == Appointment.State.BOOKED
    assert KioskReceipt.objects.get(session=session).kind == KioskReceipt.Kind.CHECK_IN
