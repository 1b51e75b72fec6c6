"""A public question's answer clock raises yellow and red cards like a complaint's, for the
question's department, across the 2026 National Day holiday; the answer closes them."""

import datetime as dt

import pytest

from civic import services
from supervision.cards.services import sweep_deadlines
from supervision.models import Card
from tests.factories import MatterFactory, ReviewerFactory
from tests.supervision.conftest import open_cards

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def question(calendar_2026, at):
    at(D(2026, 9, 29))  # due Oct 12: Sep 30, Oct 8, 9, Sat 10 (make-up), 12
    return services.question_ask(
        matter_id=MatterFactory().pk, subject="落户", content="孩子落户要带什么材料?", contact_phone="13912345678"
    )


def test_a_late_answer_gets_a_card_and_the_answer_closes_it(question, at):
    sweep_deadlines(today=D(2026, 9, 30))
    assert open_cards(question=question) == []  # 4 working days remain
    sweep_deadlines(today=D(2026, 10, 7))  # still the holiday: Oct 8, 9, 10, 12 remain
    assert open_cards(question=question) == []
    sweep_deadlines(today=D(2026, 10, 9))  # Oct 10 and 12 remain: yellow
    assert open_cards(question=question) == [("question", "yellow")]
    sweep_deadlines(today=D(2026, 10, 13))
    assert open_cards(question=question) == [("question", "red")]
    card = Card.objects.get(question=question, closed_at__isnull=True)
    assert (card.department_id, card.due, card.limit_days, card.remaining_days) == (
        question.department_id,
        D(2026, 10, 12),
        5,
        -1,
    )
    assert "咨询建议答复期限 2026-10-12 已过" in card.reason
    at(D(2026, 10, 13))
    services.question_answer(
        question=question, user=ReviewerFactory(department=question.department), answer="请带出生医学证明。"
    )
    sweep_deadlines(today=D(2026, 10, 13))
    assert open_cards(question=question) == []
    assert Card.objects.filter(question=question, level="red").count() == 1  # kept, closed
