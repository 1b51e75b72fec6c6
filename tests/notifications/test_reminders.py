"""What a person must do, reminded through the one notification service: a supplement notice still
unanswered 3 and 10 days on, a result waiting at the hall 3 and 10 days on, a case handed out and
not rated 3 days on — each once however often the hourly sweep runs, none once it is done."""

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from notifications.models import Kind, Message
from supervision import tasks as supervision_tasks
from supervision.feedback import ratings
from supervision.feedback.models import Occasion
from tests.factories import ClerkFactory, concluded_application, files_for, submitted_application
from workflow import services
from workflow import tasks as workflow_tasks
from workflow.calendar_store import seed_calendar

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])


@pytest.fixture
def on(time_machine):
    def move(day):
        time_machine.move_to(dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_current_timezone()),
                             tick=False)
    return move


def reminders(user, kind):
    return list(Message.objects.filter(recipient=user, kind=kind).order_by("pk").values_list("dedupe_key", flat=True))


def sweep():
    for _ in range(2):  # the beat runs the sweeps every hour of the day
        workflow_tasks.send_reminders()
        supervision_tasks.send_reminders()


def test_a_supplement_still_owed_is_reminded_after_3_and_10_days(on):
    on(D(2026, 12, 7))
    app = submitted_application()
    services.application_request_supplement(application=app, clerk=ClerkFactory(), note="请补齐",
                                            items=[{"material": "申请表", "reason": "未签名"}])
    request = app.supplement_requests.get()
    for day in (D(2026, 12, 7), D(2026, 12, 9)):
        on(day)
        sweep()
    assert reminders(app.applicant, Kind.SUPPLEMENT_DUE) == []
    on(D(2026, 12, 10))
    sweep()
    assert reminders(app.applicant, Kind.SUPPLEMENT_DUE) == [f"supplement-waiting:{request.pk}:3"]
    message = Message.objects.get(recipient=app.applicant, kind=Kind.SUPPLEMENT_DUE)
    assert app.number in message.title and "2026-12-07" in message.body and message.link.endswith(f"{app.number}/")
    on(D(2026, 12, 17))
    sweep()
    assert len(reminders(app.applicant, Kind.SUPPLEMENT_DUE)) == 2

    app.refresh_from_db()
    requirement = app.matters.get().materials.first()
    services.application_resubmit(application=app, applicant=app.applicant,
                                  files={f"material_{requirement.pk}": files_for(app.matters.all())[f"material_{requirement.pk}"]})
    on(D(2026, 12, 31))
    sweep()
    assert len(reminders(app.applicant, Kind.SUPPLEMENT_DUE)) == 2  # answered: no more


def test_a_result_waiting_at_the_hall_is_reminded_then_a_rating_once_handed_out(on):
    on(D(2026, 12, 7))
    clerk = ClerkFactory()
    case = concluded_application(clerk=clerk)
    with mock.patch("workflow.documents.generate_notice"):
        services.prepare_result(application_id=case.pk)
    case.refresh_from_db()
    assert case.state == "result_ready" and case.delivery_method == "hall"
    on(D(2026, 12, 9))
    sweep()
    assert reminders(case.applicant, Kind.COLLECT_DUE) == []
    on(D(2026, 12, 10))
    sweep()
    assert reminders(case.applicant, Kind.COLLECT_DUE) == [f"collect:{case.pk}:3"]
    assert "综合出件窗口" in Message.objects.get(recipient=case.applicant, kind=Kind.COLLECT_DUE).body

    on(D(2026, 12, 11))
    services.application_deliver(application=case, clerk=clerk, id_number=case.applicant.id_number)
    on(D(2026, 12, 13))
    sweep()
    assert reminders(case.applicant, Kind.RATING_DUE) == []  # two days after the hand-out
    for day in (D(2026, 12, 14), D(2026, 12, 17)):
        on(day)
        sweep()
    assert reminders(case.applicant, Kind.COLLECT_DUE) == [f"collect:{case.pk}:3"]  # collected: no 10-day one
    assert reminders(case.applicant, Kind.RATING_DUE) == [f"rating-due:{case.pk}"]  # once
    message = Message.objects.get(recipient=case.applicant, kind=Kind.RATING_DUE)
    assert message.link == f"/applications/{case.number}/rate/"


def handed_out(clerk, day, on):
    on(day)
    case = concluded_application(clerk=clerk)
    with mock.patch("workflow.documents.generate_notice"):
        services.prepare_result(application_id=case.pk)
    return services.application_deliver(application=case, clerk=clerk, id_number=case.applicant.id_number)


def test_a_rated_case_or_one_past_its_rating_period_is_not_reminded(on):
    clerk = ClerkFactory()
    expired = handed_out(clerk, D(2026, 11, 2), on)  # its links run out on Dec 2
    rated, unrated = handed_out(clerk, D(2026, 11, 30), on), handed_out(clerk, D(2026, 11, 30), on)
    link = next(t for t in ratings.rating_tokens_for(rated) if t.occasion == Occasion.WINDOW_DELIVER)
    ratings.rating_submit(token=link, level=5)
    on(D(2026, 12, 3))  # the first sweep after all three
    sweep()
    assert reminders(expired.applicant, Kind.RATING_DUE) == [] and reminders(rated.applicant, Kind.RATING_DUE) == []
    assert reminders(unrated.applicant, Kind.RATING_DUE) == [f"rating-due:{unrated.pk}"]


def test_every_reminder_sweep_runs_hourly_in_the_day():
    for name in ("workflow-send-reminders", "windows-send-reminders", "exchange-send-reminders",
                 "supervision-send-reminders", "market-send-reminders"):
        schedule = django_settings.CELERY_BEAT_SCHEDULE[name]
        assert sorted(schedule["schedule"].hour) == list(range(8, 21)), name
