import datetime as dt

import pytest
from django.utils import timezone

from supervision.models import Card
from workflow.calendar_store import seed_calendar


@pytest.fixture
def calendar_2026(db):
    seed_calendar(years=[2026])


@pytest.fixture
def at(time_machine):
    """at(date): the case and supervision services act on that Beijing date (10:00)."""

    def move(day: dt.date):
        moment = dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.get_current_timezone())
        time_machine.move_to(moment, tick=False)

    return move


def open_cards(**filters):
    """Open cards as sorted (trigger, level) pairs."""
    return sorted(Card.objects.filter(closed_at__isnull=True, **filters).values_list("trigger", "level"))


def card_rows():
    """Everything about every card, to compare before and after a sweep."""
    return list(Card.objects.order_by("pk").values())
