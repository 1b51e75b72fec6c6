"""Who sees which applications and sub-cases (issue 12): for every role, the ids each list
contains — the API list, the sub-case list and, for clerks, a detail read — not just status codes.
Widening `workflow.selectors.applications_for` for any role makes a row fail."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    EnterpriseFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    WindowFactory,
    accepted_application,
    agent_for,
    submitted_application,
)
from windows.models import Window
from workflow.calendar_store import seed_calendar


@pytest.fixture
def world(db):
    seed_calendar(years=[timezone.localdate().year])
    matter, other_matter = MatterFactory(), MatterFactory()
    owner, other_citizen, staff = UserFactory(), UserFactory(), UserFactory()
    EnterpriseFactory(staff=[staff])  # staff of an enterprise with no applications here
    agent = UserFactory()
    agent_for(owner, [matter], agent=agent)
    seated = ClerkFactory()
    users = {
        "anonymous": None,
        "citizen": owner,
        "other_citizen": other_citizen,
        "agent": agent,
        "enterprise_staff": staff,
        "clerk_seated": seated,
        "clerk_unseated": UserFactory(role=User.Role.CLERK),
        "clerk_other_window": ClerkFactory(window=WindowFactory(category=Window.Category.LEGAL)),
        "clerk_other_matters": ClerkFactory(authorised=[other_matter]),
        "reviewer": ReviewerFactory(department=matter.department),
        "other_reviewer": ReviewerFactory(department=DepartmentFactory()),
        "supervisor": SupervisorFactory(),
        "administrator": UserFactory(role=User.Role.ADMINISTRATOR),
    }
    apps = {
        # waiting at the natural-person windows, submitted by the owner's agent
        "waiting": submitted_application(applicant=owner, matters=[matter]),
        # accepted by the seated clerk, in review at the matter's department
        "in_review": accepted_application(applicant=owner, matters=[matter], clerk=seated),
        # another citizen's, accepted by another clerk at another hall
        "other": accepted_application(applicant=other_citizen, matters=[other_matter]),
    }
    return users, apps


# which of the applications each role's list contains
EXPECTED = {
    "anonymous": None,
    "citizen": {"waiting", "in_review"},
    "other_citizen": {"other"},
    "agent": set(),  # submitted by the owner herself, not through the agent
    "enterprise_staff": set(),
    "clerk_seated": {"waiting", "in_review"},  # her queue, what she accepted
    "clerk_unseated": set(),
    "clerk_other_window": set(),  # a legal-person window: not her queue
    "clerk_other_matters": {"waiting"},  # waiting at her window, not authorised (授权): shown as not hers
    "reviewer": {"in_review"},
    "other_reviewer": set(),
    "supervisor": {"waiting", "in_review", "other"},
    "administrator": set(),
}


def _client(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", list(EXPECTED))
def test_application_list_contains_only_what_the_role_may_see(world, role):
    users, apps = world
    response = _client(users[role]).get("/api/applications/")
    if EXPECTED[role] is None:
        assert response.status_code in (401, 403)
        return
    assert response.status_code == 200, response.content[:300]
    seen = {row["number"] for row in response.json()["results"]}
    names = {apps[name].number: name for name in apps}
    assert {names.get(n, n) for n in seen} == EXPECTED[role]


def test_clerk_other_matters_sees_the_waiting_one_only_as_not_hers(world):
    """A clerk not authorised for the matter: the 同城通办 'elsewhere' list names it, her
    readable list does not contain another hall's accepted cases."""
    from workflow import selectors

    users, apps = world
    clerk = users["clerk_other_matters"]
    assert set(selectors.clerk_queue_elsewhere(clerk).values_list("number", flat=True)) == {apps["waiting"].number}
    assert apps["other"].number not in set(selectors.applications_for(clerk).values_list("number", flat=True))


@pytest.mark.parametrize("role, readable", [
    ("clerk_seated", True),  # at her window, by its whole number (同城通办: any hall)
    ("clerk_other_window", True),
    ("clerk_unseated", False),
])
def test_clerk_reads_another_case_only_by_its_number_at_a_window(world, role, readable):
    users, apps = world
    response = _client(users[role]).get(f"/api/applications/{apps['other'].number}/")
    assert response.status_code == (200 if readable else 404)
    if readable:
        assert response.json()["number"] == apps["other"].number


@pytest.mark.parametrize("role", ["clerk_seated", "clerk_unseated", "clerk_other_window", "reviewer", "citizen"])
def test_subcase_list_follows_the_application_rule(world, role):
    from workflow import services

    users, apps = world
    for application in apps.values():
        if application.state != application.State.SUBMITTED:
            services.dispatch_subcases(application_id=application.pk)
    response = _client(users[role]).get("/api/subcases/")
    assert response.status_code == 200
    seen = {row["application"] if isinstance(row.get("application"), str) else row["number"].rsplit("-", 1)[0]
            for row in response.json()["results"]}
    expected = {apps[name].number for name in EXPECTED[role] if name != "waiting"}
    assert all(any(s.startswith(n) or s == n for n in expected) for s in seen), (seen, expected)
    assert len(response.json()["results"]) == len(expected)
