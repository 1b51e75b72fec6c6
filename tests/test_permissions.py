"""One table of (role, method, url, expected status) over every API endpoint, refusals first.

A fresh district is built for every row: a citizen's application waiting at the window and one
accepted and in review, a clerk seated at a natural-person window, reviewers of the matter's
department and of another, a supervisor. 404 means "you may not even know it exists".
"""

import json

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
    files_for,
    form_for,
    submitted_application,
)
from workflow.calendar_store import seed_calendar

ROLES = ["anonymous", "owner", "other_citizen", "clerk", "reviewer", "other_reviewer", "supervisor"]


@pytest.fixture
def world(db):
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
    return {"users": users, "matter": matter, "waiting": waiting, "in_review": in_review,
            "subcase": in_review.subcases.get()}


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
    ("get", "/api/supervision/dashboard/", None, [401, 403, 403, 403, 403, 403, 200]),
    ("get", "/api/supervision/figures/?period=year&group_by=matter", None, [401, 403, 403, 403, 403, 403, 200]),
    ("get", "/api/supervision/live-cards/?after=0", None, [401, 403, 403, 403, 403, 403, 200]),
    ("get", "/api/cards/", None, [401, 403, 403, 200, 200, 200, 200]),
    ("get", "/api/cards/?state=all&level=red&trigger=decision", None, [401, 403, 403, 200, 200, 200, 200]),
    ("post", "/api/windows/walk-ins/", "walk_in", [401, 403, 403, 201, 403, 403, 403]),
    ("get", "/api/accounts/me/", None, [401, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/matters/", None, [200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/matters/?q=yyzz&target=legal&level=district&theme=kaiban-qiye", None, [200] * 7),
    ("get", "/api/matters/{matter}/", None, [200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/themes/", None, [200, 200, 200, 200, 200, 200, 200]),
    ("get", "/api/calendar/deadline?start=2026-09-30&days=5", None, [200, 200, 200, 200, 200, 200, 200]),
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
    url = url.format(waiting=world["waiting"].number, in_review=world["in_review"].number,
                     subcase=world["subcase"].number, matter=world["matter"].code)
    data = walk_in_body(world) if body == "walk_in" else body
    response = getattr(client, method)(url, data=data, format="json") if method == "post" else client.get(url)
    assert response.status_code == expected, response.content.decode()[:300]
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
