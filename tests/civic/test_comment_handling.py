"""征求意见: each comment handled (采纳 / 部分采纳 / 未采纳 with a reason) by the drafting department
after the period; the summary is published only when every comment is handled, and lists them
with the author's name and numbers masked."""

import datetime as dt

import pytest

from civic import services
from civic.models import Comment
from core.errors import Conflict, Forbidden, Invalid
from tests.civic.test_questions import consultation  # noqa: F401  (fixture)
from tests.factories import ReviewerFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def comments(consultation, at):  # noqa: F811
    at(D(2026, 11, 5))
    first = services.comment_add(consultation=consultation, user=UserFactory(real_name="王小明"),
                                 content="建议增加网上办理渠道,王小明,电话13912345678。")
    second = services.comment_add(consultation=consultation, user=UserFactory(), content="建议取消纸质材料。")
    return first, second


def test_each_comment_is_handled_then_the_summary_lists_them(consultation, comments, at, client):  # noqa: F811
    first, second = comments
    reviewer = ReviewerFactory(department=consultation.department)
    with pytest.raises(Conflict, match="征求意见截止后才能处理意见"):
        services.comment_handle(comment=first, user=reviewer, handling="adopted", response="")
    at(D(2026, 11, 17))
    with pytest.raises(Forbidden):
        services.comment_handle(comment=first, user=ReviewerFactory(), handling="adopted", response="")
    with pytest.raises(Invalid, match="请选择采纳、部分采纳或未采纳"):
        services.comment_handle(comment=first, user=reviewer, handling="", response="")
    with pytest.raises(Invalid, match="须说明理由"):
        services.comment_handle(comment=second, user=reviewer, handling="not_adopted", response=" ")
    with pytest.raises(Invalid, match="手机号码"):
        services.comment_handle(comment=second, user=reviewer, handling="partly", response="已联系13912345678")
    assert set(Comment.objects.values_list("handling", flat=True)) == {""}  # nothing written

    services.comment_handle(comment=first, user=reviewer, handling="adopted", response="")
    with pytest.raises(Conflict, match="还有 1 条意见未处理"):
        services.consultation_publish_summary(consultation=consultation, user=reviewer, summary="共2条。")
    services.comment_handle(comment=second, user=SupervisorFactory(), handling="not_adopted",
                            response="纸质材料由上位法规定,暂不能取消。")

    client.force_login(reviewer)
    page = client.post(f"/civic/consultations/{consultation.pk}/",
                       {"action": "handle", "comment": str(second.pk), "handling": "partly", "response": ""})
    assert page.status_code == 400 and "部分采纳或未采纳的意见须说明理由" in page.content.decode()
    done = client.post(f"/civic/consultations/{consultation.pk}/",
                       {"action": "summary", "summary": "共收到意见2条,采纳1条,未采纳1条。"})
    assert done.status_code == 302
    with pytest.raises(Conflict, match="采纳情况已公布"):
        services.comment_handle(comment=second, user=reviewer, handling="adopted", response="")

    client.logout()
    public = client.get(f"/civic/consultations/{consultation.pk}/").content.decode()
    table = public[public.index("data-comments"):]
    assert "建议增加网上办理渠道" in table and "采纳" in table and "未采纳" in table
    assert "纸质材料由上位法规定,暂不能取消。" in table
    assert "13912345678" not in public and "王小明" not in public and "139****5678" in table
