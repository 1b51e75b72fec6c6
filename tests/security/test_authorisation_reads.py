"""委托代办 records (issue 12): a person reads those they granted or received; a clerk those
between the two people at her window (both ID numbers); a revocation brought to a window is
recorded only by a clerk seated today."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import ClerkFactory, MatterFactory, UserFactory, agent_for
from workflow.calendar_store import seed_calendar


@pytest.fixture
def grant(db):
    seed_calendar(years=[timezone.localdate().year])
    return agent_for(UserFactory(), [MatterFactory()], agent=UserFactory())


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(response):
    assert response.status_code == 200, response.content[:200]
    return {row["id"] for row in response.json()["results"]}


def test_who_lists_an_authorisation(grant):
    assert _ids(_api(grant.principal).get("/api/authorisations/")) == {grant.pk}
    assert _ids(_api(grant.agent).get("/api/authorisations/")) == {grant.pk}
    assert _ids(_api(UserFactory()).get("/api/authorisations/")) == set()
    clerk = _api(ClerkFactory())
    assert _ids(clerk.get("/api/authorisations/")) == set()
    assert _ids(clerk.get("/api/authorisations/", {"principal": grant.principal.id_number})) == set()
    assert _ids(clerk.get("/api/authorisations/", {"principal": grant.principal.id_number,
                                                   "agent": grant.agent.id_number})) == {grant.pk}


def test_only_a_seated_clerk_records_a_revocation_brought_to_the_window(grant):
    unseated = UserFactory(role=User.Role.CLERK)
    assert _api(unseated).post(f"/api/authorisations/{grant.pk}/revoke/", {"reason": "本人到窗口撤销"},
                               format="json").status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None
    assert _api(ClerkFactory()).post(f"/api/authorisations/{grant.pk}/revoke/", {"reason": "本人到窗口撤销"},
                                     format="json").status_code == 200
    grant.refresh_from_db()
    assert grant.revoked_at is not None
