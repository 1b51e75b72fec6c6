"""The 行政许可法 enforced on cases, online and at a window: after the 5th working day (art. 32)
no clerk can obtain a later acceptance date or a supplement notice; deemed acceptance happens when
a case is read or acted on, without the hourly task; an overdue case cannot be extended (art. 42).
2026 calendar: Tue 29 Sep received → the window must decide by Mon 12 Oct (National Day between)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import Conflict
from tests.factories import (
    ClerkFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    files_for,
    form_for,
    submitted_application,
)
from workflow import rules, selectors, services
from workflow.calendar_store import seed_calendar
from workflow.models import Application

pytestmark = pytest.mark.django_db
BEIJING = timezone.get_current_timezone()
RECEIVED, DUE, DAY_SIX = dt.date(2026, 9, 29), dt.date(2026, 10, 12), dt.date(2026, 10, 13)


@pytest.fixture
def clock(time_machine):
    seed_calendar(years=[2026])

    def set_today(day):
        moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=BEIJING)
        time_machine.move_to(moment, tick=False)

    set_today(RECEIVED)
    return set_today


def window_registration(clerk):
    """Registered at the clerk's window and left without a decision (材料待核)."""
    matters = [MatterFactory(promised_days=10)]
    applicant = UserFactory()
    desk = rules.clerk_desk(clerk, category=matters[0].target)
    return services.application_receive_at_window(submission=services.Submission(
        applicant=applicant, matters=matters, form_data=form_for(matters, applicant), files=files_for(matters),
    ), clerk=clerk, hall_id=desk.hall_id)


@pytest.fixture(params=["online", "window"])
def received(request, clock):
    """An application received on 29 Sep, online or registered at a window."""
    clerk = ClerkFactory()
    if request.param == "online":
        application = submitted_application(matters=[MatterFactory(promised_days=10)])
    else:
        application = window_registration(clerk)
    return application, clerk


def test_both_channels_get_the_art32_clock(received):
    application, _clerk = received
    assert (application.received_on, application.pre_review_due, application.pre_review_due_provisional) == (
        RECEIVED, DUE, False)


def test_on_day_five_the_clerk_still_decides(received, clock):
    application, clerk = received
    clock(DUE)
    services.application_accept(application=application, clerk=clerk)
    application.refresh_from_db()
    assert (application.accepted_on, application.deemed_accepted) == (DUE, False)


def test_after_day_five_acceptance_records_the_day_of_receipt(received, clock):
    application, clerk = received
    clock(DAY_SIX)
    services.application_accept(application=application, clerk=clerk)
    application.refresh_from_db()
    assert (application.state, application.accepted_on, application.deemed_accepted) == ("accepted", RECEIVED, True)
    assert application.subcases.get().deadline == dt.date(2026, 10, 19)  # 10 days from 29 Sep, not from 13 Oct
    entry = application.log.get(action="workflow.application.deemed_accepted")
    assert entry.actor == clerk and "第三十二条" in entry.note


def test_after_day_five_no_supplement_notice(received, clock):
    application, clerk = received
    clock(DAY_SIX)
    with pytest.raises(Conflict) as refused:
        services.application_request_supplement(application=application, clerk=clerk,
                                                items=[{"material": "申请表", "reason": "未签字"}])
    assert refused.value.code == "deemed_accepted" and "《行政许可法》第三十二条" in refused.value.message
    application.refresh_from_db()
    assert (application.state, application.accepted_on) == ("accepted", RECEIVED)
    assert not application.supplement_requests.exists()


def test_after_day_five_no_refusal_either(received, clock):
    application, clerk = received
    clock(DAY_SIX)
    with pytest.raises(Conflict) as refused:
        services.application_refuse(application=application, clerk=clerk, reason="材料不符合法定形式")
    assert refused.value.code == "deemed_accepted"
    application.refresh_from_db()
    assert application.state == "accepted"


def test_deemed_on_read_without_any_task(received, clock):
    application, _clerk = received
    clock(DAY_SIX)
    read = selectors.access_application(application.applicant, application.number)
    assert (read.state, read.accepted_on, read.deemed_accepted) == ("accepted", RECEIVED, True)
    assert Application.objects.get(pk=application.pk).subcases.count() == 1


def test_window_resubmission_restarts_the_clock(clock):
    clerk = ClerkFactory()
    application = window_registration(clerk)
    services.application_request_supplement(application=application, clerk=clerk,
                                            items=[{"material": "申请表", "reason": "未签字"}])
    clock(dt.date(2026, 10, 20))
    services.application_supplement_at_window(application=application, clerk=clerk, received=[])
    application.refresh_from_db()
    assert (application.received_on, application.pre_review_due) == (dt.date(2026, 10, 20), dt.date(2026, 10, 27))
    clock(dt.date(2026, 10, 28))
    services.application_accept(application=application, clerk=clerk)
    application.refresh_from_db()
    assert (application.accepted_on, application.deemed_accepted) == (dt.date(2026, 10, 20), True)


def test_api_refuses_a_late_supplement_with_409(clock):
    clerk = ClerkFactory()
    application = submitted_application(matters=[MatterFactory(promised_days=10)])
    clock(DAY_SIX)
    api = APIClient()
    api.force_authenticate(clerk)
    response = api.post(f"/api/applications/{application.number}/request-supplement/",
                        {"items": [{"material": "申请表", "reason": "未签字"}], "note": ""}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "deemed_accepted" and "第三十二条" in response.json()["message"]
    detail = api.get(f"/api/applications/{application.number}/").json()
    assert detail["state"] == "accepted" and detail["deemed_accepted"] is True
    assert detail["received_on"] == "2026-09-29" and detail["pre_review_due_provisional"] is False


def test_page_says_why_a_late_supplement_is_refused(client, clock):
    clerk = ClerkFactory()
    application = submitted_application(matters=[MatterFactory(promised_days=10)])
    clock(DAY_SIX)
    client.force_login(clerk)
    response = client.post(f"/applications/{application.number}/supplement/",
                           {"extra_material": "申请表", "extra_reason": "未签字"})
    page = response.content.decode()
    assert response.status_code == 409 and "《行政许可法》第三十二条" in page


# --- art. 42: no extension of an overdue case -------------------------------------------------------


@pytest.fixture
def subcase(clock):
    application = submitted_application(matters=[MatterFactory(promised_days=10)])
    services.application_accept(application=application, clerk=ClerkFactory())
    return application.subcases.get()  # due Mon 19 Oct


def test_an_overdue_case_cannot_be_extended(clock, subcase):
    reviewer = ReviewerFactory(department=subcase.department)
    clock(dt.date(2026, 10, 20))
    with pytest.raises(Conflict) as refused:
        services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=5, reason="需现场核查")
    assert refused.value.code == "extension_after_deadline" and "第四十二条" in refused.value.message
    assert not subcase.extensions.exists()


def test_an_extension_asked_in_time_cannot_be_approved_after_the_deadline(clock, subcase):
    reviewer = ReviewerFactory(department=subcase.department)
    leader = ReviewerFactory(department=subcase.department, is_department_leader=True)
    clock(dt.date(2026, 10, 19))  # the last day: still in time to ask
    extension = services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=5, reason="需现场核查")
    clock(dt.date(2026, 10, 20))
    with pytest.raises(Conflict) as refused:
        services.subcase_decide_extension(extension=extension, leader=leader, approve=True)
    assert refused.value.code == "extension_after_deadline"
    subcase.refresh_from_db()
    extension.refresh_from_db()
    assert (subcase.deadline, subcase.extension_days, extension.status) == (dt.date(2026, 10, 19), 0, "pending")


def test_an_extension_approved_in_time_tells_the_applicant_the_reason(clock, subcase, django_capture_on_commit_callbacks):
    from tests.workflow.test_documents import pdf_text
    from workflow import tasks

    reviewer = ReviewerFactory(department=subcase.department)
    leader = ReviewerFactory(department=subcase.department, is_department_leader=True)
    extension = services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=5, reason="需现场核查")
    with django_capture_on_commit_callbacks() as queued:
        services.subcase_decide_extension(extension=extension, leader=leader, approve=True)
    assert queued  # the extension notice is queued on commit
    tasks.generate_notice(subcase.application_id, "extension", subcase.pk, str(extension.pk))
    text = pdf_text(subcase.application.notices.get(kind="extension"))
    assert "需现场核查" in text and "第四十二条" in text
    subcase.refresh_from_db()
    assert subcase.deadline == dt.date(2026, 10, 26)
