"""Each clock's cards open and close themselves as the days pass across the 2026 National Day
holiday (Oct 1-7 off, Sat Oct 10 a make-up working day), under the default policy (yellow when at
most 20 % of the limit or 2 working days remain)."""

import datetime as dt
from unittest import mock

import pytest

from core.errors import Conflict
from supervision.cards.services import sweep_deadlines
from supervision.models import Card
from tests.factories import ClerkFactory, MatterFactory, ReviewerFactory, accepted_application, submitted_application
from tests.supervision.conftest import card_rows, open_cards
from workflow import services
from workflow.models import Application

pytestmark = pytest.mark.django_db
D = dt.date


def sweep_days(*days):
    for day in days:
        sweep_deadlines(today=day)


@pytest.fixture
def online(calendar_2026, at):
    """An online application received on Tuesday 2026-09-29: the window must decide by Oct 12."""
    at(D(2026, 9, 29))
    return submitted_application(matters=[MatterFactory()])


def test_pre_review_clock(online, at):
    # Sep 30 (1), holiday, Oct 8 (2), 9 (3), Sat 10 (4), Mon 12 (5): five working days.
    assert online.pre_review_due == D(2026, 10, 12)
    sweep_days(D(2026, 9, 30), D(2026, 10, 7))  # a week of calendar days left, but 4 working days
    assert open_cards(application=online) == []
    sweep_deadlines(today=D(2026, 10, 8))  # 3 left
    assert open_cards(application=online) == []
    sweep_deadlines(today=D(2026, 10, 9))  # 2 left: yellow
    assert open_cards(application=online) == [("pre_review", "yellow")]
    card = Card.objects.get(application=online)
    assert card.subcase is None and card.department is None
    assert (card.due, card.limit_days, card.warn_days, card.remaining_days) == (D(2026, 10, 12), 5, 2, 2)
    assert "2026-10-12" in card.reason and "剩余 2 个工作日" in card.reason
    sweep_days(D(2026, 10, 10), D(2026, 10, 11), D(2026, 10, 12))  # the make-up Saturday, Sunday, the due day
    assert Card.objects.filter(application=online).count() == 1
    sweep_deadlines(today=D(2026, 10, 13))
    assert open_cards(application=online) == [("pre_review", "red")]
    red = Card.objects.get(application=online, level="red")
    assert red.remaining_days == -1 and "逾期 1 个工作日" in red.reason
    # The window asks for a supplement after the 5th working day: refused (art. 32), and the
    # application is accepted as of its receipt, which closes the pre-review card.
    at(D(2026, 10, 13))
    with pytest.raises(Conflict) as refused:
        services.application_request_supplement(application=online, clerk=ClerkFactory(),
                                                items=[{"material": "申请表", "reason": "未签字"}])
    assert refused.value.code == "deemed_accepted" and "第三十二条" in refused.value.message
    online.refresh_from_db()
    assert (online.state, online.accepted_on, online.deemed_accepted) == ("accepted", D(2026, 9, 29), True)
    sweep_deadlines(today=D(2026, 10, 13))
    assert open_cards(application=online) == []
    assert Card.objects.get(application=online, level="red").close_reason


def test_pre_review_card_closes_when_the_application_is_deemed_accepted(online, at):
    sweep_deadlines(today=D(2026, 10, 13))
    assert open_cards(application=online) == [("pre_review", "red")]
    at(D(2026, 10, 13))
    services.deem_overdue_applications_accepted(today=D(2026, 10, 13))
    sweep_deadlines(today=D(2026, 10, 13))
    assert open_cards(application=online) == []
    assert open_cards(subcase__application=online) == []  # its sub-cases' clocks start from receipt, far from due


def test_walk_in_applications_have_no_pre_review_clock(calendar_2026, at):
    at(D(2026, 9, 29))
    application = accepted_application(matters=[MatterFactory()])
    sweep_deadlines(today=D(2026, 10, 13))
    assert not Card.objects.filter(application=application, trigger="pre_review").exists()


@pytest.fixture
def approved(calendar_2026, at):
    """A licence approved on Tuesday 2026-09-29 and waiting to be delivered."""
    at(D(2026, 9, 28))
    matter = MatterFactory(issues_licence=True, promised_days=5)
    application = accepted_application(matters=[matter])
    services.dispatch_subcases(application_id=application.pk)
    at(D(2026, 9, 29))
    subcase = application.subcases.get()
    services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department), approve=True,
                            reason="")
    return application.subcases.get()


def test_delivery_clock(approved, at):
    assert approved.licence_due == D(2026, 10, 19)  # ten working days across the holiday
    sweep_days(D(2026, 9, 30), D(2026, 10, 7), D(2026, 10, 14))
    assert open_cards(subcase=approved) == []
    sweep_deadlines(today=D(2026, 10, 15))  # Oct 16 and 19 left
    assert open_cards(subcase=approved) == [("delivery", "yellow")]
    card = Card.objects.get(subcase=approved)
    assert card.department == approved.department and card.application_id == approved.application_id
    sweep_deadlines(today=D(2026, 10, 20))
    assert open_cards(subcase=approved) == [("delivery", "red")]
    # The result is handed out: the licence clock has run its course.
    application = approved.application
    with mock.patch("workflow.documents.generate_notice"):
        services.prepare_result(application_id=application.pk)
    at(D(2026, 10, 20))
    services.application_deliver(application=application, clerk=ClerkFactory(window__hall=application.pickup_hall),
                                 id_number=application.applicant.id_number)
    assert Application.objects.get(pk=application.pk).state == Application.State.DELIVERED
    sweep_deadlines(today=D(2026, 10, 20))
    assert open_cards(subcase=approved) == []


def test_decision_and_delivery_cards_are_separate(approved):
    """A sub-case decided late keeps its closed decision card; the licence clock is another card."""
    sweep_deadlines(today=D(2026, 10, 20))
    assert open_cards(subcase=approved) == [("delivery", "red")]
    assert not Card.objects.filter(subcase=approved, trigger="decision").exists()  # decided on time


@pytest.fixture
def examining(calendar_2026, at):
    """A 10-working-day sub-case accepted on Tuesday 2026-09-29 (due Oct 19)."""
    at(D(2026, 9, 29))
    application = accepted_application(matters=[MatterFactory(promised_days=10)])
    services.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    reviewer = ReviewerFactory(department=subcase.department)
    services.subcase_start_examining(subcase=subcase, reviewer=reviewer)
    return application.subcases.get(), reviewer


def test_a_paused_decision_clock_closes_its_card_and_reopens_it_on_resumption(examining, at):
    subcase, reviewer = examining
    sweep_deadlines(today=D(2026, 10, 15))
    assert open_cards(subcase=subcase) == [("decision", "yellow")]
    at(D(2026, 10, 15))
    services.subcase_suspend(subcase=subcase, reviewer=reviewer, kind="expert_review", reason="组织专家评审")
    sweep_deadlines(today=D(2026, 10, 15))
    assert open_cards(subcase=subcase) == []
    assert "暂停" in Card.objects.get(subcase=subcase).close_reason
    sweep_deadlines(today=D(2026, 10, 26))  # would be red if the clock ran
    assert open_cards(subcase=subcase) == []
    at(D(2026, 10, 27))
    services.subcase_resume(subcase=subcase, reviewer=reviewer, result="评审通过")
    subcase.refresh_from_db()
    assert subcase.deadline == D(2026, 10, 29)  # the two working days left on Oct 15: Oct 28 and 29
    sweep_deadlines(today=D(2026, 10, 27))
    assert open_cards(subcase=subcase) == [("decision", "yellow")]
    assert Card.objects.filter(subcase=subcase, level="yellow").count() == 2
    assert Card.objects.get(subcase=subcase, closed_at__isnull=True).due == D(2026, 10, 29)


def test_an_extension_moves_the_card_to_the_new_due_date(examining, at):
    subcase, reviewer = examining
    sweep_deadlines(today=D(2026, 10, 16))
    assert open_cards(subcase=subcase) == [("decision", "yellow")]
    leader = ReviewerFactory(department=subcase.department, is_department_leader=True)
    at(D(2026, 10, 16))
    extension = services.subcase_request_extension(subcase=subcase, reviewer=reviewer, days=5, reason="情况复杂")
    services.subcase_decide_extension(extension=extension, leader=leader, approve=True)
    subcase.refresh_from_db()
    assert subcase.deadline == D(2026, 10, 26)
    sweep_deadlines(today=D(2026, 10, 16))
    # Limit 15: the yellow line is max(2, 3) = 3 working days; Oct 19-26 leaves 6.
    assert open_cards(subcase=subcase) == []
    sweep_deadlines(today=D(2026, 10, 21))  # 22, 23, 26 left
    card = Card.objects.get(subcase=subcase, closed_at__isnull=True)
    assert (card.due, card.limit_days, card.warn_days, card.remaining_days) == (D(2026, 10, 26), 15, 3, 3)


def test_sweeping_twice_changes_nothing(examining, online, approved):
    for day in (D(2026, 10, 9), D(2026, 10, 15), D(2026, 10, 20)):
        sweep_deadlines(today=day)
        before = card_rows()
        counts = sweep_deadlines(today=day)
        assert card_rows() == before
        assert all(c == {"opened": 0, "closed": 0} for levels in counts["cards"].values() for c in levels.values())
    assert {(t, lv) for t, lv in open_cards()} == {("decision", "red"), ("pre_review", "red"), ("delivery", "red")}
