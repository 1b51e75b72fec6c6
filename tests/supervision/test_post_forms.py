"""The supervision pages' POSTs parsed by Django forms (supervision.feedback.forms and
supervision.cards.forms): the rating, a complaint, the complainant's escalation, the staff's
follow-up and complaint actions, a card's contest and decision, the rules' drafts. A bad post
shows a Chinese message, keeps what was typed and writes nothing; a good post does what it says."""

import datetime as dt
import re

import pytest
from django.core.cache import cache

from supervision.cards.models import Card, CardPolicy
from supervision.feedback import ratings
from supervision.models import CallBack, Complaint, Occasion, Rating
from tests.factories import DepartmentFactory, MatterFactory, ReviewerFactory, UserFactory, concluded_application

from .test_contest import world  # noqa: F401 - that module's fixture
from .test_policy import admin, two_kinds  # noqa: F401 - that module's fixtures

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def _alert(response) -> str:
    html = response.content.decode()
    return html.split('class="alert alert-error"', 1)[1].split("</div>", 1)[0] if 'alert-error"' in html else ""


@pytest.fixture
def case(calendar_2026, at):
    at(D(2026, 9, 29))
    return concluded_application(applicant=UserFactory(), matters=[MatterFactory()])


def test_a_rating_with_a_forged_reason_or_a_long_comment_is_refused_and_kept(client, case):
    client.force_login(case.applicant)
    listing = client.get(f"/applications/{case.number}/rate/").content.decode()
    url = re.search(r'href="(/rate/[^"]+/)"', listing).group(1)
    forged = client.post(url, {"level": "2", "reasons": ["slow", "bribe"], "comment": "跑了三趟"})
    assert forged.status_code == 400 and "所选原因无效" in _alert(forged)
    assert "跑了三趟" in forged.content.decode()
    long = client.post(url, {"level": "2", "reasons": ["slow"], "comment": "慢" * 301})
    assert long.status_code == 400 and "评价内容不超过300个字" in _alert(long)
    assert not Rating.objects.exists()
    assert client.post(url, {"level": "2", "reasons": ["slow"], "comment": "跑了三趟"}).status_code == 302
    assert Rating.objects.get().comment == "跑了三趟"


def test_a_complaint_with_a_forged_department_or_kind_is_refused_and_kept(client, calendar_2026):
    department = DepartmentFactory()
    body = {"kind": "complaint", "department": "x1", "subject": "多次跑腿", "content": "同一份材料被要求提交三次。"}
    forged = client.post("/complaints/", body)
    assert forged.status_code == 400 and "请选择部门" in _alert(forged) and "多次跑腿" in forged.content.decode()
    kind = client.post("/complaints/", {**body, "department": department.pk, "kind": "praise"})
    assert kind.status_code == 400 and "请选择投诉或举报" in _alert(kind)
    assert not Complaint.objects.exists()
    assert client.post("/complaints/", {**body, "department": department.pk}).status_code == 302
    assert Complaint.objects.get().department == department


def test_the_complainant_and_the_staff_post_only_known_actions(client, calendar_2026, at):
    at(D(2026, 9, 29))
    department = DepartmentFactory()
    client.post("/complaints/", {"department": department.pk, "subject": "多次跑腿", "content": "材料被要求提交三次。"})
    complaint = Complaint.objects.get()
    staff_url = f"/supervision/complaints/{complaint.pk}/"
    client.force_login(ReviewerFactory(department=department))
    unknown = client.post(staff_url, {"action": "delete", "reply": "已优化"})
    assert unknown.status_code == 400 and "未知的操作" in _alert(unknown)
    long = client.post(staff_url, {"action": "reply", "reply": "答" * 2001})
    assert long.status_code == 400 and "答复不超过2000个字" in _alert(long)
    assert Complaint.objects.get().state == complaint.state
    assert client.post(staff_url, {"action": "reply", "reply": "已优化材料共享。"}).status_code == 302
    client.logout()
    bad = client.post("/complaints/status/", {"code": complaint.code, "action": "escalate", "reason": "仍" * 2001})
    assert bad.status_code == 400 and "理由不超过2000个字" in _alert(bad)
    assert "仍" * 2001 in bad.content.decode()
    unknown = client.post("/complaints/status/", {"code": complaint.code, "action": "reopen"})
    assert unknown.status_code == 400 and "未知的操作" in _alert(unknown)
    assert Complaint.objects.get().state != "escalated"
    good = client.post("/complaints/status/", {"code": complaint.code, "action": "escalate", "reason": "仍要求提交"})
    assert good.status_code == 302 and Complaint.objects.get().state == "escalated"


def test_a_call_back_with_a_bad_time_or_answer_is_refused_and_kept(client, case):
    rating = ratings.rating_submit(
        token=ratings.rating_token_issue(application=case, occasion=Occasion.DECISION), level=1, comment="态度差"
    )
    client.force_login(ReviewerFactory(department=rating.followup.department))
    url = f"/supervision/followups/{rating.followup.pk}/"
    body = {
        "action": "call_back",
        "method": "phone",
        "summary": "电话致歉",
        "called_at": "昨天上午",
        "satisfied": "yes",
    }
    time = client.post(url, body)
    assert time.status_code == 400 and "请按“年-月-日 时:分”填写" in time.content.decode()
    assert "电话致歉" in time.content.decode()
    forged = client.post(url, {**body, "called_at": "2026-09-29T09:30", "satisfied": "maybe"})
    assert forged.status_code == 400 and "请选择群众是否认可" in _alert(forged)
    assert not CallBack.objects.exists()
    assert client.post(url, {**body, "called_at": "2026-09-29T09:30"}).status_code == 302
    assert CallBack.objects.get().satisfied is True


def test_a_card_contest_and_decision_refuse_bad_posts(client, world):  # noqa: F811
    card = world["card"]
    client.force_login(world["users"]["reviewer"])
    long = client.post(f"/supervision/cards/{card.pk}/contest/", {"statement": "申" * 2001})
    assert long.status_code == 400 and "申诉理由不超过2000个字" in _alert(long)
    assert "申" * 2001 in long.content.decode()
    assert Card.objects.get(pk=card.pk).review == ""
    assert client.post(f"/supervision/cards/{card.pk}/contest/", {"statement": "申请人书面申请暂缓"}).status_code == 302
    client.force_login(world["users"]["supervisor"])
    forged = client.post(f"/supervision/cards/{card.pk}/decide/", {"decision": "delete", "reason": "暂缓属实"})
    assert forged.status_code == 400 and "请选择维持或撤销" in _alert(forged) and "暂缓属实" in forged.content.decode()
    assert Card.objects.get(pk=card.pk).closed_at is None
    assert (
        client.post(f"/supervision/cards/{card.pk}/decide/", {"decision": "void", "reason": "暂缓属实"}).status_code
        == 302
    )
    assert Card.objects.get(pk=card.pk).closed_at is not None


def test_rules_drafts_refuse_a_long_title_and_a_date_that_is_not_one(client, two_kinds, admin, at):  # noqa: F811
    at(D(2026, 10, 20))
    client.force_login(admin)
    long = client.post("/supervision/policies/", {"title": "规" * 129})
    assert long.status_code == 400 and "名称不超过128个字" in _alert(long)
    assert not CardPolicy.objects.filter(version=2).exists()
    assert client.post("/supervision/policies/", {"title": "许可事项提前预警"}).status_code == 302
    draft = CardPolicy.objects.get(version=2)
    url = f"/supervision/policies/{draft.pk}/"
    words = client.post(url, {"action": "publish", "effective_from": "明天"})
    assert words.status_code == 400 and "请选择今天或以后的日期" in words.content.decode()
    unknown = client.post(url, {"action": "discard"})
    assert unknown.status_code == 400 and "未知的操作" in _alert(unknown)
    draft.refresh_from_db()
    assert draft.status != "published" and draft.title == "许可事项提前预警"
    assert client.post(url, {"action": "publish", "effective_from": "2026-10-21"}).status_code == 302
    draft.refresh_from_db()
    assert draft.effective_from == D(2026, 10, 21)
