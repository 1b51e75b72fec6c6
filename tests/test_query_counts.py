"""Issue 15: every worklist reads a constant number of queries whatever its number of rows — the
same with 1 row as with 50 (no query per row). Each case builds its rows through the services,
as users would have made them, and counts the queries of one GET with 1 row and with 50."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from supervision.models import Card
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    HallFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
    concluded_application,
    submitted_application,
)
from windows.models import Window
from workflow import services
from workflow.calendar_store import seed_calendar

pytestmark = pytest.mark.django_db
MANY = 50


class Case:
    """Who reads which lists, and how one more row of them is made."""

    def __init__(self, viewer, add_row):
        self.viewer, self.add_row = viewer, add_row


def citizen_case():
    citizen = UserFactory()
    return Case(citizen, lambda: submitted_application(applicant=citizen, matters=[MatterFactory()]).number)


def clerk_case():
    clerk = ClerkFactory()
    return Case(clerk, lambda: submitted_application(matters=[MatterFactory()]).number)


def delivery_case():
    hall = HallFactory()
    accepting = ClerkFactory(window__hall=hall)
    delivering = ClerkFactory(window__hall=hall, window__category=Window.Category.DELIVERY, window__name="综合出件窗口")

    def add_row():
        application = concluded_application(matters=[MatterFactory()], clerk=accepting)
        services.prepare_result(application_id=application.pk)  # the result waits at the hall's delivery window
        return application.number

    return Case(delivering, add_row)


def reviewer_case():
    department = DepartmentFactory()
    reviewer = ReviewerFactory(department=department)

    def add_row():
        application = accepted_application(matters=[MatterFactory(department=department)])
        services.dispatch_subcases(application_id=application.pk)
        return application.number

    return Case(reviewer, add_row)


def supervisor_case():
    supervisor = SupervisorFactory()

    def add_row():
        application = accepted_application(matters=[MatterFactory()])
        services.dispatch_subcases(application_id=application.pk)
        subcase = application.subcases.get()
        Card.objects.create(application=application, subcase=subcase, level="yellow", department=subcase.department,
                            reason="剩余2个工作日", due=dt.date(2026, 12, 20))
        return application.number

    return Case(supervisor, add_row)


def public_case():
    return Case(None, lambda: accepted_application(matters=[MatterFactory()]).number)


LISTS = [
    (citizen_case, "page", "/applications/"),
    (citizen_case, "api", "/api/applications/"),
    (clerk_case, "page", "/hall/"),
    (clerk_case, "api", "/api/applications/"),
    (delivery_case, "page", "/hall/delivery/"),
    (reviewer_case, "page", "/review/"),
    (reviewer_case, "api", "/api/subcases/"),
    (supervisor_case, "page", "/supervision/cards/"),
    (supervisor_case, "api", "/api/cards/"),
    (public_case, "page", "/disclosure/"),
    (public_case, "api", "/api/disclosure/applications/"),
]


def count_queries(case, kind, url, shows: str) -> int:
    if kind == "api":
        client = APIClient()
        if case.viewer is not None:
            client.force_authenticate(case.viewer)
    else:
        from django.test import Client

        client = Client()
        if case.viewer is not None:
            client.force_login(case.viewer)
    client.get(url)  # warm: sessions, the calendar, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert shows in response.content.decode(), f"{url} does not list {shows}: the count would prove nothing"
    return len(queries)


@pytest.mark.parametrize(("make_case", "kind", "url"), LISTS,
                         ids=[f"{make.__name__.removesuffix('_case')}:{url}" for make, _kind, url in LISTS])
def test_a_list_reads_as_many_queries_with_50_rows_as_with_1(make_case, kind, url, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    seed_calendar(years=[2026])
    case = make_case()
    first = case.add_row()
    one = count_queries(case, kind, url, first)
    last = [case.add_row() for _ in range(MANY - 1)][-1]
    many = count_queries(case, kind, url, last)
    assert many == one, f"{url}: {one} queries with 1 row, {many} with {MANY}"
