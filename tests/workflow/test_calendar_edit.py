"""An administrator changes single days of a year already entered (a holiday added late, a day
taken back) in /admin/: the stored deadlines of open cases counted over that day move, each move is
logged (CalendarChange and the case log), a case that started after the day keeps its deadline,
and a day that would not be an exception, or a year not entered, is refused in Chinese."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import User
from tests.factories import ClerkFactory, MatterFactory, UserFactory, submitted_application
from workflow import calendar_store, services
from workflow.models import CalendarChange, CalendarDay, CaseLog

pytestmark = pytest.mark.django_db
BEIJING = timezone.get_current_timezone()
ADMIN_DAYS = "/admin/workflow/calendarday/"


@pytest.fixture
def clock(time_machine):
    calendar_store.seed_calendar(years=[2026])

    def set_today(day):
        time_machine.move_to(dt.datetime.combine(day, dt.time(10, 0), tzinfo=BEIJING), tick=False)

    return set_today


@pytest.fixture
def admin():
    return UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


def accepted_subcase(promised_days):
    application = submitted_application(matters=[MatterFactory(promised_days=promised_days)])
    services.application_accept(application=application, clerk=ClerkFactory())
    return application.subcases.get()


def test_a_holiday_added_late_moves_the_deadlines_counted_over_it(clock, admin, client):
    clock(dt.date(2026, 12, 1))  # Tuesday
    early = accepted_subcase(10)
    assert early.deadline == dt.date(2026, 12, 15)
    yellow_before = early.yellow_from
    clock(dt.date(2026, 12, 11))
    late = accepted_subcase(3)  # started after the day changed below: 14, 15, 16 December
    assert late.deadline == dt.date(2026, 12, 16)

    client.force_login(admin)
    response = client.post(f"{ADMIN_DAYS}add/", {"date": "2026-12-10", "name": "临时放假", "_save": "1"}, follow=True)
    assert "已据此调整 2 个期限" in response.content.decode()  # its deadline and its yellow-card day
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.deadline == dt.date(2026, 12, 16)  # Thursday 10 December is off now: one working day later
    assert late.deadline == dt.date(2026, 12, 16)
    assert early.yellow_from > yellow_before
    change = CalendarChange.objects.get(field="deadline")
    assert (change.subcase, change.field, change.old_date, change.new_date, change.changed_by) == (
        early, "deadline", dt.date(2026, 12, 15), dt.date(2026, 12, 16), admin)
    assert CaseLog.objects.filter(application=early.application, action="workflow.calendar.deadline_moved",
                                  note__contains="2026-12-10").exists()

    day = CalendarDay.objects.get(date=dt.date(2026, 12, 10))
    client.post(f"{ADMIN_DAYS}{day.pk}/delete/", {"post": "yes"})
    early.refresh_from_db()
    assert early.deadline == dt.date(2026, 12, 15)  # taken back: the day counts again
    assert not CalendarDay.objects.filter(date=dt.date(2026, 12, 10)).exists()
    assert CalendarChange.objects.filter(field="deadline").count() == 2


def test_days_that_are_no_exception_and_years_not_entered_are_refused(clock, admin, client):
    clock(dt.date(2026, 12, 1))
    subcase = accepted_subcase(10)
    client.force_login(admin)
    for data, message in [
        ({"date": "2026-12-12", "name": "周六放假"}, "本来就休息"),
        ({"date": "2026-12-09", "is_workday": "on", "name": "周三上班"}, "本来就是工作日"),
        ({"date": "2028-03-01", "name": "未录入年度"}, "2028 年的节假日安排尚未录入"),
    ]:
        response = client.post(f"{ADMIN_DAYS}add/", {**data, "_save": "1"})
        assert response.status_code == 200 and message in response.content.decode()
    subcase.refresh_from_db()
    assert subcase.deadline == dt.date(2026, 12, 15)
    assert not CalendarDay.objects.filter(date__month=12, date__year=2026, name__in=["周六放假", "周三上班"]).exists()
    assert not CalendarChange.objects.exists()


def test_only_administrators_edit_days(clock):
    clerk = ClerkFactory()
    with pytest.raises(Exception) as refused:
        calendar_store.edit_days(admin=clerk, changes={dt.date(2026, 12, 10): (False, "临时放假")})
    assert getattr(refused.value, "code", "") == "not_an_administrator"
    assert not CalendarDay.objects.filter(date=dt.date(2026, 12, 10)).exists()
