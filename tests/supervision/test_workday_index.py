"""The working-day index the sweep joins on: date → running count of working days, rebuilt when
the calendar changes, covering years the calendar does not know as ordinary weeks."""

import datetime as dt

import pytest

from supervision.cards.services import ensure_workday_index, sweep_deadlines
from supervision.models import Card, WorkdayIndex, WorkdayIndexState
from tests.factories import MatterFactory, accepted_application
from workflow.calendar_store import load_calendar
from workflow.models import CalendarDay

pytestmark = pytest.mark.django_db
D = dt.date


def idx(day):
    return WorkdayIndex.objects.get(day=day).ordinal


def test_differences_of_the_index_are_working_days(calendar_2026):
    ensure_workday_index(today=D(2026, 10, 9))
    calendar = load_calendar()
    days = [D(2026, 9, 25) + dt.timedelta(days=n) for n in range(40)] + [D(2027, 3, 1), D(2030, 12, 31)]
    for a in days:
        for b in days:
            if a <= b:
                assert idx(b) - idx(a) == calendar.workdays_between(a, b), (a, b)
    assert idx(D(2026, 10, 8)) - idx(D(2026, 9, 30)) == 1  # the National Day week counts nothing
    state = WorkdayIndexState.objects.get()
    assert state.first_day <= D(2026, 1, 1) and state.last_day >= D(2031, 12, 31)


def test_the_index_is_rebuilt_only_when_the_calendar_changes(calendar_2026):
    ensure_workday_index(today=D(2026, 10, 9))
    built = WorkdayIndexState.objects.get().built_at
    ensure_workday_index(today=D(2026, 10, 10))
    assert WorkdayIndexState.objects.get().built_at == built
    CalendarDay.objects.create(date=D(2026, 10, 16), is_workday=False, name="台风停工")
    ensure_workday_index(today=D(2026, 10, 10))
    assert WorkdayIndexState.objects.get().built_at != built
    assert idx(D(2026, 10, 16)) == idx(D(2026, 10, 15))


def test_an_administrators_new_holiday_moves_the_yellow_card(calendar_2026, at):
    at(D(2026, 9, 29))
    subcase = accepted_application(matters=[MatterFactory(promised_days=10)]).subcases.get()  # due Oct 19
    sweep_deadlines(today=D(2026, 10, 14))  # Oct 15, 16, 19 left: not yet
    assert not Card.objects.exists()
    CalendarDay.objects.create(date=D(2026, 10, 16), is_workday=False, name="台风停工")
    sweep_deadlines(today=D(2026, 10, 14))  # Oct 15 and 19 left: yellow
    card = Card.objects.get(subcase=subcase)
    assert (card.level, card.remaining_days) == ("yellow", 2)


def test_a_year_the_calendar_does_not_know_is_an_ordinary_week(calendar_2026, at):
    at(D(2033, 1, 3))  # a Monday; 2033 is not in the calendar
    subcase = accepted_application(matters=[MatterFactory(promised_days=5)]).subcases.get()
    assert subcase.deadline == D(2033, 1, 10)
    sweep_deadlines(today=D(2033, 1, 6))  # Jan 7 and 10 left
    assert Card.objects.get(subcase=subcase).level == "yellow"
    sweep_deadlines(today=D(2033, 1, 11))
    assert Card.objects.get(subcase=subcase, closed_at__isnull=True).level == "red"
