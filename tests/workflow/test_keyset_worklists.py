"""Issue 15: the worklists that grow with the case load page by keyset cursors (`?after=` /
`?before=`). Walking forward and back lists every row exactly once, in the list's order, when many
rows share the same date; a garbled or forged cursor gives page 1 with a message, never an error;
each role's list holds what it should (no other department's cases) on page 2 as on page 1."""

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.web.paging import encode_cursor
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    accepted_application,
    submitted_application,
)
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, SubCase

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 2, 10, 0, tzinfo=BEIJING), tick=False)
    seed_calendar(years=[2026])


def dispatched(department, applicant=None):
    application = accepted_application(applicant=applicant, matters=[MatterFactory(department=department)])
    services.dispatch_subcases(application_id=application.pk)
    return application.subcases.get()


def copies(row, count, **fields_of):
    """`count` copies of a row with fresh numbers; each field given as a function of the copy's index."""
    model = type(row)
    made = []
    for i in range(count):
        copy = model.objects.get(pk=row.pk)
        copy.pk = copy.id = None
        copy.number = f"{row.number}-{i:03d}"
        for name, value_of in fields_of.items():
            setattr(copy, name, value_of(i))
        made.append(copy)
    model.objects.bulk_create(made)
    return made


def walk(client, url):
    """Every page's numbers following 下一页 from page 1, then 上一页 back from the last page."""
    response = client.get(url)
    assert response.status_code == 200
    forward = [[row.number for row in response.context["page"].object_list]]
    while response.context["page"].next_url:
        response = client.get(url.split("?")[0] + response.context["page"].next_url)
        assert response.status_code == 200
        forward.append([row.number for row in response.context["page"].object_list])
    backward = [forward[-1]]
    while response.context["page"].previous_url:
        response = client.get(url.split("?")[0] + response.context["page"].previous_url)
        assert response.status_code == 200
        backward.append([row.number for row in response.context["page"].object_list])
    return forward, backward[::-1]


def reviewer_with_decided(count):
    """A department with `count` + 1 decided sub-cases, their decisions in threes at the same
    instant; another department with its own."""
    department, other = DepartmentFactory(), DepartmentFactory()
    reviewer = ReviewerFactory(department=department)
    mine = dispatched(department)
    services.subcase_decide(subcase=mine, reviewer=reviewer, approve=True, reason="")
    theirs = dispatched(other)
    services.subcase_decide(subcase=theirs, reviewer=ReviewerFactory(department=other), approve=True, reason="")
    start = dt.datetime(2026, 11, 2, 9, 0, tzinfo=BEIJING)
    copies(SubCase.objects.get(pk=mine.pk), count, decided_at=lambda i: start + dt.timedelta(hours=i // 3))
    copies(SubCase.objects.get(pk=theirs.pk), count, decided_at=lambda i: start + dt.timedelta(hours=i // 3))
    return reviewer, department


def test_the_decided_tab_pages_every_row_once_in_order_forward_and_back_with_ties():
    reviewer, department = reviewer_with_decided(44)
    client = Client()
    client.force_login(reviewer)
    forward, backward = walk(client, "/review/?tab=decided")
    expected = [s.number for s in sorted(SubCase.objects.filter(department=department),
                                         key=lambda s: (s.decided_at, s.pk), reverse=True)]
    assert len(expected) == 45 and len(forward) == 3
    assert [n for page in forward for n in page] == expected
    assert backward == forward


def test_the_decided_tab_lists_only_the_department_on_every_page():
    reviewer, department = reviewer_with_decided(44)
    client = Client()
    client.force_login(reviewer)
    forward, _backward = walk(client, "/review/?tab=decided")
    theirs = set(SubCase.objects.exclude(department=department).values_list("number", flat=True))
    assert len(forward[1]) == 20 and not theirs & {n for page in forward for n in page}
    response = client.get("/review/?tab=decided")
    assert response.context["counts"]["decided"] == "45"


def test_the_open_tab_pages_by_deadline_with_ties():
    department = DepartmentFactory()
    reviewer = ReviewerFactory(department=department)
    first = dispatched(department)
    other = dispatched(DepartmentFactory())
    copies(SubCase.objects.get(pk=first.pk), 69, deadline=lambda i: dt.date(2026, 12, 10) + dt.timedelta(days=i // 10))
    copies(SubCase.objects.get(pk=other.pk), 69)
    client = Client()
    client.force_login(reviewer)
    forward, backward = walk(client, "/review/")
    expected = [s.number for s in sorted(SubCase.objects.filter(department=department), key=lambda s: (s.deadline, s.pk))]
    assert [len(page) for page in forward] == [20, 20, 20, 10]
    assert [n for page in forward for n in page] == expected
    assert backward == forward
    response = client.get("/review/")
    while response.context["page"].next_url:
        response = client.get("/review/" + response.context["page"].next_url)
    assert "下一页" not in response.content.decode() and "上一页" in response.content.decode()


@pytest.mark.parametrize("cursor", [
    "garbage", "%%%", encode_cursor("not-a-date", 5), encode_cursor("2026-11-02T09:00:00+08:00", 2**70),
    encode_cursor("2026-11-02T09:00:00+08:00", "x"), "", "=" * 5, "5" * 300,
])
def test_a_garbled_cursor_gives_page_1_with_a_message(cursor):
    reviewer, _department = reviewer_with_decided(24)
    client = Client()
    client.force_login(reviewer)
    first = client.get("/review/?tab=decided").context["page"].object_list
    for name in ("after", "before"):
        response = client.get("/review/", {"tab": "decided", name: cursor})
        assert response.status_code == 200
        assert [s.pk for s in response.context["page"].object_list] == [s.pk for s in first]
        if cursor:
            assert "翻页参数无效,已回到第一页。" in response.content.decode()


def test_a_cursor_before_every_dated_row_is_page_1():
    """No decided sub-case lacks its instant; a cursor naming "no date" stands before them all."""
    reviewer, _department = reviewer_with_decided(24)
    client = Client()
    client.force_login(reviewer)
    first = client.get("/review/?tab=decided").context["page"].object_list
    response = client.get("/review/", {"tab": "decided", "after": encode_cursor(None, 2**40)})
    assert [s.pk for s in response.context["page"].object_list] == [s.pk for s in first]


def test_a_forged_cursor_beyond_the_end_says_so_and_leaks_nothing():
    reviewer, _department = reviewer_with_decided(4)
    client = Client()
    client.force_login(reviewer)
    response = client.get("/review/", {"tab": "decided", "after": encode_cursor("2000-01-01T00:00:00+08:00", 1)})
    assert response.status_code == 200 and response.context["page"].object_list == []
    assert "这一页已没有办件" in response.content.decode() and "第一页" in response.content.decode()


def test_my_applications_page_only_mine_newest_first_with_ties_and_drafts():
    citizen, stranger = UserFactory(), UserFactory()
    mine = submitted_application(applicant=citizen)
    theirs = submitted_application(applicant=stranger)
    when = dt.datetime(2026, 11, 20, 9, 0, tzinfo=BEIJING)
    copies(Application.objects.get(pk=mine.pk), 44,
           submitted_at=lambda i: None if i % 15 == 0 else when + dt.timedelta(minutes=i // 4))
    copies(Application.objects.get(pk=theirs.pk), 44)
    client = Client()
    client.force_login(citizen)
    forward, backward = walk(client, "/applications/")
    rows = list(Application.objects.filter(applicant=citizen))
    drafts = sorted((a for a in rows if a.submitted_at is None), key=lambda a: a.pk, reverse=True)
    dated = sorted((a for a in rows if a.submitted_at), key=lambda a: (a.submitted_at, a.pk), reverse=True)
    assert [n for page in forward for n in page] == [a.number for a in drafts + dated]
    assert backward == forward
    assert len(forward) == 3 and not {theirs.number} & {n for page in forward for n in page}


def test_the_clerks_queue_pages_only_her_categories_oldest_first():
    clerk = ClerkFactory()  # a natural-person window
    natural = submitted_application(matters=[MatterFactory()])
    legal = submitted_application(matters=[MatterFactory()])
    Application.objects.filter(pk=legal.pk).update(category="legal")
    when = dt.datetime(2026, 11, 30, 9, 0, tzinfo=BEIJING)
    copies(Application.objects.get(pk=natural.pk), 59, submitted_at=lambda i: when + dt.timedelta(minutes=i // 5))
    copies(Application.objects.get(pk=legal.pk), 20)
    client = Client()
    client.force_login(clerk)
    forward, backward = walk(client, "/hall/")
    expected = sorted(Application.objects.filter(category="natural", state="submitted"),
                      key=lambda a: (a.submitted_at, a.pk))
    assert [len(page) for page in forward] == [20, 20, 20]
    assert [n for page in forward for n in page] == [a.number for a in expected]
    assert backward == forward
    assert client.get("/hall/").context["counts"]["waiting"] == "60"


def test_a_reviewer_reads_an_application_once_with_two_of_its_subcases_in_her_department():
    department = DepartmentFactory()
    reviewer = ReviewerFactory(department=department)
    application = accepted_application(matters=[MatterFactory(department=department), MatterFactory(department=department)])
    services.dispatch_subcases(application_id=application.pk)
    dispatched(DepartmentFactory())  # another department's
    api = APIClient()
    api.force_authenticate(reviewer)
    numbers = [row["number"] for row in api.get("/api/applications/").json()["results"]]
    assert numbers == [application.number]
