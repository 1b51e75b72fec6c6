"""The hall pages' POSTs parsed by Django forms (windows.forms): 取号 and 签到 at the terminal, a
consultation's answer and hand-over. A bad post shows a Chinese message, keeps what was typed and
writes nothing; a good post does what it says."""

import pytest
from django.utils import timezone

from tests.factories import ClerkFactory, HallFactory, ReviewerFactory, WindowFactory
from windows import services
from windows.models import Consultation, HomeVisit, Ticket, Window

from .test_home_visits import book, world  # noqa: F401 - that module's fixture

pytestmark = pytest.mark.django_db


def _alert(response) -> str:
    html = response.content.decode()
    return html.split('class="alert alert-error"', 1)[1].split("</div>", 1)[0] if 'alert-error"' in html else ""


@pytest.fixture
def hall(at):
    at("2026-11-26 09:00")
    hall = HallFactory(name="太和镇综合政务服务中心")
    WindowFactory(hall=hall, number="A01", category=Window.Category.NATURAL)
    return hall


def test_taking_a_number_refuses_a_forged_queue_or_a_bad_phone_and_keeps_the_phone(client, hall):
    url = f"/queue/{hall.code}/"
    forged = client.post(url, {"queue": "natural-abc", "phone": "13912345678"})
    assert forged.status_code == 400 and "请选择业务类别" in _alert(forged)
    long = client.post(url, {"queue": "natural", "phone": "139123456789"})
    assert long.status_code == 400 and "请填写11位手机号码" in long.content.decode()
    bad = client.post(url, {"queue": "natural", "phone": "1391234"})
    html = bad.content.decode()
    assert bad.status_code == 400 and _alert(bad) and 'value="1391234"' in html
    assert not Ticket.objects.exists()
    good = client.post(url, {"queue": "natural", "phone": "13912345678"})
    assert good.status_code == 302 and Ticket.objects.get().number == "A001"


def test_check_in_refuses_an_unknown_or_overlong_code_and_keeps_it(client, hall):
    url = f"/queue/{hall.code}/"
    long = client.post(url, {"action": "check_in", "code": "ABCDEFGHI"})
    assert long.status_code == 400 and "预约码为8位" in _alert(long)
    unknown = client.post(url, {"action": "check_in", "code": "ZZ23ZZ45", "id_number": ""})
    html = unknown.content.decode()
    assert unknown.status_code >= 400 and _alert(unknown) and 'value="ZZ23ZZ45"' in html
    assert not Ticket.objects.exists()


def _consultation(clerk):
    return services.consultation_open(
        staff=clerk,
        channel=Consultation.Channel.WINDOW,
        topic="新生儿落户",
        question="新生儿落户需要带哪些材料?",
        asker_name="陈志明",
        asker_phone="13922223333",
    )


def test_a_consultation_answer_longer_than_the_box_is_refused_and_kept(client, at):
    clerk = ClerkFactory()
    consultation = _consultation(clerk)
    client.force_login(clerk)
    url = f"/consultations/{consultation.number}/answer/"
    long = client.post(url, {"answer": "答" * 4001})
    assert long.status_code == 400 and "答复内容不超过4000个字" in _alert(long)
    assert "答" * 4001 in long.content.decode()
    assert Consultation.objects.get().state == Consultation.State.OPEN
    good = client.post(url, {"answer": "带出生医学证明和父母户口簿"})
    assert good.status_code == 302 and Consultation.objects.get().state == Consultation.State.ANSWERED


def test_a_hand_over_to_a_forged_person_is_refused_and_the_reason_kept(client, at):
    clerk, reviewer = ClerkFactory(), ReviewerFactory()
    consultation = _consultation(clerk)
    client.force_login(clerk)
    url = f"/consultations/{consultation.number}/handover/"
    forged = client.post(url, {"to": "abc", "reason": "请人社局答复"})
    assert forged.status_code == 400 and "请选择接收的工作人员" in forged.content.decode()
    assert 'value="请人社局答复"' in forged.content.decode()
    long = client.post(url, {"to": reviewer.pk, "reason": "请" * 201})
    assert long.status_code == 400 and "移交理由不超过200个字" in _alert(long)
    assert Consultation.objects.get().owner == clerk
    good = client.post(url, {"to": reviewer.pk, "reason": "请人社局答复"})
    assert good.status_code == 302 and Consultation.objects.get().owner == reviewer


# --- 上门办理 -----------------------------------------------------------------------------------------


def test_booking_a_home_visit_refuses_a_date_that_is_not_one_and_keeps_what_was_typed(client, world):  # noqa: F811
    hall, matter, citizen = world["hall"], world["matter"], world["citizen"]
    client.force_login(citizen)
    body = {
        "for_self": "1",
        "reason": "elderly",
        "address": "清新区太和镇桂园路12号3栋201",
        "phone": "13912345678",
        "hall": hall.code,
        "preferred_date": "下周三",
    }
    bad = client.post(f"/home-visits/book/{matter.code}/", body)
    html = bad.content.decode()
    assert bad.status_code == 400 and "请按“年-月-日”填写希望上门的日期" in html
    assert "清新区太和镇桂园路12号3栋201" in html and "下周三" in html
    assert not HomeVisit.objects.exists()
    good = client.post(f"/home-visits/book/{matter.code}/", {**body, "preferred_date": "2026-11-25"})
    assert good.status_code == 302 and HomeVisit.objects.get().preferred_date.isoformat() == "2026-11-25"


def test_assigning_a_home_visit_refuses_a_time_that_is_not_one_and_keeps_it(client, world):  # noqa: F811
    visit, clerk = book(world), world["clerk"]
    client.force_login(clerk)
    url = f"/hall/home-visits/{visit.code}/assign/"
    bad = client.post(url, {"starts_at": "周三上午", "minutes": "60"})
    assert bad.status_code == 400 and "请按“年-月-日 时:分”填写上门时间" in bad.content.decode()
    assert 'value="周三上午"' in bad.content.decode()
    forged = client.post(url, {"starts_at": "2026-11-25T09:30", "minutes": "abc"})
    assert forged.status_code == 400 and "请选择上门时长" in _alert(forged)
    visit.refresh_from_db()
    assert visit.clerk is None
    good = client.post(url, {"starts_at": "2026-11-25T09:30", "minutes": "60"})
    assert good.status_code == 302
    visit.refresh_from_db()
    assert visit.clerk == clerk


def test_a_new_consultation_with_a_long_topic_is_refused_and_kept(client, at):
    clerk = ClerkFactory()
    client.force_login(clerk)
    body = {"channel": "window", "asker_name": "陈志明", "topic": "落" * 65, "question": "新生儿落户需要带哪些材料?"}
    long = client.post("/consultations/new/", body)
    html = long.content.decode()
    assert long.status_code == 400 and "咨询主题不超过64个字" in _alert(long)
    assert "新生儿落户需要带哪些材料?" in html and "陈志明" in html
    assert not Consultation.objects.exists()
    good = client.post("/consultations/new/", {**body, "topic": "新生儿落户", "hall": "not-an-id"})
    assert good.status_code == 302 and Consultation.objects.get().owner == clerk


def test_staffing_refuses_a_date_that_is_not_one_an_unknown_action_and_a_forged_matter(client, db):
    """统一调配: a start day that is not a date used to become "no date" (today); a forged action or
    matter id is refused; nothing is written; a good post still moves the clerk."""
    from accounts.models import User
    from tests.factories import UserFactory
    from windows.models import ClerkAuthorisation, RosterLog, Seat

    client.force_login(UserFactory(role=User.Role.ADMINISTRATOR))
    clerk, window = ClerkFactory(), WindowFactory(number="B09")
    seats, grants, log = Seat.objects.count(), ClerkAuthorisation.objects.count(), RosterLog.objects.count()
    bad_day = client.post("/staffing/", {"action": "move", "clerk": clerk.pk, "window": window.pk,
                                         "starts_on": "2026-13-40"})
    assert bad_day.status_code == 400 and "请填写有效的日期" in bad_day.content.decode()
    unknown = client.post("/staffing/", {"action": "sack", "clerk": clerk.pk})
    assert unknown.status_code == 400 and "未知的操作" in unknown.content.decode()
    forged = client.post("/staffing/", {"action": "authorise", "clerk": clerk.pk, "matters": ["1; DROP"]})
    assert forged.status_code == 400 and "所选项目无效" in forged.content.decode()
    assert (Seat.objects.count(), ClerkAuthorisation.objects.count(), RosterLog.objects.count()) == (seats, grants, log)
    good = client.post("/staffing/", {"action": "move", "clerk": clerk.pk, "window": window.pk,
                                      "starts_on": timezone.localdate().isoformat()})
    assert good.status_code == 302 and Seat.objects.get(clerk=clerk, ends_on__isnull=True).window == window


def test_recording_an_agency_refuses_a_bad_date_and_a_long_note_and_keeps_what_was_typed(client, db):
    """登记委托代办 at the window: a term that is not a date and a note over the box's 200 characters
    are refused with the page's message (the note used to be cut silently), the typed names and the
    ticked matter shown again, nothing recorded; the good post records it."""
    from accounts.models import AgentAuthorisation
    from tests.factories import MatterFactory, UserFactory

    principal, agent = UserFactory(real_name="李秀兰"), UserFactory(real_name="王芳")
    matter = MatterFactory(name="城乡居民养老保险参保登记")
    client.force_login(ClerkFactory())
    body = {"principal_real_name": "李秀兰", "principal_id_number": principal.id_number, "agent_name": "王芳",
            "agent_id_number": agent.id_number, "matters": [matter.pk], "starts_on": "2026-11-26",
            "ends_on": "2027-05-25", "letter_checked": "1"}
    bad = client.post("/hall/agents/", {**body, "ends_on": "明年", "note": "备" * 201})
    page = bad.content.decode()
    assert bad.status_code == 400 and "请填写有效的日期" in page and "委托说明不能超过200个字" in page
    assert 'value="王芳"' in page and f'value="{matter.pk}" checked' in page
    assert not AgentAuthorisation.objects.exists()
    assert client.post("/hall/agents/", body).status_code == 302
    assert AgentAuthorisation.objects.get().agent == agent
