"""Sweeps and contests at the same moment on real PostgreSQL connections: sweeps queue on the
working-day index's state row, so three at once leave the cards one would; of two contests of one
card exactly one wins. (The database is flushed between these tests, so they also show the sweep
recreating its default policy and index state.)"""

import datetime as dt

import pytest
from django.db import connection

from core.errors import Conflict
from supervision.cards.services import card_contest, sweep_deadlines
from supervision.models import Card, CardPolicy
from tests.concurrency import run_concurrently
from tests.factories import MatterFactory, ReviewerFactory, accepted_application, submitted_application
from workflow.calendar_store import seed_calendar

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
]
D = dt.date


@pytest.fixture
def cases(time_machine):
    seed_calendar(years=[2026])
    moment = dt.datetime(2026, 9, 29, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    time_machine.move_to(moment, tick=False)
    subcases = [accepted_application(matters=[MatterFactory(promised_days=days)]).subcases.get()
                for days in (3, 5, 10, 20)]
    online = submitted_application(matters=[MatterFactory()])
    return subcases, online


def test_three_sweeps_at_once_open_each_card_once(cases):
    results = run_concurrently(*[lambda: sweep_deadlines(today=D(2026, 10, 15)) for _ in range(3)])
    assert [r[0] for r in results] == ["ok"] * 3, results
    opened = sum(c["opened"] for r in results for levels in r[1]["cards"].values() for c in levels.values())
    assert opened == Card.objects.count() == 4  # red: 3 and 5 days; yellow: 10 days; pre-review red
    assert CardPolicy.objects.filter(status="published").count() == 1


def test_two_contests_of_one_card_one_wins(cases):
    subcases, _online = cases
    sweep_deadlines(today=D(2026, 10, 15))
    card = Card.objects.get(subcase=subcases[0])
    reviewers = [ReviewerFactory(department=subcases[0].department) for _ in range(2)]
    results = run_concurrently(*[
        (lambda r=r: card_contest(card=card, user=r, statement=f"{r.real_name}:申请人要求暂缓")) for r in reviewers
    ])
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert isinstance(next(r[1] for r in results if r[0] == "error"), Conflict)
