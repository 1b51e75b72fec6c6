"""Entering next year's holidays: until then a deadline reaching into 2027 is provisional (statutory
holidays only) and says so; from 1 November administrators and supervisors see a banner; the
administrator enters 2027 on one form and every open case's provisional deadline moves onto the
new calendar, with a log of what moved. Here the notice comes late: it is January 2027."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import ClerkFactory, MatterFactory, SupervisorFactory, UserFactory, submitted_application
from workflow import services
from workflow.calendar_store import load_calendar, seed_calendar
from workflow.models import CalendarChange, CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db
BEIJING = timezone.get_current_timezone()

# A 2027 arrangement as the State Council's notice would give it: 春节 5-11 Feb with Sat 20 Feb worked.
HOLIDAYS_2027 = """2027-01-01 至 2027-01-03 元旦
2027-02-05 至 2027-02-11 春节
2027-04-03 至 2027-04-05 清明节
2027-05-01 至 2027-05-05 劳动节
2027-06-09 至 2027-06-11 端午节
2027-09-15 至 2027-09-17 中秋节
2027-10-01 至 2027-10-07 国庆节"""
WORKDAYS_2027 = """2027-02-20 春节调休
2027-05-08 劳动节调休
2027-09-18 中秋节调休
2027-09-26 国庆节调休
2027-10-09 国庆节调休"""


@pytest.fixture
def clock(time_machine):
    seed_calendar(years=[2026])

    def set_today(day):
        moment = dt.datetime.combine(day, dt.time(10, 0), tzinfo=BEIJING)
        time_machine.move_to(moment, tick=False)

    return set_today


@pytest.fixture
def admin():
    return UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def open_cases(clock):
    clock(dt.date(2027, 1, 25))
    accepted = submitted_application(matters=[MatterFactory(promised_days=20)])
    services.application_accept(application=accepted, clerk=ClerkFactory())
    clock(dt.date(2027, 2, 1))
    waiting = submitted_application(matters=[MatterFactory(promised_days=5)])
    return accepted.subcases.get(), waiting


def test_deadlines_into_an_unknown_year_are_provisional_and_say_why(open_cases, client):
    subcase, waiting = open_cases
    # 20 days from Mon 25 Jan 2027 on statutory holidays only (除夕 5 Feb to 初三 8 Feb): Feb 24.
    assert (subcase.deadline, subcase.deadline_provisional) == (dt.date(2027, 2, 24), True)
    # 5 days from Mon 1 Feb: 2, 3, 4, (5-8 off), 9, 10.
    assert (waiting.pre_review_due, waiting.pre_review_due_provisional) == (dt.date(2027, 2, 10), True)
    client.force_login(subcase.application.applicant)
    page = client.get(f"/applications/{subcase.application.number}/").content.decode()
    assert "暂定" in page and "2027 年节假日安排尚未发布录入" in page
    api = APIClient()
    api.force_authenticate(waiting.applicant)
    answer = api.get(f"/api/applications/{waiting.number}/").json()
    assert answer["pre_review_due_provisional"] is True


def test_entering_2027_moves_the_open_cases_and_logs_which(open_cases, client, admin):
    subcase, waiting = open_cases
    client.force_login(admin)
    response = client.post("/calendar/enter/", {
        "year": "2027", "mode": "lines", "source": "国务院办公厅关于2027年部分节假日安排的通知",
        "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027})
    assert response.status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()
    assert not load_calendar().is_workday(dt.date(2027, 2, 10)) and load_calendar().is_workday(dt.date(2027, 2, 20))
    subcase.refresh_from_db()
    waiting.refresh_from_db()
    # Feb 24 was the 21st working day after 31 Dec; now 9-11 Feb are off and Sat 20 Feb is worked.
    assert (subcase.deadline, subcase.deadline_provisional) == (dt.date(2027, 2, 26), False)
    # 2, 3, 4, (5-11 off), 12, 15.
    assert (waiting.pre_review_due, waiting.pre_review_due_provisional) == (dt.date(2027, 2, 15), False)
    moves = {(c.field, c.old_date, c.new_date) for c in CalendarChange.objects.filter(year=2027)}
    assert ("deadline", dt.date(2027, 2, 24), dt.date(2027, 2, 26)) in moves
    assert ("pre_review_due", dt.date(2027, 2, 10), dt.date(2027, 2, 15)) in moves
    change = CalendarChange.objects.get(field="deadline")
    assert change.changed_by == admin and change.subcase == subcase
    entry = subcase.application.log.get(action="workflow.calendar.deadline_moved")
    assert "2027-02-24 → 2027-02-26" in entry.note
    page = client.get("/calendar/enter/?year=2027").content.decode()
    assert subcase.number in page and "2027-02-26" in page
    client.force_login(subcase.application.applicant)
    assert "暂定" not in client.get(f"/applications/{subcase.application.number}/").content.decode()


def test_bad_entries_change_nothing_and_say_why_in_chinese(open_cases, client, admin):
    client.force_login(admin)
    response = client.post("/calendar/enter/", {
        "year": "2027", "mode": "lines", "source": "通知", "holidays": HOLIDAYS_2027 + "\n2027-02-30 春节",
        "workdays": WORKDAYS_2027 + "\n2027-02-06 春节调休\n2027-03-03 调休"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "2027年2月30日不是有效日期" in page
    assert not CalendarYear.objects.filter(year=2027).exists() and not CalendarDay.objects.filter(date__year=2027).exists()
    response = client.post("/calendar/enter/", {
        "year": "2027", "mode": "lines", "source": "通知", "holidays": HOLIDAYS_2027,
        "workdays": WORKDAYS_2027 + "\n2027-02-06 春节调休\n2027-03-03 调休"})
    page = response.content.decode()
    assert "2027-02-06 既是放假日又是调休上班日" in page and "2027-03-03 是工作日(星期三),不是周末" in page
    assert not CalendarChange.objects.exists()


def test_a_year_out_of_range_a_missing_source_or_a_forged_mode_is_refused_and_the_text_kept(open_cases, client, admin):
    """The page's form (workflow.forms.CalendarEnterForm): each refusal names its field in Chinese,
    shows the pasted lines again and writes nothing."""
    client.force_login(admin)
    body = {"year": "2027", "mode": "lines", "source": "通知", "holidays": HOLIDAYS_2027, "workdays": WORKDAYS_2027}
    for change, message in (({"year": "1999"}, "请填写2000至2100之间的年份"), ({"year": "二〇二七"}, "请填写2000至2100之间的年份"),
                            ({"source": "  "}, "请填写来源"), ({"mode": "guess"}, "请选择录入方式"),
                            ({"note": "备" * 256}, "备注不能超过255个字")):
        response = client.post("/calendar/enter/", {**body, **change})
        page = response.content.decode()
        assert response.status_code == 400 and message in page and "未作任何修改" in page, change
        assert HOLIDAYS_2027.splitlines()[0] in page  # the lines typed are kept
    assert not CalendarYear.objects.filter(year=2027).exists() and not CalendarChange.objects.exists()


def test_only_an_administrator_enters_a_year(open_cases, client):
    for user in (SupervisorFactory(), ClerkFactory(), UserFactory()):
        client.force_login(user)
        assert client.get("/calendar/enter/").status_code == 403
        assert client.post("/calendar/enter/", {"year": "2027"}).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_banner_from_1_november_for_administrators_and_supervisors(clock, client, admin):
    supervisor, citizen = SupervisorFactory(), UserFactory()
    clock(dt.date(2026, 10, 31))
    client.force_login(supervisor)
    assert "calendar-banner" not in client.get("/").content.decode()
    clock(dt.date(2026, 11, 1))
    # A fresh sign-in each time: force_login keeps the session's data, and with the sessions in
    # Redis (CI) the session of 31 October is still there when the clock jumps a day, so the idle
    # timeout (staff: 30 minutes) would sign the supervisor out first.
    for user, shown in ((supervisor, True), (admin, True), (citizen, False)):
        client.logout()
        client.force_login(user)
        assert ("2027 年节假日安排尚未录入" in client.get("/").content.decode()) is shown
    CalendarYear.objects.create(year=2027, source="通知")
    client.logout()
    client.force_login(supervisor)
    assert "calendar-banner" not in client.get("/").content.decode()


def test_the_notice_pasted_as_it_is(open_cases, client, admin):
    notice = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至11日（农历正月初七、周四）放假调休，共7天。2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。5月8日（周六）上班。
五、端午节：6月9日（周三）至11日（周五）放假，共3天。
六、中秋节：9月15日（周三）至17日（周五）放假调休，共3天。9月18日（周六）上班。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。"""
    client.force_login(admin)
    response = client.post("/calendar/enter/", {"year": "2027", "mode": "notice", "source": "国办发明电〔2026〕号",
                                                "notice": notice})
    assert response.status_code == 302
    stored = dict(CalendarDay.objects.filter(date__year=2027).values_list("date", "is_workday"))
    assert stored[dt.date(2027, 2, 10)] is False and stored[dt.date(2027, 2, 20)] is True
    assert dt.date(2027, 2, 6) not in stored  # a Saturday within the holiday changes nothing
    subcase, _waiting = open_cases
    subcase.refresh_from_db()
    assert (subcase.deadline, subcase.deadline_provisional) == (dt.date(2027, 2, 26), False)


def test_a_card_on_a_provisional_deadline_says_so_on_the_dashboard(open_cases, client, clock):
    from supervision.cards.services import sweep_deadlines
    from supervision.models import Card

    subcase, _waiting = open_cases
    clock(dt.date(2027, 2, 22))
    sweep_deadlines(today=dt.date(2027, 2, 22))  # 2 working days left to the provisional Feb 24
    card = Card.objects.get(subcase=subcase, closed_at__isnull=True)
    assert (card.level, card.due, card.due_provisional) == ("yellow", dt.date(2027, 2, 24), True)
    client.force_login(SupervisorFactory())
    for url in (f"/supervision/cards/{card.pk}/", "/supervision/"):
        page = client.get(url).content.decode()
        assert "暂定" in page and "2027 年节假日安排尚未发布录入" in page, url
