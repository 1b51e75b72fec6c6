"""Two gaps the cards had: an overdue 容缺 material raises a red card on the application (and
closes itself once provided), and the department's review list colours running sub-cases by the
card policy in force, not by the stored default yellow date."""

import datetime as dt

import pytest

from matters.models import MaterialRequirement
from supervision.cards import services as supervision
from supervision.models import Card
from tests.factories import (
    ClerkFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    accepted_application,
    files_for,
    form_for,
    pdf_upload,
)
from tests.supervision.conftest import open_cards
from workflow import selectors, services
from workflow.calendar_store import load_calendar
from workflow.models import SubCase

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def deferred(calendar_2026, at):
    """Accepted on Fri 2026-10-09 with the site plan to follow by Wed Oct 14."""
    matter = MatterFactory(materials=[
        {"name": "申请表", "source": MaterialRequirement.Source.APPLICANT},
        {"name": "场地平面图", "source": MaterialRequirement.Source.APPLICANT, "deferrable": True, "required": False},
    ])
    form, plan = matter.materials.get(name="申请表"), matter.materials.get(name="场地平面图")
    citizen = UserFactory()
    at(D(2026, 10, 9))
    application = services.application_submit(submission=services.Submission(
        applicant=citizen, matters=[matter], form_data=form_for([matter], citizen),
        files={f"material_{form.pk}": files_for([matter])[f"material_{form.pk}"]},
    ))
    services.application_accept(application=application, clerk=ClerkFactory(), deferred=[plan.pk],
                                deferred_until=D(2026, 10, 14))
    return application


def test_an_overdue_deferred_material_raises_a_card_until_provided(deferred, at):
    supervision.sweep_deadlines(today=D(2026, 10, 14))  # due today: not yet
    assert open_cards(application=deferred, trigger="deferred_material") == []
    supervision.sweep_deadlines(today=D(2026, 10, 15))
    assert open_cards(application=deferred, trigger="deferred_material") == [("deferred_material", "red")]
    card = Card.objects.get(trigger="deferred_material")
    assert card.subcase is None and card.department is None and card.due == D(2026, 10, 14)
    assert card.remaining_days == -1 and "2026-10-14" in card.reason and "逾期 1 个工作日" in card.reason
    before = list(Card.objects.values())
    supervision.sweep_deadlines(today=D(2026, 10, 15))  # twice: nothing changes
    assert list(Card.objects.values()) == before

    at(D(2026, 10, 16))
    placeholder = deferred.materials.get(name="场地平面图", source="deferred")
    services.deferred_material_provide(material=placeholder, actor=deferred.applicant, upload=pdf_upload("平面图.pdf"))
    supervision.sweep_deadlines(today=D(2026, 10, 16))
    card.refresh_from_db()
    assert card.closed_at is not None and open_cards(trigger="deferred_material") == []


def test_a_withdrawn_application_owes_nothing(deferred, at):
    supervision.sweep_deadlines(today=D(2026, 10, 15))
    at(D(2026, 10, 15))
    services.application_withdraw(application=deferred, applicant=deferred.applicant, reason="不办了")
    supervision.sweep_deadlines(today=D(2026, 10, 15))
    assert open_cards(trigger="deferred_material") == []


def _workdays_before(day, n):
    calendar = load_calendar()
    while n:
        day -= dt.timedelta(days=1)
        n -= calendar.is_workday(day)
    return day


def test_the_review_list_follows_the_card_policy(calendar_2026, client, at):
    """A 10-day licence with 4 working days left: green by the default rule (yellow from 2 left),
    yellow under a policy whose yellow line is half the limit; list and cards agree."""
    today = dt.date(2026, 11, 18)  # a Wednesday: the real date may be a weekend (4 working days left counts from one)
    accepted_on = _workdays_before(today, 6)
    at(accepted_on)
    matter = MatterFactory(promised_days=10, kind="licensing")
    reviewer = ReviewerFactory(department=matter.department)
    application = accepted_application(matters=[matter])
    services.dispatch_subcases(application_id=application.pk)
    at(today)  # the clock moves on to today for the reviewer's list (time-machine moves every clock)
    subcase = SubCase.objects.get(application=application)
    assert load_calendar().workdays_between(today, subcase.deadline) == 4
    assert subcase.yellow_from > today  # the stored default: still green today

    client.force_login(reviewer)
    assert _row_class(client.get("/review/").content.decode(), subcase) == ""
    assert selectors.with_clocks([subcase], today=today)[0].clock["level"] == "green"

    admin = UserFactory(role="administrator")
    draft = supervision.policy_create_draft(user=admin, title="许可事项提前预警")
    supervision.policy_update_draft(policy=draft, user=admin, thresholds={("decision", "licensing"): (50, 2)})
    at(accepted_on)  # a policy takes effect from the day it is published, not before
    supervision.policy_publish(policy=draft, user=admin, effective_from=accepted_on)
    at(today)
    supervision.sweep_deadlines(today=today)
    assert open_cards(subcase=subcase) == [("decision", "yellow")]

    page = client.get("/review/").content.decode()
    assert _row_class(page, subcase) == "row-yellow"
    assert selectors.with_clocks([subcase], today=today)[0].clock["level"] == "yellow"
    # The other policy colours only running clocks: a suspended sub-case stays "paused".
    services.subcase_suspend(subcase=subcase, reviewer=reviewer, kind="hearing", reason="申请听证")
    assert selectors.with_clocks([SubCase.objects.get(pk=subcase.pk)], today=today)[0].clock["level"] == "paused"


def _row_class(html, subcase):
    row = html.split(subcase.number, 1)[0].rsplit("<tr", 1)[1]
    return row.split('class="', 1)[1].split('"', 1)[0] if 'class="' in row.split(">", 1)[0] else ""
