"""Complaints about an intermediary of the market (中介超市): through the same complaint clock and
cards, handled by the centre (which supervises the market), and a complaint found true lowers
the intermediary's credit score."""

import datetime as dt

import pytest

from core.errors import Invalid
from market import selectors as market
from market.models import Intermediary, ServiceItem
from supervision.cards.services import sweep_deadlines
from supervision.feedback import complaints
from supervision.feedback import selectors as feedback
from supervision.models import Complaint
from tests.factories import DepartmentFactory, ReviewerFactory, SupervisorFactory
from tests.market.conftest import approved_intermediary
from tests.supervision.conftest import open_cards

pytestmark = pytest.mark.django_db
D = dt.date
TEXT = "测绘公司收了钱迟迟不出报告,还要求加价。"


@pytest.fixture
def intermediary(calendar_2026, at):
    at(D(2026, 9, 29))
    item = ServiceItem.objects.create(code="CH", name="测绘", report_name="测绘成果报告")
    return approved_intermediary(item, name="清远市恒信测绘有限公司")[0]


def submit(**kwargs):
    return complaints.complaint_submit(**{"subject": "中介拖延", "content": TEXT, **kwargs})


def test_a_complaint_about_an_intermediary_goes_to_the_centre_on_the_clock(intermediary):
    complaint = submit(intermediary_id=intermediary.pk)
    assert (complaint.state, complaint.department, complaint.intermediary) == ("routing", None, intermediary)
    assert complaint.responsible == "政务服务中心" and complaint.due == D(2026, 10, 19)
    assert complaint.upheld is False
    for day in (D(2026, 10, 7), D(2026, 10, 14)):
        sweep_deadlines(today=day)
        assert open_cards(complaint=complaint) == [], day
    sweep_deadlines(today=D(2026, 10, 15))
    assert open_cards(complaint=complaint) == [("complaint", "yellow")]
    sweep_deadlines(today=D(2026, 10, 20))
    assert open_cards(complaint=complaint) == [("complaint", "red")]
    reviewer = ReviewerFactory()
    assert list(feedback.complaints_for_staff(reviewer)) == []  # the centre's, not a department's
    assert list(feedback.complaints_for_staff(SupervisorFactory())) == [complaint]


def test_refusals_write_nothing(intermediary):
    department = DepartmentFactory()
    with pytest.raises(Invalid) as both:
        submit(intermediary_id=intermediary.pk, department_id=department.pk)
    assert "投诉中介机构时不选部门" in str(both.value.fields["department"][0])
    pending = approved_intermediary(ServiceItem.objects.get(), name="清远市待审测绘有限公司")[0]
    Intermediary.objects.filter(pk=pending.pk).update(status=Intermediary.Status.PENDING)
    for forged in (pending.pk, 99999999, "x"):
        with pytest.raises(Invalid) as refused:
            submit(intermediary_id=forged)
        assert refused.value.fields["intermediary"] == ["请从中介超市名录中选择中介机构。"]
    plain = submit(department_id=department.pk)
    with pytest.raises(Invalid, match="只有对中介机构的投诉需要认定是否属实"):
        complaints.complaint_reply(complaint=plain, user=ReviewerFactory(department=department), reply="已处理",
                                   upheld=True)
    plain.refresh_from_db()
    assert (plain.state, plain.upheld, Complaint.objects.count()) == ("open", False, 1)


def test_a_complaint_found_true_lowers_the_credit_score(intermediary):
    def score():
        return market.standing(market.directory().get(pk=intermediary.pk))

    assert (score().complaints, score().score) == (0, 100)
    supervisor = SupervisorFactory()
    closed_false = submit(intermediary_id=intermediary.pk)
    complaints.complaint_close(complaint=closed_false, supervisor=supervisor, note="经核查,报告按合同期限交付",
                               upheld=False)
    assert (score().complaints, score().score) == (0, 100)

    # routed to the market's regulator, whose reviewer answers and finds it true
    regulator = DepartmentFactory(name="清远市清新区市场监督管理局")
    routed = submit(intermediary_id=intermediary.pk)
    complaints.complaint_route(complaint=routed, supervisor=supervisor, department_id=regulator.pk)
    complaints.complaint_reply(complaint=routed, user=ReviewerFactory(department=regulator),
                               reply="经查属实,已责令退还加价部分", upheld=True)
    routed.refresh_from_db()
    assert (routed.state, routed.upheld) == ("replied", True)
    assert "(认定属实)" in routed.log.get(action="supervision.complaint.replied").note
    assert (score().complaints, score().score, score().grade) == (1, 90, "A")
    assert market.standing(intermediary).score == 90  # the same without the directory's counts


def test_the_pages(client, intermediary):
    form = client.get(f"/complaints/?intermediary={intermediary.pk}").content.decode()
    assert f'<option value="{intermediary.pk}" selected>清远市恒信测绘有限公司</option>' in form
    sent = client.post("/complaints/", {"kind": "complaint", "intermediary": str(intermediary.pk),
                                        "subject": "中介拖延", "content": TEXT})
    complaint = Complaint.objects.get()
    assert sent.status_code == 302 and complaint.intermediary == intermediary
    status = client.get(f"/complaints/status/?code={complaint.code}").content.decode()
    assert "被投诉中介机构" in status and "清远市恒信测绘有限公司" in status

    client.force_login(SupervisorFactory())
    detail = client.get(f"/supervision/complaints/{complaint.pk}/").content.decode()
    assert "投诉是否属实" in detail
    closed = client.post(f"/supervision/complaints/{complaint.pk}/",
                         {"action": "close", "note": "经核实属实,约谈并记入信用", "upheld": "yes"})
    assert closed.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.state, complaint.upheld) == ("closed", True)
    page = client.get(f"/market/intermediaries/{intermediary.pk}/").content.decode()
    assert "属实投诉 1 件" in page and "90" in page
