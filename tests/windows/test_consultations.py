"""首问责任 consultations: the recorder owns the answer until it is answered or handed over;
hand-overs are recorded; a closed consultation is frozen; supervisors read and change nothing;
citizens read their own; the answer is due in working days (across the National Day holiday)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from core.errors import Conflict, Forbidden, Invalid
from tests.factories import ClerkFactory, ReviewerFactory, SupervisorFactory, UserFactory, valid_id_number
from windows import services
from windows.models import Consultation, ConsultationEvent
from windows.selectors import consultation_worklist, consultations_for
from workflow.calendar_store import seed_calendar

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def at(time_machine):
    """Move the consultations' clock to a Beijing date and time."""

    def move(day: dt.date, hour=10):
        moment = dt.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)
        time_machine.move_to(moment, tick=False)

    return move


@pytest.fixture
def people(db):
    seed_calendar(years=[2026])
    return {"clerk": ClerkFactory(real_name="周晓红"), "reviewer": ReviewerFactory(real_name="何国强"),
            "other": ClerkFactory(real_name="黄丽娟"), "supervisor": SupervisorFactory(),
            "citizen": UserFactory(real_name="陈志明"), "stranger": UserFactory()}


def open_one(people, *, staff=None, channel=Consultation.Channel.WINDOW, **kwargs):
    return services.consultation_open(
        staff=staff or people["clerk"], channel=channel, topic="新生儿落户", question="新生儿落户需要带哪些材料?",
        asker_name=kwargs.pop("asker_name", "陈志明"), asker_phone="13922223333", **kwargs)


def test_the_recorder_owns_it_and_the_citizen_is_linked_by_id_number(people):
    consultation = open_one(people, asker_id_number=people["citizen"].id_number)
    assert consultation.owner == consultation.recorded_by == people["clerk"]
    assert consultation.asker == people["citizen"] and consultation.number.startswith("441803-2026-ZX-")
    assert consultation.hall == people["clerk"].seats.get().window.hall  # the clerk's hall today
    assert list(consultation.events.values_list("action", flat=True)) == ["opened"]


def test_bad_input_changes_nothing(people):
    with pytest.raises(Invalid) as exc:
        services.consultation_open(staff=people["clerk"], channel="phone", topic="", question=" ", asker_name="",
                                   asker_id_number="441803199003070000")
    assert set(exc.value.fields) == {"topic", "question", "asker_name", "asker_id_number", "asker_phone"}
    with pytest.raises(Invalid):  # a registered ID number with another name
        open_one(people, asker_name="陈志强", asker_id_number=people["citizen"].id_number)
    assert not Consultation.objects.exists()


def test_only_the_owner_answers_or_hands_over(people):
    consultation = open_one(people)
    for someone in (people["other"], people["reviewer"]):
        with pytest.raises(Forbidden):
            services.consultation_answer(consultation=consultation, staff=someone, answer="请带出生医学证明")
        with pytest.raises(Forbidden):
            services.consultation_hand_over(consultation=consultation, staff=someone, to=people["other"], reason="x")
    assert Consultation.objects.get().owner == people["clerk"]
    assert ConsultationEvent.objects.count() == 1


def test_hand_over_moves_ownership_at_once_and_is_recorded(people):
    consultation = open_one(people)
    with pytest.raises(Invalid):
        services.consultation_hand_over(consultation=consultation, staff=people["clerk"], to=people["reviewer"], reason="")
    with pytest.raises(Invalid):
        services.consultation_hand_over(consultation=consultation, staff=people["clerk"], to=people["clerk"], reason="x")
    with pytest.raises(Invalid):  # not staff
        services.consultation_hand_over(consultation=consultation, staff=people["clerk"], to=people["citizen"], reason="x")
    services.consultation_hand_over(consultation=consultation, staff=people["clerk"], to=people["reviewer"],
                                    reason="涉及户籍政策,请公安分局答复")
    consultation.refresh_from_db()
    assert consultation.owner == people["reviewer"] and consultation.recorded_by == people["clerk"]
    event = consultation.events.get(action="handed_over")
    assert (event.actor, event.from_owner, event.to_owner, event.note) == (
        people["clerk"], people["clerk"], people["reviewer"], "涉及户籍政策,请公安分局答复")
    # the previous owner may no longer act, but still reads it; the receiver sees it in their list
    with pytest.raises(Forbidden):
        services.consultation_answer(consultation=consultation, staff=people["clerk"], answer="x")
    assert consultations_for(people["clerk"]).filter(pk=consultation.pk).exists()
    assert consultations_for(people["reviewer"]).filter(owner=people["reviewer"]).get() == consultation
    assert not consultations_for(people["other"]).exists()
    services.consultation_answer(consultation=consultation, staff=people["reviewer"], answer="请携带出生医学证明和户口簿")
    assert Consultation.objects.get().state == Consultation.State.ANSWERED


def test_a_closed_consultation_cannot_change(people):
    consultation = open_one(people)
    with pytest.raises(Invalid):
        services.consultation_answer(consultation=consultation, staff=people["clerk"], answer="  ")
    services.consultation_answer(consultation=consultation, staff=people["clerk"], answer="请携带出生医学证明")
    with pytest.raises(Conflict):
        services.consultation_answer(consultation=consultation, staff=people["clerk"], answer="改一下")
    with pytest.raises(Conflict):
        services.consultation_hand_over(consultation=consultation, staff=people["clerk"], to=people["other"], reason="x")
    consultation.refresh_from_db()
    assert consultation.answer == "请携带出生医学证明" and consultation.answered_by == people["clerk"]
    assert list(consultation.events.values_list("action", flat=True)) == ["opened", "answered"]
    with pytest.raises(ValueError):  # the history is append-only
        consultation.events.first().save()


def test_supervisor_reads_everything_and_writes_nothing(people):
    consultation = open_one(people)
    assert consultations_for(people["supervisor"]).get() == consultation
    with pytest.raises(Forbidden):
        open_one(people, staff=people["supervisor"])
    with pytest.raises(Forbidden):
        services.consultation_answer(consultation=consultation, staff=people["supervisor"], answer="x")
    with pytest.raises(Forbidden):
        services.consultation_hand_over(consultation=consultation, staff=people["supervisor"], to=people["other"], reason="x")
    with pytest.raises(Forbidden):
        open_one(people, staff=people["citizen"])
    assert Consultation.objects.get().owner == people["clerk"] and ConsultationEvent.objects.count() == 1


def test_citizen_sees_only_theirs(people, client):
    mine = open_one(people, asker_id_number=people["citizen"].id_number)
    services.consultation_answer(consultation=mine, staff=people["clerk"], answer="请携带出生医学证明和户口簿")
    theirs = open_one(people, asker_name="李明华", asker_id_number=valid_id_number())
    assert list(consultations_for(people["citizen"])) == [mine]
    assert not consultations_for(people["stranger"]).exists()
    client.force_login(people["citizen"])
    page = client.get("/consultations/").content.decode()
    assert mine.number in page and theirs.number not in page
    page = client.get(f"/consultations/{mine.number}/").content.decode()
    assert "请携带出生医学证明和户口簿" in page and 'name="answer"' not in page
    assert client.get(f"/consultations/{theirs.number}/").status_code == 404


def test_due_in_working_days_across_the_national_day_holiday(people, at):
    at(dt.date(2026, 9, 30))  # Wednesday; 1–7 October are the National Day holiday
    window = open_one(people)
    online = open_one(people, channel=Consultation.Channel.ONLINE)
    assert window.due_on == dt.date(2026, 10, 8)  # one working day: the first after the holiday
    assert online.due_on == dt.date(2026, 10, 10)  # three: 8, 9 and the make-up Saturday 10 October
    assert not window.is_overdue(dt.date(2026, 10, 7)) and not window.is_overdue(dt.date(2026, 10, 8))
    assert window.is_overdue(dt.date(2026, 10, 9))
    open_, done = consultation_worklist(Consultation.objects.all(), today=dt.date(2026, 10, 9))
    assert [c.overdue for c in open_] == [True, False] and done == []


def test_my_list_puts_overdue_first_in_red(people, at, client):
    at(dt.date(2026, 1, 5))
    late = open_one(people)
    at(dt.date(2026, 12, 30))
    fresh = open_one(people, asker_name="李明华")
    client.force_login(people["clerk"])
    page = client.get("/consultations/").content.decode()
    assert page.index(late.number) < page.index(fresh.number)
    row = page[page.rindex("<tr", 0, page.index(late.number)):page.index(late.number)]
    assert "row-red" in row and "已逾期" in page
    assert "1 件咨询已超过答复期限" in page
    hall = client.get("/hall/").content.decode()  # the workbench says so too
    assert "我的咨询 2" in hall and "逾期 1" in hall


def test_pages_record_hand_over_and_answer(people, client):
    client.force_login(people["clerk"])
    response = client.post("/consultations/new/", {"channel": "phone", "asker_name": "陈志明", "asker_phone": "",
                                                    "topic": "社保卡", "question": "新生儿社保卡多久能领?"})
    assert response.status_code == 400 and "电话咨询须留联系电话" in response.content.decode()
    response = client.post("/consultations/new/", {"channel": "phone", "asker_name": "陈志明", "asker_phone": "13922223333",
                                                    "topic": "社保卡", "question": "新生儿社保卡多久能领?"})
    consultation = Consultation.objects.get()
    assert response["Location"] == f"/consultations/{consultation.number}/"
    page = client.get(response["Location"]).content.decode()
    assert "13922223333" in page and 'name="answer"' in page  # the owner calls back
    response = client.post(f"/consultations/{consultation.number}/handover/",
                           {"to": people["reviewer"].pk, "reason": "请人社局答复"})
    assert response.status_code == 302
    page = client.get(f"/consultations/{consultation.number}/").content.decode()
    assert "139****3333" in page and 'name="answer"' not in page and "请人社局答复" in page
    client.force_login(people["reviewer"])
    assert consultation.number in client.get("/consultations/").content.decode()
    response = client.post(f"/consultations/{consultation.number}/answer/", {"answer": "约 10 个工作日,短信通知领取"})
    assert response.status_code == 302
    assert Consultation.objects.get().state == Consultation.State.ANSWERED


def test_api_create_handover_answer(people):
    api = APIClient()
    api.force_authenticate(people["clerk"])
    response = api.post("/api/consultations/", {"channel": "window", "asker_name": "陈志明", "topic": "新生儿落户",
                                                "question": "需要哪些材料?", "asker_id_number": people["citizen"].id_number},
                        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == people["clerk"].username and body["asker_id_number"].count("*") == 10
    number = body["number"]
    response = api.post(f"/api/consultations/{number}/handover/", {"to": people["reviewer"].username, "reason": "户籍政策"},
                        format="json")
    assert response.status_code == 200 and response.json()["owner"] == people["reviewer"].username
    assert api.post(f"/api/consultations/{number}/answer/", {"answer": "x"}, format="json").status_code == 403
    api.force_authenticate(people["reviewer"])
    response = api.post(f"/api/consultations/{number}/answer/", {"answer": "请携带出生医学证明"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "answered"
    assert [e["action"] for e in response.json()["events"]] == ["opened", "handed_over", "answered"]
    api.force_authenticate(people["citizen"])
    listing = api.get("/api/consultations/").json()
    assert [c["number"] for c in listing["results"]] == [number]
