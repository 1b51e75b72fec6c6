import datetime as dt

import pytest
from django.utils import timezone

from windows import clock


@pytest.fixture
def at(monkeypatch):
    """`at("2026-11-26 09:00")` moves the queue's clock to that Beijing time."""

    def move(when: str) -> dt.datetime:
        moment = timezone.make_aware(dt.datetime.fromisoformat(when))
        monkeypatch.setattr(clock, "now", lambda: moment)
        return moment

    return move
