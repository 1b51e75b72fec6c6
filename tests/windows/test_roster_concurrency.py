"""Two administrators moving the same clerk at the same moment, on two real database
connections: the clerk's row lock makes the second see the first's seat, so seats never overlap."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict
from tests.concurrency import run_concurrently
from tests.factories import ClerkFactory, UserFactory, WindowFactory
from windows import services
from windows.models import RosterLog, Seat

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
]


def test_two_moves_of_one_clerk_at_once_never_overlap():
    admin_a = UserFactory(role=User.Role.ADMINISTRATOR)
    admin_b = UserFactory(role=User.Role.ADMINISTRATOR)
    clerk = ClerkFactory()
    day = timezone.localdate() + dt.timedelta(days=3)
    window_a, window_b = WindowFactory(), WindowFactory()
    results = run_concurrently(
        lambda: services.seat_move(clerk=clerk, window=window_a, starts_on=day, by=admin_a),
        lambda: services.seat_move(clerk=clerk, window=window_b, starts_on=day, by=admin_b),
    )
    assert sorted(r[0] for r in results) == ["error", "ok"], results
    assert isinstance(next(r[1] for r in results if r[0] == "error"), Conflict)
    open_seats = Seat.objects.filter(clerk=clerk, ends_on__isnull=True)
    assert open_seats.count() == 1 and Seat.objects.filter(clerk=clerk).count() == 2
    assert Seat.objects.on(day).filter(clerk=clerk).count() == 1
    assert RosterLog.objects.filter(clerk=clerk, action="windows.seat.moved").count() == 1
