"""The 行政许可法's rules of time (core.clock.law), article by article, on the 2026 calendar of the
State Council's notice (国办发明电〔2025〕7号, as chinese_calendar records it) with 2027 not yet
known: 2027 has only its statutory holidays, and every answer that reaches into it is provisional.

2026 notice: 元旦 1-3 Jan (make-up Sun 4 Jan); 春节 15-23 Feb (make-up Sat 14, Sat 28 Feb);
清明 4-6 Apr; 劳动节 1-5 May (make-up Sat 9 May); 端午 19-21 Jun; 中秋 25-27 Sep;
国庆 1-7 Oct (make-up Sun 20 Sep, Sat 10 Oct).
"""

import datetime as dt
from datetime import date

import pytest
from chinese_calendar import constants

from core.clock import build_calendar, law
from core.clock.calendar import WorkCalendar

D = date.fromisoformat
TODAY = D("2026-12-03")


def _rows(year):
    rows = [(d, False) for d in constants.holidays if d.year == year and d.weekday() < 5]
    rows += [(d, True) for d in constants.workdays if d.year == year and d.weekday() >= 5]
    return rows


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return build_calendar(known_years=[2026], days=_rows(2026), today=TODAY)


# --- the 2026 calendar: every holiday and every make-up day -------------------------------------

HOLIDAYS_2026 = {
    "元旦": ("2026-01-01", "2026-01-03"), "春节": ("2026-02-15", "2026-02-23"), "清明节": ("2026-04-04", "2026-04-06"),
    "劳动节": ("2026-05-01", "2026-05-05"), "端午节": ("2026-06-19", "2026-06-21"),
    "中秋节": ("2026-09-25", "2026-09-27"), "国庆节": ("2026-10-01", "2026-10-07"),
}
MAKE_UP_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


@pytest.mark.parametrize("name", HOLIDAYS_2026)
def test_every_day_of_each_2026_holiday_is_off_and_the_days_around_it_count(cal, name):
    first, last = map(D, HOLIDAYS_2026[name])
    day = first
    while day <= last:
        assert not cal.is_workday(day), day
        day += dt.timedelta(days=1)
    # The working day before the holiday and the first working day after it are one apart.
    before = cal.subtract_workdays(first, 0)
    after = cal.add_workdays(before, 1)
    assert after > last and cal.workdays_between(before, after) == 1
    assert not cal.is_provisional(first, last)


@pytest.mark.parametrize("day", MAKE_UP_2026)
def test_every_2026_make_up_weekend_day_is_a_working_day(cal, day):
    assert D(day).weekday() >= 5 and cal.is_workday(D(day))


def test_2026_has_the_working_days_of_the_notice(cal):
    # 261 weekdays, 19 of them off (Jan 1-2; Feb 16-20, 23; Apr 6; May 1, 4, 5; Jun 19; Sep 25;
    # Oct 1, 2, 5-7), 6 make-up weekend days.
    assert cal.workdays_between(D("2025-12-31"), D("2026-12-31")) == 261 - 19 + 6


# --- 第三十二条: 5 working days of pre-review, then deemed acceptance -----------------------------


def test_art32_five_working_days_from_receipt_across_national_day(cal):
    # Received Tue 29 Sep: Sep 30 (1), Oct 8 (2), 9 (3), Sat 10 make-up (4), Mon 12 (5).
    due = law.pre_review_due(cal, D("2026-09-29"))
    assert due == law.Deadline(D("2026-10-12"), False)
    assert not law.is_deemed_accepted(due=due.day, today=D("2026-10-12"))
    assert law.is_deemed_accepted(due=due.day, today=D("2026-10-13"))


def test_art32_around_spring_festival(cal):
    # Received Fri 13 Feb: Sat 14 make-up (1), then off to 23 Feb, 24 (2), 25 (3), 26 (4), 27 (5).
    assert law.pre_review_due(cal, D("2026-02-13")).day == D("2026-02-27")


def test_art32_acceptance_after_day_five_records_the_day_of_receipt(cal):
    due = law.pre_review_due(cal, D("2026-09-29")).day
    assert law.acceptance_day(received_on=D("2026-09-29"), due=due, today=D("2026-10-12")) == D("2026-10-12")
    assert law.acceptance_day(received_on=D("2026-09-29"), due=due, today=D("2026-10-13")) == D("2026-09-29")
    assert law.acceptance_day(received_on=D("2026-09-29"), due=due, today=D("2026-11-30")) == D("2026-09-29")


def test_art32_no_supplement_notice_after_day_five(cal):
    due = law.pre_review_due(cal, D("2026-09-29")).day
    assert law.supplement_notice_allowed(due=due, today=D("2026-10-12"))
    assert not law.supplement_notice_allowed(due=due, today=D("2026-10-13"))


def test_art32_a_supplement_restarts_the_five_days_from_its_receipt(cal):
    assert law.pre_review_due(cal, D("2026-10-20")).day == D("2026-10-27")


def test_receipt_is_the_beijing_date_at_any_hour():
    late = dt.datetime(2026, 9, 29, 23, 30, tzinfo=dt.UTC)  # 07:30 on 30 Sep in Beijing
    assert law.receipt_day(late) == D("2026-09-30")
    evening = dt.datetime(2026, 9, 29, 15, 59, tzinfo=dt.UTC)  # 23:59 in Beijing, after office hours
    assert law.receipt_day(evening) == D("2026-09-29")
    with pytest.raises(TypeError):
        law.receipt_day(dt.datetime(2026, 9, 29, 10, 0))


# --- 第四十二条: the decision limit and its one extension ---------------------------------------


def test_art42_the_day_of_acceptance_is_not_counted(cal):
    assert law.decision_deadline(cal, accepted_on=D("2026-09-29"), limit_days=10).day == D("2026-10-19")
    assert law.decision_deadline(cal, accepted_on=D("2026-09-29"), limit_days=0).day == D("2026-09-29")


def test_art42_twenty_days_over_labour_day(cal):
    # From Tue 28 Apr: 29, 30 Apr (2); 1-5 May off; 6-8 (5); Sat 9 make-up (6); 11-15 (11); 18-22 (16); 25-28 (20).
    assert law.decision_deadline(cal, accepted_on=D("2026-04-28"), limit_days=20).day == D("2026-05-28")


def test_art42_one_extension_up_to_ten_days_before_the_deadline():
    ok = {"today": D("2026-10-19"), "deadline": D("2026-10-19"), "extended_before": False, "running": True}
    law.check_extension(days=10, **ok)  # on the last day: still in time
    for days, code in ((0, "invalid_extension_days"), (11, "invalid_extension_days"), (True, "invalid_extension_days")):
        with pytest.raises(law.ExtensionRefused) as refused:
            law.check_extension(days=days, **ok)
        assert refused.value.code == code
    with pytest.raises(law.ExtensionRefused) as refused:
        law.check_extension(days=5, **{**ok, "extended_before": True})
    assert refused.value.code == "extension_exists"
    with pytest.raises(law.ExtensionRefused) as refused:
        law.check_extension(days=5, **{**ok, "today": D("2026-10-20")})  # the day after: overdue
    assert refused.value.code == "extension_after_deadline"
    with pytest.raises(law.ExtensionRefused) as refused:
        law.check_extension(days=5, **{**ok, "running": False})
    assert refused.value.code == "state_conflict"


def test_art42_extension_moves_the_deadline_by_working_days(cal):
    assert law.extended_deadline(cal, deadline=D("2026-10-19"), days=10, start=D("2026-09-29")).day == D("2026-11-02")


# --- 第四十四条: the licence within 10 working days ---------------------------------------------


def test_art44_licence_due(cal):
    assert law.licence_due(cal, decided_on=D("2026-09-30")).day == D("2026-10-20")


# --- 第四十五条: the clock stops and restarts with the days it kept -----------------------------


def test_art45_pause_keeps_the_days_left_and_restarts_with_them(cal):
    deadline = D("2026-10-19")
    kept = law.pause_remaining(cal, paused_on=D("2026-09-30"), deadline=deadline)
    assert kept == 9  # Oct 8, 9, 10, 12-16, 19
    assert law.paused_workdays(cal, paused_on=D("2026-09-30"), resumed_on=D("2026-10-13")) == 5
    assert law.deadline_after(cal, day=D("2026-10-13"), remaining=kept).day == D("2026-10-26")


def test_art45_an_overdue_clock_stays_overdue_after_a_pause(cal):
    kept = law.pause_remaining(cal, paused_on=D("2026-10-21"), deadline=D("2026-10-19"))
    assert kept == -2
    assert law.deadline_after(cal, day=D("2026-11-02"), remaining=kept).day == D("2026-10-29")


# --- yellow and red ----------------------------------------------------------------------------


@pytest.mark.parametrize("limit, line", [(0, 2), (1, 2), (5, 2), (10, 2), (14, 2), (15, 3), (20, 4), (30, 6)])
def test_yellow_line_is_max_of_two_days_and_a_fifth(limit, line):
    assert law.yellow_line(limit) == line == max(2, limit // 5)


def test_yellow_from_and_the_colours(cal):
    deadline = D("2026-10-19")
    yellow = law.yellow_from(cal, start=D("2026-09-29"), deadline=deadline, limit_days=10)
    assert yellow == D("2026-10-15")  # from here 2 working days remain: Oct 16, 19
    assert law.remaining_workdays(cal, today=yellow, deadline=deadline) == 2
    assert law.clock_level(today=D("2026-10-14"), deadline=deadline, yellow_from=yellow) == "green"
    assert law.clock_level(today=yellow, deadline=deadline, yellow_from=yellow) == "yellow"
    assert law.clock_level(today=deadline, deadline=deadline, yellow_from=yellow) == "yellow"
    assert law.clock_level(today=D("2026-10-20"), deadline=deadline, yellow_from=yellow) == "red"
    assert law.clock_level(today=D("2026-10-20"), deadline=deadline, yellow_from=yellow, suspended=True) == "paused"
    assert law.remaining_workdays(cal, today=D("2026-10-21"), deadline=deadline) == -2


# --- across the year end, into a year without a notice ------------------------------------------


def test_across_the_year_end_into_2027_is_provisional(cal):
    # 2027's 元旦 (Fri 1 Jan) is off although no notice is known; no make-up days yet.
    assert not cal.is_workday(D("2027-01-01"))
    due = law.pre_review_due(cal, D("2026-12-29"))  # Dec 30, 31, Jan 4, 5, 6
    assert due == law.Deadline(D("2027-01-06"), True)
    inside = law.pre_review_due(cal, D("2026-12-01"))
    assert inside == law.Deadline(D("2026-12-08"), False)


def test_a_2027_deadline_over_spring_festival_is_provisional(cal):
    # Accepted Mon 1 Feb 2027, 10 days: Feb 2-4 (3), 除夕 Fri 5 to 初三 Mon 8 off, 9-12 (7), 15-17 (10).
    deadline = law.decision_deadline(cal, accepted_on=D("2027-02-01"), limit_days=10)
    assert deadline == law.Deadline(D("2027-02-17"), True)


def test_entering_2027_moves_a_provisional_deadline_keeping_the_days_owed(cal):
    old = cal
    # Suppose the 2027 notice adds 9-11 Feb off and a make-up Sunday 7 Feb … (any notice will do)
    new = build_calendar(known_years=[2026, 2027], today=TODAY, days=_rows(2026) + [
        (D("2027-01-01"), False), (D("2027-02-05"), False), (D("2027-02-08"), False), (D("2027-02-09"), False),
        (D("2027-02-10"), False), (D("2027-02-11"), False), (D("2027-02-06"), True)])
    anchor = D("2026-12-31")
    started = D("2026-12-15")
    deadline = law.decision_deadline(old, accepted_on=started, limit_days=20).day
    assert deadline == D("2027-01-13")  # Dec 16-31 (12), 1 Jan off, Jan 4-8, 11-13 (20): before the changes

    assert law.move_to_new_calendar(old, new, day=deadline, anchor=anchor) == deadline
    later = law.decision_deadline(old, accepted_on=D("2027-01-25"), limit_days=20).day
    moved = law.move_to_new_calendar(old, new, day=later, anchor=anchor)
    assert later == D("2027-02-24")  # 36 working days after 31 Dec on the provisional calendar
    # The same 36 on the entered one: 9-11 Feb off (3 more), Sat 6 Feb worked (1 back): two days later.
    assert new.workdays_between(anchor, moved) == old.workdays_between(anchor, later) == 36
    assert moved == D("2027-02-26")
    assert not new.is_provisional(started, moved)
    assert law.move_to_new_calendar(old, new, day=D("2026-12-20"), anchor=anchor) == D("2026-12-20")
