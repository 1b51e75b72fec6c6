"""A clerk reads a case outside her lists only by its number at a window she sits at today, and
each such read leaves a `looked_up` row on the case (issue 12): by the API, the page, a
material's file and the search's open. Reads of her own lists are not logged."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import ClerkFactory, MatterFactory, UserFactory, WindowFactory, accepted_application
from windows.models import Window
from workflow.calendar_store import seed_calendar
from workflow.models import CaseLog


@pytest.fixture
def world(db):
    seed_calendar(years=[timezone.localdate().year])
    matter = MatterFactory()
    seated = ClerkFactory()
    elsewhere = ClerkFactory(window=WindowFactory(category=Window.Category.LEGAL))
    mine = accepted_application(applicant=UserFactory(), matters=[matter], clerk=seated)
    other = accepted_application(applicant=UserFactory(), matters=[matter])
    return seated, elsewhere, mine, other


def _reads(application, clerk=None):
    rows = CaseLog.objects.filter(application=application, action="workflow.application.looked_up")
    return list(rows.filter(actor=clerk) if clerk else rows)


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_read_by_number_outside_her_lists_is_logged_once_per_visit(world):
    seated, elsewhere, mine, other = world
    assert _api(elsewhere).get(f"/api/applications/{other.number}/").status_code == 200
    [row] = _reads(other, elsewhere)
    assert row.data == {"kind": "number", "outside_lists": True}
    assert "清单以外" in row.note
    # the page, the material's file and a refresh in the same visit are the same read
    assert _page(elsewhere).get(f"/applications/{other.number}/").status_code == 200
    material = other.materials.first()
    assert _api(elsewhere).get(f"/api/applications/{other.number}/materials/{material.pk}/file/").status_code == 200
    assert len(_reads(other, elsewhere)) == 1
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11), tick=False):
        assert _page(elsewhere).get(f"/applications/{other.number}/").status_code == 200
    assert len(_reads(other, elsewhere)) == 2


def test_reads_of_her_own_lists_are_not_logged(world):
    seated, elsewhere, mine, other = world
    assert _api(seated).get(f"/api/applications/{mine.number}/").status_code == 200
    assert _page(seated).get(f"/applications/{mine.number}/").status_code == 200
    assert _reads(mine) == []


def test_an_unseated_clerk_reads_nothing_and_nothing_is_logged(world):
    seated, elsewhere, mine, other = world
    from windows.models import Seat

    Seat.objects.filter(clerk=elsewhere).delete()
    assert _api(elsewhere).get(f"/api/applications/{other.number}/").status_code == 404
    assert _reads(other) == []


def test_the_search_open_of_a_case_outside_her_lists_writes_one_row_saying_how_it_was_found(world):
    seated, elsewhere, mine, other = world
    response = _page(elsewhere).post(f"/hall/search/{other.number}/open/", {"kind": "id_number"})
    assert response.status_code == 302
    [row] = _reads(other, elsewhere)
    assert row.data == {"kind": "id_number", "outside_lists": True}
    # the page it opens is the same visit
    assert _page(elsewhere).get(response["Location"]).status_code == 200
    assert len(_reads(other, elsewhere)) == 1


def test_the_search_open_of_her_own_case_is_logged_as_before(world):
    seated, elsewhere, mine, other = world
    assert _page(seated).post(f"/hall/search/{mine.number}/open/", {"kind": "name"}).status_code == 302
    [row] = _reads(mine, seated)
    assert row.data == {"kind": "name", "outside_lists": False}
