"""投诉举报: routing, the department's reply, the complainant's acceptance or one escalation,
supervisors closing, the query code, and the complaint clock's cards across the 2026 National
Day holiday (Oct 1-7 off, Sat Oct 10 a make-up working day)."""

import datetime as dt

import pytest

from core.errors import Conflict, Forbidden, Invalid, NotFound
from supervision.cards.services import sweep_deadlines
from supervision.feedback import complaints
from supervision.feedback import selectors as feedback
from supervision.models import Card, Complaint, FeedbackLog
from tests.factories import (
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
)
from tests.supervision.conftest import open_cards

pytestmark = pytest.mark.django_db
D = dt.date
TEXT = "窗口工作人员态度生硬,多次让我回家补材料。"


def submit(**kwargs):
    return complaints.complaint_submit(**{"subject": "办事不顺", "content": TEXT, **kwargs})


@pytest.fixture
def department(calendar_2026, at):
    at(D(2026, 9, 29))  # Tuesday: 10 working days run Sep 30, Oct 8, 9, Sat 10, 12 … 19
    return DepartmentFactory()


def test_a_complaint_to_a_department_is_due_in_10_working_days(department):
    complaint = submit(department_id=department.pk, contact_phone="139 1234 5678", contact_name="张先生")
    assert (complaint.state, complaint.department, complaint.due) == ("open", department, D(2026, 10, 19))
    assert complaint.submitted_on == D(2026, 9, 29) and complaint.complainant is None
    assert len(complaint.code) == 12 and complaint.contact_phone == "13912345678"
    assert complaints.access_complaint_by_code(complaint.code.lower()) == complaint
    assert complaints.access_complaint_by_code(f" {complaint.code[:4]}-{complaint.code[4:]} ") == complaint
    with pytest.raises(NotFound):
        complaints.access_complaint_by_code("ABCDEFGHJKLM")


def test_routing_unknown_department_and_by_application(department):
    unknown = submit()
    assert unknown.state == "routing" and unknown.department is None and unknown.responsible == "政务服务中心"
    application = accepted_application(matters=[MatterFactory(department=department)])
    by_case = submit(application_number=application.number)
    assert (by_case.state, by_case.department, by_case.application) == ("open", department, application)

    reviewer = ReviewerFactory(department=department)
    assert list(feedback.complaints_for_staff(reviewer)) == [by_case]  # routing ones are the centre's
    for user in (reviewer, UserFactory()):
        with pytest.raises(Forbidden):
            complaints.complaint_route(complaint=unknown, supervisor=user, department_id=department.pk)
    supervisor = SupervisorFactory()
    with pytest.raises(Invalid):
        complaints.complaint_route(complaint=unknown, supervisor=supervisor, department_id="x")
    complaints.complaint_route(complaint=unknown, supervisor=supervisor, department_id=department.pk)
    unknown.refresh_from_db()
    assert (unknown.state, unknown.department, unknown.routed_by) == ("open", department, supervisor)
    assert unknown.due == D(2026, 10, 19)  # routing does not restart the clock
    with pytest.raises(Conflict):
        complaints.complaint_route(complaint=unknown, supervisor=supervisor, department_id=department.pk)


def test_bad_input_writes_nothing(department):
    for kwargs, field in [({"subject": ""}, "subject"), ({"content": "太慢"}, "content"),
                          ({"department_id": 999999}, "department"), ({"application_number": "441803-2026-XK-999999"},
                                                                     "application_number"),
                          ({"contact_phone": "12345"}, "contact_phone"), ({"kind": "praise"}, "kind"),
                          ({"subject": "长" * 81}, "subject")]:
        with pytest.raises(Invalid) as refused:
            submit(**kwargs)
        assert field in refused.value.fields, kwargs
    assert not Complaint.objects.exists() and not FeedbackLog.objects.exists()


def test_reply_then_the_complainant_accepts(department, at):
    citizen = UserFactory()
    complaint = submit(user=citizen, department_id=department.pk)
    assert list(feedback.complaints_of(citizen)) == [complaint]
    other = ReviewerFactory(department=DepartmentFactory())
    for user in (other, SupervisorFactory(), citizen):
        with pytest.raises(Forbidden):
            complaints.complaint_reply(complaint=complaint, user=user, reply="已处理")
    with pytest.raises(Conflict):  # nothing to accept before an answer
        complaints.complaint_accept(complaint=complaint, user=citizen)
    reviewer = ReviewerFactory(department=department)
    with pytest.raises(Invalid):
        complaints.complaint_reply(complaint=complaint, user=reviewer, reply="  ")
    complaints.complaint_reply(complaint=complaint, user=reviewer, reply="已核实,对窗口人员批评教育,欢迎再来办理。")
    with pytest.raises(Forbidden):  # someone else, without the code
        complaints.complaint_accept(complaint=complaint, user=UserFactory())
    complaints.complaint_accept(complaint=complaint, user=citizen)
    complaint.refresh_from_db()
    assert complaint.state == "closed" and complaint.closed_at is not None
    assert list(FeedbackLog.objects.filter(complaint=complaint).values_list("action", flat=True)) == [
        "supervision.complaint.submitted", "supervision.complaint.replied", "supervision.complaint.accepted"]


def test_escalate_once_with_a_new_deadline_and_supervisors_close(department, at):
    complaint = submit(department_id=department.pk)  # anonymous: acts with its code
    reviewer = ReviewerFactory(department=department)
    at(D(2026, 10, 12))
    complaints.complaint_reply(complaint=complaint, user=reviewer, reply="已处理")
    at(D(2026, 10, 21))
    with pytest.raises(Forbidden):
        complaints.complaint_escalate(complaint=complaint, reason="不满意", code="WRONGCODE234")
    with pytest.raises(Invalid):
        complaints.complaint_escalate(complaint=complaint, reason="", code=complaint.code)
    complaints.complaint_escalate(complaint=complaint, reason="答复敷衍,问题没有解决", code=complaint.code)
    complaint.refresh_from_db()
    assert (complaint.state, complaint.due, complaint.responsible) == ("escalated", D(2026, 11, 4), "政务服务中心")
    with pytest.raises(Conflict):
        complaints.complaint_escalate(complaint=complaint, reason="再次提请", code=complaint.code)
    with pytest.raises(Forbidden):
        complaints.complaint_close(complaint=complaint, supervisor=reviewer, note="部门自行办结")
    complaints.complaint_close(complaint=complaint, supervisor=SupervisorFactory(), note="督查约谈部门负责人,已重新办理")
    complaint.refresh_from_db()
    assert complaint.state == "closed"
    with pytest.raises(Conflict):
        complaints.complaint_escalate(complaint=complaint, reason="又不满意", code=complaint.code)


def test_the_complaint_clock_raises_cards_across_the_holiday(department, at):
    complaint = submit(department_id=department.pk)
    for day in (D(2026, 10, 1), D(2026, 10, 7), D(2026, 10, 14)):  # Oct 7: a week off, 9 working days left
        sweep_deadlines(today=day)
        assert open_cards(complaint=complaint) == [], day
    sweep_deadlines(today=D(2026, 10, 15))  # Oct 16 and 19 left
    assert open_cards(complaint=complaint) == [("complaint", "yellow")]
    sweep_deadlines(today=D(2026, 10, 20))
    assert open_cards(complaint=complaint) == [("complaint", "red")]
    red = Card.objects.get(complaint=complaint, level="red")
    assert (red.department, red.remaining_days, red.application) == (department, -1, None)
    assert "投诉办理期限 2026-10-19 已过,逾期 1 个工作日" in red.reason
    assert feedback.complaint_counts_by_department(today=D(2026, 10, 20)) == [
        {"department_id": department.pk, "name": department.name, "open": 1, "overdue": 1}]
    reviewer = ReviewerFactory(department=department)
    assert [c.pk for c in feedback.complaints_for_staff(reviewer)] == [complaint.pk]
    at(D(2026, 10, 20))
    complaints.complaint_reply(complaint=complaint, user=reviewer, reply="已答复")
    sweep_deadlines(today=D(2026, 10, 20))
    assert open_cards(complaint=complaint) == []
    # Escalated on Oct 21: the centre's clock, due Nov 4; its red card has no department.
    at(D(2026, 10, 21))
    complaints.complaint_escalate(complaint=complaint, reason="不满意", code=complaint.code)
    sweep_deadlines(today=D(2026, 11, 5))
    card = Card.objects.get(complaint=complaint, closed_at__isnull=True)
    assert (card.level, card.due, card.department) == ("red", D(2026, 11, 4), None)
    assert feedback.complaint_counts_by_department(today=D(2026, 11, 5)) == [
        {"department_id": None, "name": "政务服务中心", "open": 1, "overdue": 1}]


def test_anonymous_submission_is_throttled_per_address(department, settings):
    from django.core.cache import cache

    cache.clear()
    for _i in range(complaints.SUBMIT_LIMIT):
        assert not complaints.submit_throttle.blocked(ip="10.0.0.9")
        complaints.submit_throttle.fail(ip="10.0.0.9")
    assert complaints.submit_throttle.blocked(ip="10.0.0.9")
    assert not complaints.submit_throttle.blocked(ip="10.0.0.10")
