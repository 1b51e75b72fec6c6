"""Cards beyond lateness: a refusal without (enough) reasons, a supplement asked twice on the same
point. One card per application and trigger, with its reason; a second sweep adds nothing."""

import datetime as dt

import pytest

from supervision.cards.services import policy_create_draft, policy_publish, policy_update_draft, sweep_deadlines
from supervision.models import Card
from tests.factories import ClerkFactory, MatterFactory, SupervisorFactory, UserFactory, submitted_application
from tests.supervision.conftest import card_rows, open_cards
from workflow import services

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 10, 9)


@pytest.fixture
def clerk(calendar_2026, at):
    at(TODAY)
    return ClerkFactory()


@pytest.mark.parametrize("reason,flagged", [
    ("不符", True),
    ("  材料不全  ", True),  # four characters once the spaces are trimmed
    ("不属于本区管辖范围", False),
])
def test_a_refusal_without_enough_reason_gets_a_red_card(clerk, reason, flagged):
    application = submitted_application()
    services.application_refuse(application=application, clerk=clerk, reason=reason)
    sweep_deadlines(today=TODAY)
    if not flagged:
        assert open_cards(application=application) == []
        return
    assert open_cards(application=application) == [("refusal_reason", "red")]
    card = Card.objects.get(application=application)
    assert card.subcase is None and card.due is None
    assert f"仅 {len(reason.strip())} 个字" in card.reason and "少于 5 个字" in card.reason
    before = card_rows()
    sweep_deadlines(today=TODAY + dt.timedelta(days=1))
    assert card_rows() == before


def test_the_minimum_length_is_part_of_the_policy(clerk):
    application = submitted_application()
    services.application_refuse(application=application, clerk=clerk, reason="不属于本区管辖范围")
    admin = UserFactory(role="administrator")
    draft = policy_create_draft(user=admin)
    policy_update_draft(policy=draft, user=admin, refusal_reason_min_chars=20)
    policy_publish(policy=draft, user=admin, effective_from=TODAY)
    sweep_deadlines(today=TODAY)
    assert open_cards(application=application) == [("refusal_reason", "red")]
    assert Card.objects.get(application=application).policy == draft


def test_a_supplement_asked_twice_on_the_same_material_gets_a_yellow_card(clerk):
    matter = MatterFactory()
    application = submitted_application(matters=[matter])
    services.application_request_supplement(application=application, clerk=clerk,
                                            items=[{"material": "申请表", "reason": "未签字"}])
    services.application_resubmit(application=application, applicant=application.applicant)
    sweep_deadlines(today=TODAY)
    assert open_cards(application=application) == []  # asked once: nothing to flag
    services.supplement_repeat_allow(application=application, supervisor=SupervisorFactory(), reason="扫描件模糊")
    services.application_request_supplement(
        application=application, clerk=clerk,
        items=[{"material": "申请表", "reason": "签名与身份证不一致"}, {"material": "居民身份证", "reason": "过期"}],
    )
    sweep_deadlines(today=TODAY)
    assert open_cards(application=application) == [("repeated_supplement", "yellow")]
    card = Card.objects.get(application=application)
    assert "“申请表”等 1 项" in card.reason
    before = card_rows()
    sweep_deadlines(today=TODAY)
    assert card_rows() == before


def test_different_materials_in_two_notices_are_not_a_repeat(clerk):
    application = submitted_application()
    services.application_request_supplement(application=application, clerk=clerk,
                                            items=[{"material": "申请表", "reason": "未签字"}])
    services.application_resubmit(application=application, applicant=application.applicant)
    services.application_request_supplement(application=application, clerk=clerk,
                                            items=[{"material": "居民身份证", "reason": "过期"}])
    sweep_deadlines(today=TODAY)
    assert not Card.objects.filter(application=application, trigger="repeated_supplement").exists()


def test_an_event_card_is_one_per_application_even_after_a_ruling(clerk):
    from supervision.cards.services import card_decide

    application = submitted_application()
    services.application_refuse(application=application, clerk=clerk, reason="不符")
    sweep_deadlines(today=TODAY)
    card = Card.objects.get(application=application)
    card_decide(card=card, supervisor=SupervisorFactory(), uphold=True, reason="确属未说明理由,已约谈窗口")
    card.refresh_from_db()
    assert card.closed_at is not None and card.close_reason.startswith("督查确认")
    sweep_deadlines(today=TODAY + dt.timedelta(days=3))
    assert Card.objects.filter(application=application).count() == 1
