"""The owner answering a consultation while handing it over in another tab, at the same moment
on two real database connections: exactly one wins, and the history says which."""

import pytest
from django.db import connection

from core.errors import Conflict, Forbidden
from tests.concurrency import run_concurrently
from tests.factories import ClerkFactory, ReviewerFactory
from windows import services
from windows.models import Consultation, ConsultationEvent
from workflow.calendar_store import seed_calendar

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
]


def test_answer_and_hand_over_at_once_one_wins():
    seed_calendar(years=[2026])
    clerk, reviewer = ClerkFactory(), ReviewerFactory()
    consultation = services.consultation_open(staff=clerk, channel="window", topic="新生儿落户",
                                              question="需要带哪些材料?", asker_name="陈志明")
    results = run_concurrently(
        lambda: services.consultation_answer(consultation=consultation, staff=clerk, answer="请携带出生医学证明"),
        lambda: services.consultation_hand_over(consultation=consultation, staff=clerk, to=reviewer, reason="户籍政策"),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    consultation = Consultation.objects.get()
    if results[0][0] == "ok":  # answered first: the hand-over finds it closed
        assert isinstance(error, Conflict) and consultation.owner == clerk
        assert consultation.state == Consultation.State.ANSWERED
    else:  # handed over first: the clerk is no longer the owner
        assert isinstance(error, Forbidden) and consultation.owner == reviewer
        assert consultation.state == Consultation.State.OPEN
    assert ConsultationEvent.objects.count() == 2  # opened + the one that won
