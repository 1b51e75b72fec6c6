import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import User
from portal.demo import catalog
from supervision.models import Card
from workflow.models import Application

pytestmark = pytest.mark.django_db


def test_demo_district_loads_twice_without_duplicates_and_shows_every_role():
    call_command("load_demo")
    counts = (User.objects.count(), Application.objects.count())
    call_command("load_demo")
    assert (User.objects.count(), Application.objects.count()) == counts

    states = set(Application.objects.values_list("state", flat=True))
    assert {"submitted", "supplement_requested", "in_review", "result_ready"} <= states
    assert Card.objects.filter(level="red", closed_at__isnull=True).exists()

    client = APIClient()
    for row in catalog.USERS:
        response = client.post("/api/auth/token/", {"username": row["username"], "password": row["password"]}, format="json")
        assert response.status_code == 200, row["username"]
        assert response.json()["user"]["role"] == row["role"]
