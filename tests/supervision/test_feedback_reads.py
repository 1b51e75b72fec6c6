"""Who opens a case's rating pages (supervision.feedback.selectors): the applicant's 评价 page is
hers alone (not her agent's, not another person's); a visit's QR code is for clerks seated today
in the hall where the visit happened, and a refused clerk makes no rating link."""

import datetime as dt

import pytest

from accounts.models import User
from supervision.feedback.models import RatingToken
from tests.factories import (
    ClerkFactory,
    MatterFactory,
    UserFactory,
    WindowFactory,
    agent_for,
    concluded_application,
    walk_in_application,
)

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_rating_page_of_an_application_is_the_applicants_alone(client, calendar_2026, at):
    at(D(2026, 9, 29))
    citizen, agent = UserFactory(), UserFactory()
    matter = MatterFactory()
    agent_for(citizen, [matter], agent=agent)
    case = concluded_application(applicant=citizen, matters=[matter])
    for reader in (agent, UserFactory(), ClerkFactory()):
        client.force_login(reader)
        assert client.get(f"/applications/{case.number}/rate/").status_code == 404
    assert not RatingToken.objects.exists()
    client.force_login(citizen)
    assert "审批决定" in client.get(f"/applications/{case.number}/rate/").content.decode()


def test_a_visits_qr_code_is_for_clerks_seated_in_its_hall_today(client, calendar_2026, at):
    at(D(2026, 9, 29))
    clerk = ClerkFactory()
    visit = walk_in_application(clerk=clerk)
    colleague = ClerkFactory(window=WindowFactory(hall=visit.accepted_hall))
    for refused in (ClerkFactory(), UserFactory(role=User.Role.CLERK)):  # another hall; nowhere today
        client.force_login(refused)
        for occasion in ("", "window_accept", "window_deliver"):
            assert client.get(f"/hall/rate/{visit.number}/?occasion={occasion}").status_code == 404
        assert client.get("/hall/rate/QX-NOT-A-NUMBER/").status_code == 404
    assert not RatingToken.objects.exists()
    client.force_login(colleague)  # the same hall: any clerk seated there may show it
    page = client.get(f"/hall/rate/{visit.number}/").content.decode()
    link = RatingToken.objects.get()
    assert link.occasion == "window_accept" and f"/rate/{link.token}/" in page
