"""One table of (role, method, url, expected status) over every API endpoint, refusals first.

Every row finds the same district: a citizen's application waiting at the window and one accepted
and in review, a clerk seated at a natural-person window, reviewers of the matter's department and
of another, a supervisor. It is built once per module and worker (tests/conftest.py `module_db`);
each row runs in a savepoint inside it, so what one row changes is gone for the next, and each
reads fresh copies of its rows. 404 means "you may not even know it exists".
"""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.db.models import Model
from django.utils import timezone
from rest_framework.test import APIClient

from exchange import services as exchange_services
from supervision.feedback import complaints, ratings
from tests.factories import (
    AppointmentSlotFactory,
    ClerkFactory,
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
    agent_for,
    concluded_application,
    files_for,
    form_for,
    submitted_application,
)
from windows import queue_services
from windows import services as window_services
from windows.models import Consultation
from workflow.calendar_store import seed_calendar

ROLES = ["anonymous", "owner", "other_citizen", "clerk", "reviewer", "other_reviewer", "supervisor"]


@pytest.fixture(scope="module")
def district(module_db):
    seed_calendar(years=[2026])
    matter = MatterFactory()
    owner = UserFactory()
    users = {
        "anonymous": None,
        "owner": owner,
        "other_citizen": UserFactory(),
        "clerk": ClerkFactory(),
        "reviewer": ReviewerFactory(department=matter.department),
        "other_reviewer": ReviewerFactory(department=DepartmentFactory()),
        "supervisor": SupervisorFactory(),
    }
    waiting = submitted_application(applicant=owner, matters=[matter])
    in_review = accepted_application(applicant=owner, matters=[matter], clerk=users["clerk"])
    # the clerk's hall: a number waiting, a slot starting in a minute booked by the owner, one tomorrow
    hall = users["clerk"].seats.get().window.hall
    ticket = queue_services.ticket_take(hall=hall, category="natural")
    soon = timezone.now() + dt.timedelta(minutes=1)
    booking = queue_services.appointment_book(user=owner, slot=AppointmentSlotFactory(
        hall=hall, date=timezone.localdate(soon), starts_at=soon, ends_at=soon + dt.timedelta(hours=1)))
    consultation = window_services.consultation_open(
        staff=users["clerk"], channel=Consultation.Channel.PHONE, topic="新生儿落户", question="需要带哪些材料?",
        asker_name=owner.real_name, asker_phone="13922223333", asker_id_number=owner.id_number,
    )
    agent = UserFactory(real_name="张伟")
    return {"users": users, "matter": matter, "waiting": waiting, "in_review": in_review,
            "subcase": in_review.subcases.get(), "hall": hall.code, "ticket": ticket.token, "booking": booking.code,
            "slot": AppointmentSlotFactory(hall=hall).pk, "agent": agent,
            "grant": agent_for(owner, [matter], agent=agent), "consultation": consultation}


def _fresh(value):
    """A row read again: a row's transitions change the objects they are given in memory, and the
    database goes back to the district after each row."""
    return type(value)._default_manager.get(pk=value.pk) if isinstance(value, Model) else value


@pytest.fixture
def world(district, db):
    # the licence verification, anonymous complaints and wrong query codes count failures per
    # address in the cache
    cache.clear()
    world = {key: _fresh(value) for key, value in district.items()}
    world["users"] = {role: _fresh(user) for role, user in district["users"].items()}
    world["feedback"] = _Feedback(world["matter"], world["users"]["owner"], world["users"]["clerk"])
    return world


def grant_body(world):
    agent = world["agent"]
    return {"agent_name": agent.real_name, "agent_id_number": agent.id_number, "matters": [world["matter"].code],
            "starts_on": "2026-11-01", "ends_on": "2027-10-31"}


def licence_of(world):
    """An e-licence held by the owner, issued by the matter's department (made only for the rows
    that name it: it renders a PDF)."""
    if "licence" not in world:
        owner = world["users"]["owner"]
        world["licence"], _created = exchange_services.licence_issue(
            case_ref=world["subcase"].number, application_number=world["in_review"].number, matter=world["matter"],
            department=world["matter"].department, name="食品经营许可证", holder_name=owner.real_name,
            holder_id_number=owner.id_number, holder_user=owner,
        )
    return world["licence"]


class _Feedback(dict):
    """好差评 and 投诉举报, made only when a row's url names them: a concluded case with a bad
    rating (its follow-up is the department's), another case's unused rating link, and the
    owner's complaint to the department."""

    def __init__(self, matter, owner, clerk):
        super().__init__()
        self.matter, self.owner, self.clerk = matter, owner, clerk

    def __missing__(self, key):
        if key == "followup":
            rated = concluded_application(applicant=self.owner, matters=[self.matter], clerk=self.clerk)
            token = ratings.rating_token_issue(application=rated, occasion="decision")
            self[key] = ratings.rating_submit(token=token, level=2).followup.pk
        elif key == "link":
            case = concluded_application(applicant=self.owner, matters=[self.matter])
            self[key] = ratings.rating_token_issue(application=case, occasion="decision").token
        elif key in ("complaint", "code"):
            complaint = complaints.complaint_submit(user=self.owner, department_id=self.matter.department_id,
                                                    subject="办事难", content="窗口工作人员要求重复提交同一份材料。")
            self.update(complaint=complaint.pk, code=complaint.code)
        return dict.__getitem__(self, key)


def walk_in_body(world):
    matter = world["matter"]
    person = UserFactory.build()
    return {"applicant": {"real_name": "王秀英", "id_number": person.id_number, "phone": "13712345678"},
            "matters": [matter.code], "form_data": form_for([matter], person),
            "received": [r.pk for r in matter.materials.all()], "accept": True}


# (method, url, body, expected status per role in ROLES order)
CASES = [
    ("get", "/api/applications/", None, [401, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/applications/{waiting}/", None, [401, 200, 404, 200, 404, 404, 200]),
    ("get", "/api/applications/{in_review}/", None, [401, 200, 404, 200, 200, 404, 200]),
    ("post", "/api/applications/{waiting}/accept/", {}, [401, 403, 404, 200, 404, 404, 403]),
    ("post", "/api/applications/{waiting}/refuse/", {"reason": "不属于本区管辖"}, [401, 403, 404, 200, 404, 404, 403]),
    ("post", "/api/applications/{waiting}/request-supplement/", {"items": [{"material": "申请表", "reason": "未签字"}]},
     [401, 403, 404, 200, 404, 404, 403]),
    ("post", "/api/applications/{waiting}/allow-repeat-supplement/", {"reason": "原件与扫描件不一致"},
     [401, 403, 404, 403, 404, 404, 200]),
    ("post", "/api/applications/{waiting}/withdraw/", {"reason": "不办了"}, [401, 200, 404, 403, 404, 404, 403]),
    ("post", "/api/applications/{in_review}/deliver/", {"id_number": "x"}, [401, 403, 404, 409, 403, 404, 403]),
    ("get", "/api/subcases/", None, [401, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/subcases/{subcase}/", None, [401, 200, 404, 200, 200, 404, 200]),
    ("post", "/api/subcases/{subcase}/start/", {}, [401, 403, 404, 403, 200, 404, 403]),
    ("post", "/api/subcases/{subcase}/approve/", {}, [401, 403, 404, 403, 200, 404, 403]),
    ("post", "/api/subcases/{subcase}/deny/", {"reason": "不符合条件"}, [401, 403, 404, 403, 200, 404, 403]),
    ("post", "/api/subcases/{subcase}/suspend/", {"kind": "hearing", "reason": "申请听证"},
     [401, 403, 404, 403, 200, 404, 403]),
    ("post", "/api/subcases/{subcase}/resume/", {}, [401, 403, 404, 403, 409, 404, 403]),
    ("post", "/api/subcases/{subcase}/request-extension/", {"days": 3, "reason": "情况复杂"},
     [401, 403, 404, 403, 200, 404, 403]),
    ("post", "/api/subcases/{subcase}/decide-extension/", {"approve": True}, [401, 403, 404, 403, 403, 404, 403]),
    # result delivery: the applicant's choice, posting by the delivery window
    ("post", "/api/applications/{waiting}/delivery/", {"method": "post", "recipient": "陈志明", "phone": "13826651024",
                                                       "address": "清远市清新区太和镇玄真路8号"},
     [401, 200, 404, 403, 404, 404, 403]),
    ("post", "/api/applications/{waiting}/delivery/", {"method": "electronic"}, [401, 400, 404, 403, 404, 404, 403]),
    ("post", "/api/applications/{in_review}/post/", {"carrier": "中国邮政EMS", "tracking_number": "1186543210975"},
     [401, 403, 404, 409, 403, 404, 403]),
    # electronic licences: the holder's, the issuing department's, the supervisor's; verification is public
    ("get", "/api/licences/", None, [401, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/licences/{licence}/", None, [401, 200, 404, 404, 200, 404, 200]),
    ("get", "/api/licences/{licence}/file/", None, [401, 200, 404, 404, 200, 404, 200]),
    ("get", "/api/licences/verify/?number={licence}&code={code}", None, [200] * 7),
    ("get", "/api/licences/verify/?number={licence}&code=0000000000000000", None, [404] * 7),
    ("get", "/api/licences/verify/?number={licence}&code=12", None, [400] * 7),
    ("get", "/api/disclosure/applications/", None, [200] * 7),
    ("get", "/api/disclosure/applications/?state=accepted&department=1&received_from=2026-01-01", None, [200] * 7),
    ("get", "/api/disclosure/applications/?received_to=tomorrow", None, [400] * 7),
    ("get", "/api/supervision/figures/?period=year&group_by=matter", None, [401, 403, 403, 403, 403, 403, 200]),
    ("get", "/api/supervision/live-cards/?after=0", None, [401, 403, 403, 403, 403, 403, 200]),
    ("get", "/api/cards/", None, [401, 403, 403, 200, 200, 200, 200]),
    ("get", "/api/cards/?state=all&level=red&trigger=decision", None, [401, 403, 403, 200, 200, 200, 200]),
    ("post", "/api/windows/walk-ins/", "walk_in", [401, 403, 403, 201, 403, 403, 403]),
    # the queue: numbers for anyone, calling for clerks seated in the hall
    ("post", "/api/queue/tickets/", "take_ticket", [201] * 7),
    ("get", "/api/queue/tickets/{ticket}/", None, [200] * 7),
    ("get", "/api/queue/tickets/00000000-0000-0000-0000-000000000000/", None, [404] * 7),
    ("post", "/api/queue/call-next/", {}, [401, 403, 403, 200, 403, 403, 403]),
    ("post", "/api/queue/tickets/{ticket}/recall/", {}, [401, 403, 403, 409, 403, 403, 403]),
    ("post", "/api/queue/tickets/{ticket}/serve/", {}, [401, 403, 403, 409, 403, 403, 403]),
    ("post", "/api/queue/tickets/{ticket}/no-show/", {}, [401, 403, 403, 409, 403, 403, 403]),
    ("post", "/api/queue/check-in/", "check_in", [201] * 7),  # the booking code is the credential
    ("get", "/api/queue/halls/{hall}/screen/", None, [200] * 7),
    ("get", "/api/queue/halls/NO-SUCH-HALL/screen/", None, [404] * 7),
    # appointments
    ("get", "/api/appointments/slots/?hall={hall}&category=natural", None, [200] * 7),
    ("get", "/api/appointments/", None, [401, 200, 200, 200, 200, 200, 200]),
    ("post", "/api/appointments/", "book", [401, 201, 201, 403, 403, 403, 403]),
    ("post", "/api/appointments/{booking}/cancel/", {}, [401, 200, 404, 404, 404, 404, 404]),
    # 首问责任 consultations: staff record and own; supervisors read; the asker reads theirs
    ("get", "/api/consultations/", None, [401, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/consultations/{consultation}/", None, [401, 200, 404, 200, 404, 404, 200]),
    ("post", "/api/consultations/", {"channel": "window", "asker_name": "王秀英", "topic": "营业执照",
                                     "question": "个体户营业执照可以网上办吗?"}, [401, 403, 403, 201, 201, 201, 403]),
    ("post", "/api/consultations/{consultation}/handover/", "handover", [401, 403, 404, 200, 404, 404, 403]),
    ("post", "/api/consultations/{consultation}/answer/", {"answer": "请携带出生医学证明"},
     [401, 403, 404, 200, 404, 404, 403]),
    # 好差评: the link is the key; staff lists narrowed by role; the rated department acts on its follow-up
    ("get", "/api/rating-links/{link}/", None, [200] * 7),
    ("get", "/api/rating-links/NoSuchLinkNoSuchLinkNoSuch/", None, [404] * 7),
    ("post", "/api/rating-links/{link}/rate/", {"level": 5}, [201] * 7),
    ("post", "/api/rating-links/{link}/rate/", {"level": 6}, [400] * 7),
    ("get", "/api/ratings/", None, [401, 403, 403, 200, 200, 200, 200]),
    ("get", "/api/ratings/?level=2&occasion=decision&start=2026-01-01&valid=1", None, [401, 403, 403, 200, 200, 200, 200]),
    ("get", "/api/ratings/distribution/?by=clerk", None, [401, 403, 403, 403, 403, 403, 200]),
    ("get", "/api/ratings/distribution/?by=matter", None, [401, 403, 403, 403, 403, 403, 400]),
    ("get", "/api/followups/", None, [401, 403, 403, 200, 200, 200, 200]),
    ("get", "/api/followups/{followup}/", None, [401, 403, 403, 404, 200, 404, 200]),
    ("post", "/api/followups/{followup}/call-back/", {"method": "phone", "summary": "已电话回访,群众表示理解"},
     [401, 403, 403, 404, 200, 404, 403]),
    ("post", "/api/followups/{followup}/close/", {"reply": "已整改"}, [401, 403, 403, 404, 409, 404, 403]),
    ("post", "/api/followups/{followup}/appeal/", {"kind": "mistaken", "statement": "申请人误点"},
     [401, 403, 403, 404, 200, 404, 403]),
    ("post", "/api/followups/{followup}/decide-appeal/", {"accept": True, "reason": "成立"},
     [401, 403, 403, 404, 403, 404, 404]),
    # 投诉举报: anyone files one; the department replies; supervisors close; the code is the complainant's key
    ("post", "/api/complaints/", {"subject": "办事难", "content": "窗口工作人员要求重复提交同一份材料。"}, [201] * 7),
    ("post", "/api/complaints/", {"subject": "", "content": "太慢"}, [400] * 7),
    ("get", "/api/complaints/", None, [401, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/complaints/{complaint}/", None, [401, 200, 404, 404, 200, 404, 200]),
    ("post", "/api/complaints/{complaint}/reply/", {"reply": "已核实处理"}, [401, 403, 404, 404, 200, 404, 403]),
    ("post", "/api/complaints/{complaint}/route/", {"department": 1}, [401, 403, 404, 404, 403, 404, 409]),
    ("post", "/api/complaints/{complaint}/close/", {"note": "督查办结"}, [401, 403, 404, 404, 403, 404, 200]),
    ("get", "/api/complaints/by-code/{code}/", None, [200] * 7),
    ("get", "/api/complaints/by-code/ABCDEFGHJKLM/", None, [404] * 7),
    ("post", "/api/complaints/by-code/{code}/accept/", {}, [409] * 7),
    ("post", "/api/complaints/by-code/{code}/escalate/", {"reason": "不满意"}, [409] * 7),
    ("get", "/api/accounts/me/", None, [401, 200, 200, 200, 200, 200, 200]),
    # 委托代办: principals and agents; a clerk looks up the two people at the window, records a
    # 委托 only with the principal present (400 here: no principal given) and a revocation brought in
    ("get", "/api/authorisations/", None, [401, 200, 200, 200, 403, 403, 403]),
    ("post", "/api/authorisations/", "grant", [401, 201, 201, 400, 403, 403, 403]),
    ("post", "/api/authorisations/{grant}/revoke/", {"reason": "改由本人办理"}, [401, 200, 404, 200, 403, 403, 403]),
    ("get", "/api/matters/", None, [200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/matters/?q=yyzz&target=legal&level=district&theme=kaiban-qiye", None, [200] * 7),
    ("get", "/api/matters/{matter}/", None, [200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/themes/", None, [200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/calendar/deadline?start=2026-09-30&days=5", None, [200, 200, 200, 200, 200, 200, 200]),
    # 中介超市: the directory and the demands are public; bidding needs an intermediary's staff
    ("get", "/api/market/intermediaries/", None, [200] * 7),
    ("get", "/api/market/demands/?state=open", None, [200] * 7),
    ("get", "/api/market/demands/ZJ2026999999/", None, [404] * 7),
    ("post", "/api/market/demands/ZJ2026999999/bids/", {"intermediary": 1, "price_fen": 100, "days": 5},
     [401, 404, 404, 404, 404, 404, 404]),
    ("get", "/api/schema/?format=json", None, [200, 200, 200, 200, 200, 200, 200]),
]


def _rows():
    for method, url, body, statuses in CASES:
        for role, expected in zip(ROLES, statuses):
            yield pytest.param(role, method, url, body, expected, id=f"{role}-{method}-{url}")


@pytest.mark.parametrize("role,method,url,body,expected", sorted(_rows(), key=lambda p: p.values[4] < 400))
def test_permission_matrix(world, role, method, url, body, expected):
    client = APIClient()
    if world["users"][role] is not None:
        client.force_authenticate(world["users"][role])
    names = world["feedback"]  # made on demand (format_map asks it for the names it lacks)
    names.update(waiting=world["waiting"].number, in_review=world["in_review"].number,
                 subcase=world["subcase"].number, matter=world["matter"].code, hall=world["hall"],
                 ticket=world["ticket"], booking=world["booking"], grant=world["grant"].pk,
                 consultation=world["consultation"].number)
    if "{licence}" in url:
        names.update(licence=licence_of(world).number, code=licence_of(world).verification_code)
    url = url.format_map(names)
    bodies = {
        "walk_in": lambda: walk_in_body(world),
        "grant": lambda: grant_body(world),
        "take_ticket": lambda: {"hall": world["hall"], "category": "natural"},
        "check_in": lambda: {"hall": world["hall"], "code": world["booking"]},
        "book": lambda: {"slot": world["slot"]},
        "handover": lambda: {"to": world["users"]["reviewer"].username, "reason": "涉及部门政策"},
    }
    data = bodies[body]() if isinstance(body, str) else body
    before = sorted(Consultation.objects.values_list("number", "state", "owner_id"))
    response = getattr(client, method)(url, data=data, format="json") if method == "post" else client.get(url)
    assert response.status_code == expected, response.content.decode()[:300]
    if expected >= 400 or world["users"][role] is None or world["users"][role].is_supervisor:
        # a refusal, or anything a supervisor does, leaves the consultations as they were
        assert sorted(Consultation.objects.values_list("number", "state", "owner_id")) == before
    if expected >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "fields"}
        assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])  # a Chinese sentence


def test_online_submission_is_for_citizens_only(world):
    matter = world["matter"]
    for role, expected in [("owner", 201), ("clerk", 403), ("reviewer", 403), ("supervisor", 403)]:
        client = APIClient()
        user = world["users"][role]
        client.force_authenticate(user)
        payload = {"matters": matter.code, "form_data": json.dumps(form_for([matter], user)), **files_for([matter])}
        response = client.post("/api/applications/", data=payload, format="multipart")
        assert response.status_code == expected, (role, response.content[:300])
