"""The public questions' API: anyone asks (anonymous with a contact), the published list shows
only the masked public texts, an unpublished question is not found for others."""

import pytest
from rest_framework.test import APIClient

from civic import services
from tests.factories import MatterFactory, ReviewerFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def matter(calendar_2026):
    return MatterFactory()


def test_ask_list_and_hide(matter):
    api = APIClient()
    answer = api.post(
        "/api/civic/questions/",
        {
            "matter": matter.pk,
            "subject": "落户材料",
            "content": "我电话13912345678,落户带什么?",
            "contact_phone": "13912345678",
        },
        format="json",
    )
    assert answer.status_code == 201 and answer.json()["state"] == "open"
    refused = api.post(
        "/api/civic/questions/", {"matter": matter.pk, "subject": "落户", "content": "落户带什么材料?"}, format="json"
    )
    assert refused.status_code == 400 and "contact_phone" in refused.json()["fields"]
    pk = answer.json()["id"]
    assert api.get(f"/api/civic/questions/{pk}/").status_code == 404
    assert api.get("/api/civic/questions/").json()["results"] == []
    from civic.models import Question

    question = Question.objects.get(pk=pk)
    services.question_answer(
        question=question, user=ReviewerFactory(department=matter.department), answer="带出生证明。"
    )
    services.question_publish(question=question, user=SupervisorFactory())
    [row] = api.get("/api/civic/questions/").json()["results"]
    assert row["content"] == "我电话139****5678,落户带什么?" and "contact_phone" not in row
    assert api.get(f"/api/civic/questions/{pk}/").json()["answer"] == "带出生证明。"
    citizen = UserFactory()
    api.force_authenticate(citizen)
    assert api.get("/api/civic/questions/?mine=1").json()["results"] == []
