"""A rating link used twice at the same moment, and two appeals of one bad rating, on real
PostgreSQL connections: exactly one wins each time (the link: a conditional UPDATE on
`used_at IS NULL`; the appeal: a row lock on the rating)."""

import datetime as dt

import pytest
from django.db import connection

from core.errors import Conflict
from supervision.feedback import ratings
from supervision.models import FollowUp, Rating, RatingAppeal
from tests.concurrency import run_concurrently
from tests.factories import MatterFactory, ReviewerFactory, concluded_application
from workflow.calendar_store import seed_calendar

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
]


@pytest.fixture
def link(time_machine):
    seed_calendar(years=[2026])
    moment = dt.datetime(2026, 9, 29, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    time_machine.move_to(moment, tick=False)
    case = concluded_application(matters=[MatterFactory()])
    return ratings.rating_token_issue(application=case, occasion="decision")


def test_a_link_used_twice_at_once_rates_once(link):
    results = run_concurrently(lambda: ratings.rating_submit(token=link, level=1),
                               lambda: ratings.rating_submit(token=link, level=5))
    outcomes = sorted(kind for kind, _value in results)
    assert outcomes == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict) and error.code == "already_rated"
    rating = Rating.objects.get()
    assert FollowUp.objects.count() == (1 if rating.level == 1 else 0)


def test_two_appeals_of_one_rating_one_wins(link):
    rating = ratings.rating_submit(token=link, level=2)
    reviewers = [ReviewerFactory(department=rating.department) for _i in range(2)]
    results = run_concurrently(*[
        (lambda r=r: ratings.rating_appeal(rating=rating, user=r, kind="mistaken", statement="误评"))
        for r in reviewers
    ])
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    assert RatingAppeal.objects.count() == 1
