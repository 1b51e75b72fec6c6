"""The clocks of the 行政许可法 across the 2026 National Day holiday (Oct 1-7 off, Sat Oct 10 a
make-up working day): deemed acceptance (art. 32), special procedures (art. 45), the one
extension (art. 42), and the licence clock after approval (art. 44)."""

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import Conflict, Forbidden, Invalid
from supervision.cards.services import sweep_deadlines
from supervision.models import Card
from tests.factories import ClerkFactory, MatterFactory, ReviewerFactory, SupervisorFactory, submitted_application
from workflow import selectors, services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, SubCase, SubCaseExtension

pytestmark = pytest.mark.django_db
BEIJING = timezone.get_current_timezone()


@pytest.fixture
def clock(time_machine):
    """Set the services' today: `clock(dt.date(...))`."""
    seed_calendar(years=[2026])

    def set_today(day):
        moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=BEIJING)
        time_machine.move_to(moment, tick=False)

    return set_today


def test_deemed_acceptance_fires_on_day_six_not_day_five(clock):
    clock(dt.date(2026, 9, 29))  # received on Tuesday
    app = submitted_application(matters=[MatterFactory(promised_days=10)])
    # Sep 30 (1), Oct 8 (2), 9 (3), Sat 10 make-up (4), Mon 12 (5)
    assert app.pre_review_due == dt.date(2026, 10, 12)

    assert services.deem_overdue_applications_accepted(today=dt.date(2026, 10, 12)) == []
    app.refresh_from_db()
    assert app.state == Application.State.SUBMITTED

    clock(dt.date(2026, 10, 13))
    assert services.deem_overdue_applications_accepted(today=dt.date(2026, 10, 13)) == [app.number]
    app.refresh_from_db()
    assert app.state == Application.State.ACCEPTED and app.deemed_accepted
    assert app.accepted_on == dt.date(2026, 9, 29)  # accepted from the day of receipt
    subcase = app.subcases.get()
    assert subcase.started_on == dt.date(2026, 9, 29) and subcase.deadline == dt.date(2026, 10, 19)
    entry = app.log.get(action="workflow.application.deemed_accepted")
    assert entry.actor is None and "第三十二条" in entry.note
    assert services.deem_overdue_applications_accepted(today=dt.date(2026, 10, 14)) == []  # once


def test_a_supplement_request_stops_deemed_acceptance_and_resubmission_restarts_it(clock):
    clock(dt.date(2026, 9, 29))
    app = submitted_application()
    services.application_request_supplement(application=app, clerk=ClerkFactory(),
                                            items=[{"material": "申请表", "reason": "未签字"}])
    assert services.deem_overdue_applications_accepted(today=dt.date(2026, 10, 20)) == []
    clock(dt.date(2026, 10, 20))
    services.application_resubmit(application=app, applicant=app.applicant, files={})
    app.refresh_from_db()
    assert app.pre_review_due == dt.date(2026, 10, 27)


@pytest.fixture
def subcase(clock):
    clock(dt.date(2026, 9, 29))
    matter = MatterFactory(promised_days=10, legal_days=20, issues_licence=True)
    app = submitted_application(matters=[matter])
    services.application_accept(application=app, clerk=ClerkFactory())
    return app.subcases.get()


def test_special_procedure_stops_the_clock_and_restarts_with_the_days_left(clock, subcase):
    reviewer = ReviewerFactory(department=subcase.department)
    assert subcase.deadline == dt.date(2026, 10, 19)
    with pytest.raises(Invalid):
        services.subcase_suspend(subcase=subcase, reviewer=reviewer, kind="hearing", reason="")
    clock(dt.date(2026, 9, 30))
    pause = services.subcase_suspend(subcase=subcase, reviewer=reviewer, kind="hearing", reason="利害关系人申请听证")
    assert pause.remaining_days == 9  # Oct 8, 9, 10, 12-16, 19
    subcase.refresh_from_db()
    assert subcase.state == SubCase.State.SUSPENDED

    sweep_deadlines(today=dt.date(2026, 10, 22))  # would be red if running; paused clocks get no card
    assert not Card.objects.filter(subcase=subcase, closed_at__isnull=True).exists()

    clock(dt.date(2026, 10, 13))
    services.subcase_resume(subcase=subcase, reviewer=reviewer, result="听证会已举行")
    subcase.refresh_from_db()
    assert subcase.state == SubCase.State.EXAMINING
    assert subcase.paused_days == 5  # Oct 8, 9, 10, 12, 13
    assert subcase.deadline == dt.date(2026, 10, 26)  # 9 working days after Oct 13
    explained = selectors.deadline_explanation(subcase)
    assert explained["pauses"][0]["days"] == 5 and explained["pauses"][0]["kind"] == "听证"
    assert explained["deadline"] == dt.date(2026, 10, 26)


def test_one_extension_of_at_most_ten_days_approved_by_the_leader(clock, subcase):
    reviewer = ReviewerFactory(department=subcase.department)
    leader = ReviewerFactory(department=subcase.department, is_department_leader=True)
    other_leader = ReviewerFactory(is_department_leader=True)
    with pytest.raises(Invalid):
        services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=11, reason="情况复杂")
    extension = services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=10, reason="需现场核查")
    with pytest.raises(Conflict):
        services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=5, reason="再延")
    for who in (reviewer, other_leader):
        with pytest.raises(Forbidden):
            services.subcase_decide_extension(extension=extension, leader=who, approve=True)
    services.subcase_decide_extension(extension=extension, leader=leader, approve=True)
    subcase.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == SubCaseExtension.Status.APPROVED
    assert (extension.old_deadline, subcase.deadline) == (dt.date(2026, 10, 19), dt.date(2026, 11, 2))
    assert subcase.extension_days == 10
    assert subcase.yellow_from == dt.date(2026, 10, 27)  # 20 % of 20 days: from here 4 are left (Oct 28-30, Nov 2)
    with pytest.raises(Conflict):
        services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=1, reason="再延")


def test_a_rejected_extension_can_be_asked_again(clock, subcase):
    reviewer = ReviewerFactory(department=subcase.department)
    leader = ReviewerFactory(department=subcase.department, is_department_leader=True)
    first = services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=10, reason="需现场核查")
    services.subcase_decide_extension(extension=first, leader=leader, approve=False)
    subcase.refresh_from_db()
    assert subcase.deadline == dt.date(2026, 10, 19)
    services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=3, reason="补充说明")


def test_licence_clock_after_approval(clock, subcase):
    reviewer = ReviewerFactory(department=subcase.department)
    clock(dt.date(2026, 9, 30))
    services.subcase_decide(subcase=subcase, reviewer=reviewer, approve=True, reason="")
    subcase.refresh_from_db()
    assert subcase.decided_on == dt.date(2026, 9, 30)
    assert subcase.licence_due == dt.date(2026, 10, 20)  # 10 working days: Oct 8-10, 12-16, 19, 20


def test_reviewer_stops_and_restarts_the_clock_and_the_leader_approves_an_extension_on_the_page(client, clock, subcase):
    reviewer = ReviewerFactory(department=subcase.department)
    leader = ReviewerFactory(department=subcase.department, is_department_leader=True)
    url = f"/review/{subcase.number}/clock/"
    client.force_login(reviewer)
    refused = client.post(url, {"action": "suspend", "kind": "", "reason": ""})
    assert refused.status_code == 400 and "请选择特别程序的种类" in refused.content.decode()
    assert client.post(url, {"action": "suspend", "kind": "expert_review", "reason": "组织专家评审"}).status_code == 302
    page = client.get(f"/review/{subcase.number}/").content.decode()
    assert "专家评审:自" in page and "不计入办理期限" in page
    assert client.post(url, {"action": "resume", "result": "评审通过"}).status_code == 302
    assert client.post(url, {"action": "extend", "days": "5", "reason": "需补充现场核查"}).status_code == 302
    client.force_login(leader)
    assert client.post(url, {"action": "approve_extension"}).status_code == 302
    page = client.get(f"/review/{subcase.number}/").content.decode()
    assert "批准延长 5 个工作日" in page
    client.force_login(SupervisorFactory())
    assert client.post(url, {"action": "resume"}).status_code == 403
