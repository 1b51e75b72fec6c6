"""Cards open and close as clocks move, across the 2026 National Day holiday."""

import datetime as dt

import pytest
from django.utils import timezone

from supervision.cards.services import sweep_deadlines
from supervision.models import Card
from tests.factories import MatterFactory, ReviewerFactory, accepted_application
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import SubCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def subcase(time_machine):
    """A 10-working-day matter accepted on Tuesday 2026-09-29."""
    seed_calendar(years=[2026])
    accepted_at = dt.datetime(2026, 9, 29, 10, 0, tzinfo=timezone.get_current_timezone())
    time_machine.move_to(accepted_at, tick=False)
    app = accepted_application(matters=[MatterFactory(promised_days=10)])
    return app.subcases.get()


def open_levels(subcase):
    return sorted(Card.objects.filter(subcase=subcase, closed_at__isnull=True).values_list("level", flat=True))


def test_deadline_and_yellow_date_skip_the_holiday(subcase):
    # Sep 30 (1), Oct 1-7 off, Oct 8 (2), 9 (3), Sat 10 make-up (4), 12-16 (5-9), Mon 19 (10).
    assert subcase.started_on == dt.date(2026, 9, 29)
    assert subcase.deadline == dt.date(2026, 10, 19)
    assert subcase.yellow_from == dt.date(2026, 10, 15)  # from here two working days are left: 16 and 19


def test_card_opens_turns_red_and_closes_on_decision(subcase):
    sweep_deadlines(today=dt.date(2026, 10, 7))  # inside the holiday: nothing yet
    assert open_levels(subcase) == []
    sweep_deadlines(today=dt.date(2026, 10, 14))
    assert open_levels(subcase) == []
    sweep_deadlines(today=dt.date(2026, 10, 15))
    assert open_levels(subcase) == ["yellow"]
    sweep_deadlines(today=dt.date(2026, 10, 15))  # twice in a row changes nothing
    assert Card.objects.filter(subcase=subcase).count() == 1
    sweep_deadlines(today=dt.date(2026, 10, 19))  # the deadline day itself is still yellow
    assert open_levels(subcase) == ["yellow"]
    sweep_deadlines(today=dt.date(2026, 10, 20))
    assert open_levels(subcase) == ["red"]
    assert Card.objects.get(subcase=subcase, level="yellow").closed_at is not None

    reviewer = ReviewerFactory(department=subcase.department)
    services.subcase_decide(subcase=subcase, reviewer=reviewer, approve=True, reason="")
    sweep_deadlines(today=dt.date(2026, 10, 21))
    assert open_levels(subcase) == []


def test_only_running_subcases_get_cards(subcase):
    SubCase.objects.filter(pk=subcase.pk).update(state=SubCase.State.SUSPENDED)
    sweep_deadlines(today=dt.date(2026, 10, 20))
    assert open_levels(subcase) == []
