"""API contracts: token auth, idempotent submission, the error shape, the schema."""

import json
import re

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, ClerkFactory, MatterFactory, ReviewerFactory, UserFactory, files_for, form_for
from workflow import tasks
from workflow.calendar_store import seed_calendar
from workflow.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])


def token_client(user):
    client = APIClient()
    response = client.post("/api/auth/token/", {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["user"]["role"] == user.role
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_wrong_password_gets_a_chinese_error():
    user = UserFactory()
    response = APIClient().post("/api/auth/token/", {"username": user.username, "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_credentials", "message": "用户名或密码不正确。", "fields": {}}


def submit(client, matter, user, key=None):
    payload = {"matters": matter.code, "form_data": json.dumps(form_for([matter], user)), **files_for([matter])}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/applications/", data=payload, format="multipart", **headers)


def test_retried_post_with_same_key_returns_first_answer():
    citizen, matter = UserFactory(), MatterFactory()
    client = token_client(citizen)
    first = submit(client, matter, citizen, key="abc-123")
    again = submit(client, matter, citizen, key="abc-123")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Application.objects.count() == 1
    other = submit(client, matter, citizen, key="abc-124")
    assert other.json()["number"] != first.json()["number"]


def test_invalid_form_is_400_with_fields_and_changes_nothing():
    citizen, matter = UserFactory(), MatterFactory()
    client = token_client(citizen)
    response = client.post("/api/applications/", data={"matters": matter.code, "form_data": "{}"}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_form"
    assert body["fields"]["applicant_name"] == ["此项为必填项。"]
    assert Application.objects.count() == 0


def test_unknown_matter_and_bad_json():
    citizen = UserFactory()
    client = token_client(citizen)
    response = client.post("/api/applications/", data={"matters": "NOPE", "form_data": "{}"}, format="multipart")
    assert response.status_code == 400 and response.json()["code"] == "matter_not_found"
    response = client.post("/api/applications/", data={"matters": "NOPE", "form_data": "{oops"}, format="multipart")
    assert response.status_code == 400 and "form_data" in response.json()["fields"]


def test_full_lifecycle_over_the_api():
    citizen, matter = UserFactory(), MatterFactory()
    clerk, reviewer = ClerkFactory(), ReviewerFactory(department=matter.department)
    number = submit(token_client(citizen), matter, citizen).json()["number"]

    detail = token_client(clerk).post(f"/api/applications/{number}/accept/").json()
    assert detail["state"] == "accepted"
    subcase = detail["subcases"][0]["number"]
    assert detail["applicant_id_number"].count("*") == 10
    tasks.dispatch_subcases(Application.objects.get(number=number).pk)
    tasks.generate_notice(Application.objects.get(number=number).pk, "acceptance")

    reviewer_client = token_client(reviewer)
    seen = reviewer_client.get(f"/api/subcases/{subcase}/").json()
    assert {f["label"] for f in seen["form"]} == {"申请人姓名", "联系电话"}
    assert reviewer_client.post(f"/api/subcases/{subcase}/approve/", {"reason": ""}, format="json").status_code == 200
    again = reviewer_client.post(f"/api/subcases/{subcase}/approve/", {"reason": ""}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "state_conflict"

    tasks.prepare_result(Application.objects.get(number=number).pk)
    delivered = token_client(clerk).post(f"/api/applications/{number}/deliver/", {"id_number": citizen.id_number}, format="json")
    assert delivered.json()["state"] == "delivered"

    mine = token_client(citizen).get(f"/api/applications/{number}/").json()
    actions = [row["action"] for row in mine["log"]]
    assert actions == [
        "workflow.application.submitted", "workflow.application.accepted", "workflow.application.dispatched",
        "workflow.subcase.approved", "workflow.application.concluded", "workflow.application.result_ready",
        "workflow.application.delivered",
    ]
    kinds = {n["kind"]: n["url"] for n in mine["notices"]}
    assert set(kinds) == {"acceptance", "conclusion"}
    pdf = token_client(citizen).get(kinds["acceptance"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert token_client(UserFactory()).get(kinds["acceptance"]).status_code == 404


def test_list_pages_with_cursors():
    citizen = UserFactory()
    matter = MatterFactory()
    client = token_client(citizen)
    for i in range(3):
        submit(client, matter, citizen, key=f"k{i}")
    page = client.get("/api/applications/?page_size=2").json()
    assert len(page["results"]) == 2 and "cursor=" in page["next"]
    rest = client.get(page["next"]).json()
    assert len(rest["results"]) == 1


def test_schema_and_docs_are_served_without_outside_hosts():
    client = APIClient()
    schema = client.get("/api/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    for path in ["/api/applications/", "/api/applications/{number}/accept/", "/api/subcases/{number}/approve/",
                 "/api/calendar/deadline", "/api/calendar/workdays", "/api/auth/token/"]:
        assert path in schema["paths"], path
    docs = client.get("/api/docs/").content.decode()
    assert not re.search(r"""(src|href)=["']https?://""", docs)


def test_reviewer_sees_only_own_departments_fields_and_materials_of_a_theme():
    from matters.models import MaterialRequirement
    from tests.factories import EnterpriseFactory, theme_with

    shared = {"key": "company_name", "label": "企业名称"}
    m1 = MatterFactory(target="legal", fields=[shared, {"key": "seal_count", "label": "刻制印章枚数", "type": "number"}],
                       materials=[{"name": "印章样式", "source": MaterialRequirement.Source.APPLICANT}])
    m2 = MatterFactory(target="legal", fields=[shared, {"key": "insured_count", "label": "参保人数", "type": "number"}],
                       materials=[{"name": "劳动合同", "source": MaterialRequirement.Source.APPLICANT}])
    theme = theme_with([m1, m2])
    staff = UserFactory()
    enterprise = EnterpriseFactory(staff=[staff])
    client = token_client(staff)
    payload = {"theme": theme.code, "enterprise": enterprise.credit_code,
               "form_data": json.dumps({"company_name": "清远市清新区禾云山茶业有限公司", "seal_count": "3", "insured_count": "12"}),
               **files_for([m1, m2])}
    created = client.post("/api/applications/", data=payload, format="multipart")
    assert created.status_code == 201, created.content
    form = created.json()["form"]
    assert [row["label"] for row in form] == ["企业名称", "刻制印章枚数", "参保人数"]  # asked once

    number = created.json()["number"]
    token_client(ClerkFactory(window__category="legal")).post(f"/api/applications/{number}/accept/")
    reviewer = token_client(ReviewerFactory(department=m2.department))
    seen = reviewer.get(f"/api/applications/{number}/").json()
    assert [row["label"] for row in seen["form"]] == ["企业名称", "参保人数"]
    assert [m["name"] for m in seen["materials"]] == ["劳动合同"]
    hidden = Application.objects.get(number=number).materials.get(name="印章样式")
    assert reviewer.get(f"/api/applications/{number}/materials/{hidden.pk}/file/").status_code == 404


def test_clock_actions_over_the_api_explain_the_deadline():
    matter = MatterFactory(promised_days=10)
    reviewer = ReviewerFactory(department=matter.department)
    leader = ReviewerFactory(department=matter.department, is_department_leader=True)
    from tests.factories import accepted_application

    subcase = accepted_application(matters=[matter]).subcases.get().number
    client = token_client(reviewer)
    bad = client.post(f"/api/subcases/{subcase}/suspend/", {"kind": "party", "reason": "x"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]
    body = client.post(f"/api/subcases/{subcase}/suspend/", {"kind": "testing", "reason": "送检"}, format="json").json()
    assert body["state"] == "suspended" and body["explanation"]["pauses"][0]["kind"] == "检测"
    assert client.post(f"/api/subcases/{subcase}/resume/", {}, format="json").json()["state"] == "examining"
    client.post(f"/api/subcases/{subcase}/request-extension/", {"days": 3, "reason": "复杂"}, format="json")
    refused = client.post(f"/api/subcases/{subcase}/decide-extension/", {"approve": True}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_department_leader"
    decided = token_client(leader).post(f"/api/subcases/{subcase}/decide-extension/", {"approve": True}, format="json")
    assert decided.json()["explanation"]["extension"]["days"] == 3


def test_schema_generates_without_warnings(capsys):
    import io

    from django.core.management import call_command

    call_command("spectacular", "--validate", stdout=io.StringIO())
    printed = capsys.readouterr()
    assert "Warning" not in printed.err + printed.out, (printed.err + printed.out)[:500]
