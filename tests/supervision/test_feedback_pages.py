"""The pages of 好差评 and 投诉举报 as their users see them: the citizen rating once through the
link on their application, the clerk showing a visit's QR code, the rated department calling
back and closing, appealing, the supervisor ruling; anonymous complaints with their query code,
the department's reply, acceptance and escalation; the per-address limit."""

import datetime as dt
import re

import pytest
from django.core.cache import cache

from accounts.models import User
from supervision.feedback import ratings
from supervision.models import CallBack, Complaint, FollowUp, Occasion, Rating
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    concluded_application,
    pdf_upload,
    walk_in_application,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def case(calendar_2026, at):
    at(D(2026, 9, 29))
    citizen = UserFactory()
    return concluded_application(applicant=citizen, matters=[MatterFactory()])


def test_the_citizen_rates_once_from_their_application(client, case):
    client.force_login(case.applicant)
    page = client.get(f"/applications/{case.number}/").content.decode()
    assert f'href="/applications/{case.number}/rate/"' in page
    listing = client.get(f"/applications/{case.number}/rate/").content.decode()
    assert "审批决定" in listing and "去评价" in listing
    url = re.search(r'href="(/rate/[^"]+/)"', listing).group(1)

    client.logout()  # the link alone is enough (a phone, a rating pad)
    form = client.get(url).content.decode()
    for name in ("非常满意", "满意", "基本满意", "不满意", "非常不满意", "办理效率低"):
        assert name in form
    refused = client.post(url, {"level": "9"})
    assert refused.status_code == 400 and "请选择评价等级" in refused.content.decode()
    done = client.post(url, {"level": "2", "reasons": ["slow", "runs"], "comment": "跑了三趟"})
    assert done.status_code == 302
    thanks = client.get(url).content.decode()
    assert "您已评价:不满意" in thanks and "15个工作日" in thanks
    again = client.post(url, {"level": "5"})
    assert again.status_code == 409 and "已使用" in again.content.decode()
    rating = Rating.objects.get()
    assert (rating.level, rating.reasons, rating.comment) == (2, ["slow", "runs"], "跑了三趟")
    assert client.get("/rate/not-a-real-token-at-all-xxxxxxxx/").status_code == 404

    client.force_login(case.applicant)
    assert "已评价:不满意" in client.get(f"/applications/{case.number}/rate/").content.decode()
    client.force_login(UserFactory())
    assert client.get(f"/applications/{case.number}/rate/").status_code == 404


def test_the_clerk_shows_the_visits_qr_code(client, calendar_2026, at):
    at(D(2026, 9, 29))
    clerk = ClerkFactory()
    visit = walk_in_application(clerk=clerk)
    client.force_login(clerk)
    assert "受理评价二维码" in client.get(f"/applications/{visit.number}/").content.decode()
    page = client.get(f"/hall/rate/{visit.number}/?occasion=window_accept").content.decode()
    assert 'src="data:image/png;base64,' in page
    link = ratings.rating_token_issue(application=visit, occasion=Occasion.WINDOW_ACCEPT)
    assert f"/rate/{link.token}/" in page
    client.force_login(ClerkFactory())  # another hall
    assert client.get(f"/hall/rate/{visit.number}/?occasion=window_accept").status_code == 404
    client.force_login(clerk)
    assert client.get(f"/hall/rate/{visit.number}/?occasion=window_deliver").status_code == 409  # not delivered yet


def test_the_department_calls_back_closes_and_appeals_and_the_supervisor_rules(client, case, at):
    rating = ratings.rating_submit(token=ratings.rating_token_issue(application=case, occasion=Occasion.DECISION),
                                   level=1, comment="态度差")
    followup = rating.followup
    reviewer = ReviewerFactory(department=followup.department)
    client.force_login(reviewer)
    listing = client.get("/supervision/followups/").content.decode()
    assert case.number in listing and "整改中" in listing
    url = f"/supervision/followups/{followup.pk}/"
    assert client.post(url, {"action": "close", "reply": "已整改"}).status_code == 409  # no call-back yet
    assert client.post(url, {"action": "call_back", "method": "phone", "summary": ""}).status_code == 400
    assert client.post(url, {"action": "call_back", "method": "phone", "summary": "电话致歉,群众表示理解",
                             "called_at": "2026-09-29T09:30", "satisfied": "yes"}).status_code == 302
    assert CallBack.objects.get().called_at.date() == D(2026, 9, 29)
    assert client.post(url, {"action": "appeal", "kind": "malicious", "statement": "评价人系同行恶意差评",
                             "evidence": pdf_upload("聊天记录.pdf")}).status_code == 302
    assert client.post(url, {"action": "decide", "decision": "accept", "reason": "自己审"}).status_code == 403
    client.force_login(ReviewerFactory(department=DepartmentFactory()))
    assert client.get(url).status_code == 404

    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    appeals = client.get("/supervision/appeals/").content.decode()
    assert case.number in appeals and "恶意差评" in appeals
    assert client.post(url, {"action": "call_back", "method": "phone", "summary": "督查回访"}).status_code == 403
    assert client.post(url, {"action": "decide", "decision": "accept", "reason": "经核实系恶意差评"}).status_code == 302
    rating.refresh_from_db()
    assert not rating.is_valid and FollowUp.objects.get().state == "voided"
    board = client.get("/supervision/ratings/?start=2026-09-01&end=2026-09-30").content.decode()
    assert "该期间没有评价" in board  # the invalid rating leaves the distribution


def test_anonymous_complaint_with_its_code_reply_and_escalation(client, calendar_2026, at):
    at(D(2026, 9, 29))
    department = DepartmentFactory()
    refused = client.post("/complaints/", {"subject": "", "content": "太慢", "department": str(department.pk)})
    assert refused.status_code == 400 and not Complaint.objects.exists()
    assert "请填写标题" in refused.content.decode()
    sent = client.post("/complaints/", {"kind": "complaint", "department": str(department.pk), "subject": "多次跑腿",
                                        "content": "同一份材料被要求提交三次,希望改进。", "contact_phone": "13912345678"})
    assert sent.status_code == 302
    complaint = Complaint.objects.get()
    assert sent["Location"] == f"/complaints/status/?code={complaint.code}"
    status = client.get(sent["Location"]).content.decode()
    assert "办理中" in status and "2026-10-19" in status and department.name in status
    assert client.get("/complaints/status/?code=ABCDEFGHJKLM").status_code == 404

    reviewer = ReviewerFactory(department=department)
    client.force_login(reviewer)
    assert "多次跑腿" in client.get("/supervision/complaints/").content.decode()
    staff_url = f"/supervision/complaints/{complaint.pk}/"
    assert complaint.code not in client.get(staff_url).content.decode()  # the code is the complainant's
    assert client.post(staff_url, {"action": "reply", "reply": "已优化材料共享,无需重复提交。"}).status_code == 302
    client.logout()
    assert client.post("/complaints/status/", {"code": complaint.code, "action": "escalate",
                                               "reason": "仍然要求提交"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "escalated"
    assert client.post("/complaints/status/", {"code": "WRONGWRONG22", "action": "accept"}).status_code == 404
    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    assert client.post(staff_url, {"action": "close", "note": "督查协调已解决"}).status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "closed" and complaint.closed_by == supervisor


def test_a_signed_in_citizen_sees_my_complaints(client, calendar_2026):
    citizen = UserFactory()
    client.force_login(citizen)
    client.post("/complaints/", {"subject": "窗口排队太久", "content": "周一上午排队两个小时才办理。"})
    page = client.get("/complaints/mine/").content.decode()
    assert "窗口排队太久" in page and "待分派" in page
    client.force_login(UserFactory())
    assert "窗口排队太久" not in client.get("/complaints/mine/").content.decode()


def test_anonymous_submissions_are_limited_per_address(client, calendar_2026):
    body = {"subject": "测试限流", "content": "这是一条用来测试提交次数限制的投诉。"}
    for _i in range(5):
        assert client.post("/complaints/", body).status_code == 302
    refused = client.post("/complaints/", body)
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    assert Complaint.objects.count() == 5
    other = client.post("/complaints/", body, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_follow_up_and_complaint_cards_show_on_the_card_pages(client, case, at):
    from supervision.cards.services import sweep_deadlines

    followup = ratings.rating_submit(token=ratings.rating_token_issue(application=case, occasion=Occasion.DECISION),
                                     level=2).followup
    complaint = Complaint.objects.create(code="ABCDEFGHJKMN", subject="排队太久", content="排队两个小时",
                                         state="routing", submitted_on=D(2026, 9, 29), due=D(2026, 10, 19))
    sweep_deadlines(today=D(2026, 11, 2))
    client.force_login(SupervisorFactory())
    cards = client.get("/supervision/cards/").content.decode()
    assert f'href="/supervision/followups/{followup.pk}/"' in cards and "差评整改期限" in cards
    assert f'href="/supervision/complaints/{complaint.pk}/"' in cards and "政务服务中心" in cards
    assert "差评整改期限" in client.get("/supervision/").content.decode()
    api = client.get("/api/cards/?trigger=complaint").json()
    assert [(c["complaint"], c["application"], c["level"]) for c in api["results"]] == [(complaint.pk, None, "red")]
    card_id = api["results"][0]["id"]
    assert "投诉:排队太久" in client.get(f"/supervision/cards/{card_id}/").content.decode()
    reviewer = ReviewerFactory(department=followup.department)
    client.force_login(reviewer)
    mine = client.get("/supervision/cards/").content.decode()
    assert f'href="/supervision/followups/{followup.pk}/"' in mine and "投诉:排队太久" not in mine
    client.force_login(ClerkFactory())
    assert f'href="/supervision/followups/{followup.pk}/"' not in client.get("/supervision/cards/").content.decode()


def test_the_admin_shows_complaints_read_only_without_their_code(client, calendar_2026):
    complaint = complaints_submit_anonymous()
    admin = UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in ("/admin/supervision/complaint/", f"/admin/supervision/complaint/{complaint.pk}/change/",
                "/admin/supervision/rating/", "/admin/supervision/followup/"):
        response = client.get(url)
        assert response.status_code == 200 and complaint.code not in response.content.decode(), url
    assert client.post(f"/admin/supervision/complaint/{complaint.pk}/delete/").status_code == 403


def complaints_submit_anonymous():
    from supervision.feedback import complaints

    return complaints.complaint_submit(subject="大厅空调太冷", content="一楼等候区空调温度太低,老人受不了。")
