"""A clerk's sub-cases (issue 15): those of the cases she accepted, of the cases she registered
and another clerk accepted, and of the results at her delivery window; read by the API's cursor
part by part (`CursorPagination.narrowed`), in the order and pages the whole list has."""

import base64
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    ClerkFactory,
    HallFactory,
    MatterFactory,
    ReviewerFactory,
    WindowFactory,
    accepted_application,
    concluded_application,
    received_at_window,
)
from workflow import selectors, services
from workflow.models import SubCase

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tuesday_10_november_2026, db):
    here, there = HallFactory(), HallFactory()
    clerk, colleague = ClerkFactory(window=WindowFactory(hall=here)), ClerkFactory(window=WindowFactory(hall=here))
    elsewhere = ClerkFactory(window=WindowFactory(hall=there))

    def two_matters():
        return [MatterFactory(), MatterFactory()]

    def dispatched(application):
        services.dispatch_subcases(application_id=application.pk)
        return application

    def result(application):
        services.prepare_result(application_id=application.pk)
        return application

    registered = received_at_window(clerk=clerk, matters=two_matters())
    cases = {
        "accepted by her": dispatched(accepted_application(clerk=clerk, matters=two_matters())),
        "registered by her, accepted elsewhere": dispatched(
            services.application_accept(application=registered, clerk=elsewhere)),
        "accepted elsewhere": dispatched(accepted_application(clerk=elsewhere, matters=two_matters())),
        "result at her hall": result(concluded_application(clerk=colleague, matters=two_matters())),
        "result elsewhere": result(concluded_application(clerk=elsewhere, matters=two_matters())),
        "accepted by her colleague": dispatched(accepted_application(clerk=colleague, matters=two_matters())),
    }
    received_at_window(clerk=clerk)  # registered, not accepted: no sub-case yet
    return clerk, cases


HERS = {"accepted by her", "registered by her, accepted elsewhere", "result at her hall"}


def _numbers(cases, names):
    return sorted((s.pk, s.number) for name in names for s in SubCase.objects.filter(application=cases[name]))


def test_a_sub_case_carries_who_accepted_its_application(world):
    _clerk, cases = world
    for application in cases.values():
        assert {s.accepted_by_id for s in SubCase.objects.filter(application=application)} == {
            application.accepted_by_id}


def test_a_clerk_reads_the_sub_cases_of_her_cases_and_no_other(world):
    clerk, cases = world
    expected = [number for _pk, number in _numbers(cases, HERS)]
    assert sorted(selectors.subcases_for(clerk).values_list("number", flat=True)) == sorted(expected)
    client = APIClient()
    client.force_authenticate(clerk)
    for name, application in cases.items():
        for subcase in SubCase.objects.filter(application=application):
            assert client.get(f"/api/subcases/{subcase.number}/").status_code == (200 if name in HERS else 404), name


@pytest.mark.parametrize("page_size", [1, 2, 4, 50])
def test_her_sub_case_list_pages_forwards_and_back_newest_first(world, page_size):
    clerk, cases = world
    expected = [number for _pk, number in reversed(_numbers(cases, HERS))]  # newest first
    client = APIClient()
    client.force_authenticate(clerk)
    pages, url = [], f"/api/subcases/?page_size={page_size}"
    while url:
        body = client.get(url).json()
        pages.append([row["number"] for row in body["results"]])
        url, previous = body["next"], body["previous"]
    assert [number for page in pages for number in page] == expected
    assert all(len(page) == page_size for page in pages[:-1])
    back = [pages[-1]]
    while previous:  # the previous links, from the last page to the first
        body = client.get(previous).json()
        back.append([row["number"] for row in body["results"]])
        previous = body["previous"]
    assert list(reversed(back)) == pages


@pytest.mark.parametrize("position", ["abc", "1e3", "-1", "9" * 30, None])
def test_a_cursor_whose_position_is_no_id_is_refused_in_chinese_for_every_role(world, position):
    clerk, _cases = world
    cursor = "not-base64!" if position is None else base64.b64encode(
        urlencode({"p": position, "r": "0", "o": "0"}).encode()).decode()
    for user in (clerk, ReviewerFactory()):
        client = APIClient()
        client.force_authenticate(user)
        response = client.get(f"/api/subcases/?cursor={cursor}")
        assert response.status_code == 400, (user, position)
        assert "翻页参数无效" in str(response.json())
