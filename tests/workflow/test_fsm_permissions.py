"""Who may move a sub-case is said once, on its transitions (django-fsm `permission=`); the page
asks `has_transition_perm` instead of copying the state machine's source states."""

import pytest
from django_fsm import has_transition_perm

from tests.factories import ClerkFactory, MatterFactory, ReviewerFactory, SupervisorFactory, accepted_application
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import SubCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def subcase():
    seed_calendar(years=[2026])
    application = accepted_application(matters=[MatterFactory()])
    services.dispatch_subcases(application_id=application.pk)
    return SubCase.objects.get(application=application)


def test_only_a_reviewer_of_its_department_may_move_it(subcase):
    reviewer = ReviewerFactory(department=subcase.department)
    for transition in (subcase.start_examining, subcase.approve, subcase.deny, subcase.suspend):
        assert has_transition_perm(transition, reviewer)
        assert not has_transition_perm(transition, ReviewerFactory())  # another department
        assert not has_transition_perm(transition, ClerkFactory())
        assert not has_transition_perm(transition, SupervisorFactory())
    assert not has_transition_perm(subcase.resume, reviewer)  # not suspended: the source state counts too


def test_the_page_offers_what_the_transitions_allow(client, subcase):
    reviewer = ReviewerFactory(department=subcase.department)
    client.force_login(reviewer)
    url = f"/review/{subcase.number}/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["can_decide"] and page.context["can_suspend"] and not page.context["can_resume"]
    services.subcase_suspend(subcase=subcase, reviewer=reviewer, kind="expert_review", reason="专家评审")
    page = client.get(url)
    assert page.context["can_resume"] and not page.context["can_decide"] and not page.context["can_suspend"]
