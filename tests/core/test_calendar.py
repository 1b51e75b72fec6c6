"""WorkCalendar: pure working-day arithmetic, checked against the chinese_calendar package and
against a day-by-day count. No database."""

import random
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from chinese_calendar import constants

from core.clock.calendar import WorkCalendar

D = date.fromisoformat
PACKAGE_YEARS = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})


def package_calendar():
    """A WorkCalendar straight from chinese_calendar, storing only the exceptions to the
    ordinary week as seeding does (weekday holidays, weekend working days)."""
    return WorkCalendar(
        days_off=[d for d in constants.holidays if d.weekday() < 5],
        extra_workdays=[d for d in constants.workdays if d.weekday() >= 5],
        known_years=PACKAGE_YEARS,
    )


@pytest.fixture(scope="module")
def cal():
    return package_calendar()


def days(a, b):
    d = a
    while d <= b:
        yield d
        d += timedelta(days=1)


# Oracles: one day at a time.
def naive_add(cal, start, n):
    d = start
    while n:
        d += timedelta(days=1)
        n -= cal.is_workday(d)
    return d


def naive_between(cal, a, b):
    return sum(cal.is_workday(d) for d in days(a + timedelta(days=1), b))


def test_package_covers_2004_to_2026():
    assert PACKAGE_YEARS == list(range(2004, 2027))


def test_is_workday_agrees_with_package_for_every_known_day(cal):
    for d in days(D("2004-01-01"), D("2026-12-31")):
        assert cal.is_workday(d) == chinese_calendar.is_workday(d), d


def test_national_day_2026(cal):
    assert not cal.is_workday(D("2026-09-25"))  # 中秋节, a Friday
    assert cal.is_workday(D("2026-09-20"))  # Sunday, 国庆节调休
    assert all(not cal.is_workday(D(f"2026-10-0{i}")) for i in range(1, 8))
    assert cal.is_workday(D("2026-10-10"))  # Saturday, 国庆节调休
    assert not cal.is_workday(D("2026-10-11"))  # an ordinary Sunday

    assert cal.add_workdays(D("2026-09-30"), 1) == D("2026-10-08")
    # Sep 30, Oct 8, Oct 9, Sat Oct 10 (调休), Mon Oct 12.
    assert cal.add_workdays(D("2026-09-29"), 5) == D("2026-10-12")
    assert cal.add_workdays(D("2026-09-30"), 5) == D("2026-10-13")
    # Mid-Autumn: Thu Sep 24 + 1 skips Fri 25 and the weekend.
    assert cal.add_workdays(D("2026-09-24"), 1) == D("2026-09-28")
    # Sat Sep 19 + 1 is the make-up Sunday.
    assert cal.add_workdays(D("2026-09-19"), 1) == D("2026-09-20")
    assert cal.workdays_between(D("2026-09-30"), D("2026-10-12")) == 4
    assert cal.workdays_between(D("2026-09-30"), D("2026-10-07")) == 0


def test_spring_festival_2026(cal):
    # Holiday Sun Feb 15 - Mon Feb 23; Sat Feb 14 and Sat Feb 28 are make-up working days.
    assert cal.is_workday(D("2026-02-14"))
    assert all(not cal.is_workday(d) for d in days(D("2026-02-15"), D("2026-02-23")))
    assert cal.is_workday(D("2026-02-28"))
    assert cal.add_workdays(D("2026-02-13"), 1) == D("2026-02-14")
    assert cal.add_workdays(D("2026-02-14"), 1) == D("2026-02-24")
    # Feb 24, 25, 26, 27, Sat 28, Mon Mar 2.
    assert cal.add_workdays(D("2026-02-14"), 6) == D("2026-03-02")
    # The legal 20 working days from an acceptance on Feb 12: Feb 13, 14, 24-28 (7), then
    # Mar 2-6, 9-13 (17), 16, 17, 18.
    assert cal.add_workdays(D("2026-02-12"), 20) == D("2026-03-18")


def test_deadline_starting_on_a_holiday(cal):
    # Accepted (online) on National Day itself: the clock starts with the first working day.
    assert cal.add_workdays(D("2026-10-03"), 1) == D("2026-10-08")
    assert cal.add_workdays(D("2026-10-01"), 3) == D("2026-10-10")
    assert cal.add_workdays(D("2026-02-17"), 1) == D("2026-02-24")


def test_zero_days_is_the_same_day(cal):
    assert cal.add_workdays(D("2026-09-30"), 0) == D("2026-09-30")
    assert cal.add_workdays(D("2026-10-01"), 0) == D("2026-10-01")  # even a holiday
    assert cal.subtract_workdays(D("2026-10-08"), 0) == D("2026-10-08")


def test_bad_arguments(cal):
    with pytest.raises(ValueError):
        cal.add_workdays(D("2026-09-30"), -1)
    with pytest.raises(ValueError):
        cal.subtract_workdays(D("2026-09-30"), -1)
    with pytest.raises(TypeError):
        cal.add_workdays(datetime(2026, 9, 30, 20, 0), 1)  # a datetime is not a Beijing date
    with pytest.raises(TypeError):
        cal.add_workdays(D("2026-09-30"), 1.0)
    with pytest.raises(ValueError):
        WorkCalendar(days_off=[D("2026-10-10")], extra_workdays=[D("2026-10-10")], known_years=[2026])
    with pytest.raises(OverflowError):
        cal.add_workdays(D("9999-12-01"), 100)


def test_workdays_between_empty_when_not_after(cal):
    assert cal.workdays_between(D("2026-10-08"), D("2026-10-08")) == 0
    assert cal.workdays_between(D("2026-10-09"), D("2026-10-08")) == 0
    assert cal.workdays_between(D("2026-10-08"), D("2026-10-09")) == 1


def test_add_matches_day_by_day_count(cal):
    rng = random.Random(20260930)
    for _ in range(2000):
        start = D("2003-06-01") + timedelta(days=rng.randrange(9000))
        n = rng.choice([1, 2, 3, 5, 10, 20, 30, rng.randrange(1, 400)])
        assert cal.add_workdays(start, n) == naive_add(cal, start, n), (start, n)


def test_add_thousands_of_days(cal):
    start = D("2015-01-01")
    assert cal.add_workdays(start, 3650) == naive_add(cal, start, 3650)
    assert cal.add_workdays(start, 5000) == naive_add(cal, start, 5000)


def test_between_matches_day_by_day_count(cal):
    rng = random.Random(7)
    for _ in range(1000):
        a = D("2003-06-01") + timedelta(days=rng.randrange(9000))
        b = a + timedelta(days=rng.randrange(-5, 500))
        assert cal.workdays_between(a, b) == naive_between(cal, a, b), (a, b)


def test_between_and_add_agree(cal):
    """add_workdays(s, n) is the first day d with workdays_between(s, d) == n, and a working day."""
    for start in days(D("2025-12-01"), D("2027-01-31")):
        for n in (1, 2, 5, 20):
            deadline = cal.add_workdays(start, n)
            assert cal.is_workday(deadline)
            assert cal.workdays_between(start, deadline) == n
            assert cal.workdays_between(start, deadline - timedelta(days=1)) == n - 1


def test_subtract_is_the_inverse(cal):
    rng = random.Random(42)
    checked = 0
    while checked < 2000:
        end = D("2003-06-01") + timedelta(days=rng.randrange(9000))
        if not cal.is_workday(end):
            continue
        n = rng.choice([0, 1, 2, 4, 20, rng.randrange(300)])
        w = cal.subtract_workdays(end, n)
        assert cal.is_workday(w)
        assert cal.workdays_between(w, end) == n, (end, n, w)
        # and w is the first day from which at most n working days remain ("yellow from").
        assert cal.workdays_between(w - timedelta(days=1), end) == n + 1
        checked += 1


def test_subtract_gives_yellow_from_date(cal):
    deadline = D("2026-10-13")
    yellow_from = cal.subtract_workdays(deadline, 2)
    assert yellow_from == D("2026-10-10")  # the make-up Saturday: Oct 12 and 13 remain
    for d in days(D("2026-09-01"), deadline):
        assert (cal.workdays_between(d, deadline) <= 2) == (d >= yellow_from), d
    assert cal.subtract_workdays(D("2026-10-08"), 1) == D("2026-09-30")


def test_subtract_from_a_day_off_still_gives_a_working_day(cal):
    # Deadline on a holiday (a same-day matter accepted on it): at most 0 days remain from Sep 30.
    assert cal.subtract_workdays(D("2026-10-03"), 0) == D("2026-09-30")
    assert cal.subtract_workdays(D("2026-10-03"), 1) == D("2026-09-29")


def test_add_then_subtract_round_trip(cal):
    for start in days(D("2026-01-01"), D("2026-12-31")):
        if cal.is_workday(start):
            assert cal.subtract_workdays(cal.add_workdays(start, 10), 10) == start


def test_2027_is_an_ordinary_week(cal):
    # 2027's holidays are not in the package: New Year's Day 2027 (a Friday) counts as working.
    assert cal.is_workday(D("2027-01-01"))
    assert cal.add_workdays(D("2027-09-30"), 1) == D("2027-10-01")
    assert cal.add_workdays(D("2027-09-30"), 5) == D("2027-10-07")
    assert cal.assumed_years(D("2027-09-30"), D("2027-10-07")) == [2027]
    assert cal.assumed_years(D("2026-09-30"), D("2026-10-13")) == []


def test_crossing_from_2026_into_2027(cal):
    # Thu Dec 31 2026 (working) -> Fri Jan 1 2027 (assumed working).
    assert cal.add_workdays(D("2026-12-31"), 1) == D("2027-01-01")
    assert cal.add_workdays(D("2026-12-30"), 3) == D("2027-01-04")
    assert cal.workdays_between(D("2026-12-25"), D("2027-01-08")) == 10
    assert cal.assumed_years(D("2026-12-30"), D("2027-01-04")) == [2027]
    assert cal.assumed_years(D("2028-01-04"), D("2025-01-01")) == [2027, 2028]
    assert cal.assumed_years(D("2003-12-01"), D("2004-02-01")) == [2003]


def test_exceptions_in_unknown_years_are_ignored():
    cal = WorkCalendar(days_off=[D("2027-10-01")], extra_workdays=[D("2027-10-09")], known_years=[2026])
    assert cal.is_workday(D("2027-10-01"))
    assert not cal.is_workday(D("2027-10-09"))
    known = WorkCalendar(days_off=[D("2027-10-01")], extra_workdays=[D("2027-10-09")], known_years=[2027])
    assert not known.is_workday(D("2027-10-01"))
    assert known.add_workdays(D("2027-09-30"), 1) == D("2027-10-04")
    assert known.add_workdays(D("2027-10-08"), 1) == D("2027-10-09")
    assert known.assumed_years(D("2027-01-01"), D("2027-12-31")) == []


def test_empty_calendar_is_monday_to_friday():
    cal = WorkCalendar()
    assert cal.add_workdays(D("2026-10-02"), 1) == D("2026-10-05")  # Fri -> Mon
    assert cal.add_workdays(D("2026-10-03"), 5) == D("2026-10-09")  # Sat -> Fri
    assert cal.subtract_workdays(D("2026-10-05"), 1) == D("2026-10-02")
    assert cal.workdays_between(D("2026-10-02"), D("2026-10-09")) == 5
