"""The calendar tables: seeding from chinese_calendar, loading into a WorkCalendar."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from tests.core.test_calendar import PACKAGE_YEARS, package_calendar
from workflow.calendar_store import load_calendar, seed_calendar
from workflow.models import CalendarDay, CalendarYear

D = date.fromisoformat
SOURCE = "chinese-calendar 1.11.0(国务院办公厅节假日安排)"

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(CalendarYear.objects.order_by("year").values_list("year", "source", "note")),
        list(CalendarDay.objects.order_by("date").values_list("id", "date", "is_workday", "name")),
    )


def test_empty_tables_give_the_statutory_holidays_provisionally():
    # No year known: the holidays fixed by 《全国年节及纪念日放假办法》 are off, no make-up days.
    cal = load_calendar(today=D("2026-12-03"))
    assert not cal.is_workday(D("2026-10-01"))
    assert not cal.is_workday(D("2027-02-05"))  # 2027 除夕 (Friday)
    assert cal.is_workday(D("2026-10-08"))  # a Thursday: the notice's extra days are not known
    assert not cal.is_workday(D("2026-10-10"))  # nor its make-up Saturday
    assert cal.assumed_years(D("2026-10-01"), D("2026-10-01")) == [2026]
    assert cal.is_provisional(D("2026-10-01"), D("2026-10-01"))


def test_seed_then_load_answers_like_the_package():
    assert seed_calendar() == PACKAGE_YEARS
    loaded, pure = load_calendar(), package_calendar()
    assert loaded.known_years == pure.known_years
    d = D("2004-01-01")
    while d <= D("2026-12-31"):
        assert loaded.is_workday(d) == pure.is_workday(d), d
        d += timedelta(days=1)
    # 2027 is not in the package: loaded, it has its statutory holidays (元旦 a Friday), provisionally
    assert pure.is_workday(D("2027-01-01")) and not loaded.is_workday(D("2027-01-01"))
    assert loaded.is_provisional(D("2026-12-31"), D("2027-01-04"))
    assert loaded.add_workdays(D("2026-09-30"), 1) == D("2026-10-08")
    assert loaded.add_workdays(D("2026-09-29"), 5) == D("2026-10-12")


def test_seed_stores_only_exceptions_with_chinese_names():
    seed_calendar([2026])
    assert CalendarYear.objects.get(year=2026).source == SOURCE
    rows = {r.date: (r.is_workday, r.name) for r in CalendarDay.objects.all()}
    assert all(d.year == 2026 for d in rows)
    assert rows[D("2026-10-01")] == (False, "国庆节")
    assert rows[D("2026-09-25")] == (False, "中秋节")
    assert rows[D("2026-10-10")] == (True, "国庆节调休")
    assert rows[D("2026-09-20")] == (True, "国庆节调休")
    assert rows[D("2026-02-16")] == (False, "春节")
    assert rows[D("2026-01-01")] == (False, "元旦")
    assert rows[D("2026-04-06")] == (False, "清明节")
    assert rows[D("2026-05-05")] == (False, "劳动节")
    assert rows[D("2026-06-19")] == (False, "端午节")
    assert D("2026-10-03") not in rows  # a Saturday inside the holiday changes nothing
    assert all((d.weekday() >= 5) == is_workday for d, (is_workday, _) in rows.items())
    assert len(rows) == 19 + 6


def test_special_holiday_name():
    seed_calendar([2015])
    assert CalendarDay.objects.get(date=D("2015-09-03")).name == "抗战胜利纪念日"


def test_seeding_twice_changes_nothing():
    seed_calendar()
    first = snapshot()
    assert seed_calendar() == PACKAGE_YEARS
    assert snapshot() == first


def test_seeding_repairs_a_changed_seeded_row():
    seed_calendar([2026])
    CalendarDay.objects.filter(date=D("2026-10-08")).delete()  # not in the package: stays absent
    CalendarDay.objects.filter(date=D("2026-10-01")).update(name="x", is_workday=True)
    CalendarDay.objects.filter(date=D("2026-10-02")).delete()
    seed_calendar([2026])
    assert CalendarDay.objects.get(date=D("2026-10-01")).name == "国庆节"
    assert not CalendarDay.objects.get(date=D("2026-10-01")).is_workday
    assert CalendarDay.objects.filter(date=D("2026-10-02"), is_workday=False).exists()


def test_administrator_year_is_respected_and_not_overwritten():
    CalendarYear.objects.create(year=2027, source="区政府通知", note="本区2027年安排")
    CalendarDay.objects.create(date=D("2027-03-15"), is_workday=False, name="区庆")
    before = load_calendar()
    assert not before.is_workday(D("2027-03-15"))
    assert before.add_workdays(D("2027-03-12"), 1) == D("2027-03-16")
    assert before.assumed_years(D("2027-03-12"), D("2027-03-16")) == []

    # 2026 by hand too: seeding must leave it alone, including its missing National Day.
    CalendarYear.objects.create(year=2026, source="区政府通知")
    CalendarDay.objects.create(date=D("2026-05-06"), is_workday=False, name="本地节日")
    written = seed_calendar()
    assert 2026 not in written and 2027 not in written
    assert CalendarYear.objects.get(year=2026).source == "区政府通知"
    assert CalendarYear.objects.get(year=2027).note == "本区2027年安排"
    assert not CalendarDay.objects.filter(date__year=2026).exclude(date=D("2026-05-06")).exists()
    after = load_calendar()
    assert not after.is_workday(D("2027-03-15"))
    assert not after.is_workday(D("2026-05-06"))
    assert after.is_workday(D("2026-10-01"))  # the administrator's 2026 has no National Day
    assert not after.is_workday(D("2025-10-01"))  # seeded


def test_administrator_day_in_a_seeded_year_survives_reseeding():
    seed_calendar([2026])
    CalendarDay.objects.create(date=D("2026-11-20"), is_workday=False, name="区庆")
    seed_calendar([2026])
    assert CalendarDay.objects.get(date=D("2026-11-20")).name == "区庆"
    assert not load_calendar().is_workday(D("2026-11-20"))


def test_seeding_a_year_the_package_does_not_know_is_refused():
    with pytest.raises(ValueError):
        seed_calendar([2027])
    assert not CalendarYear.objects.exists()


def test_command_prints_the_years_in_chinese():
    CalendarYear.objects.create(year=2005, source="区政府通知")
    out = StringIO()
    call_command("seed_calendar", "--year", "2026", "--year", "2005", stdout=out)
    text = out.getvalue()
    assert "已写入日历年度:2026" in text
    assert "未覆盖:2005" in text
    assert CalendarYear.objects.get(year=2026).source == SOURCE
