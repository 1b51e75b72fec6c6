"""Issue 15: every worklist reads a constant number of queries whatever its number of rows — the
same with 1 row as with 50 (no query per row). Each case builds its rows through the services,
as users would have made them, and counts the queries of one GET with 1 row and with 50."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from exchange.models import ElectronicLicence
from notifications.models import Message
from notifications.services import notify
from supervision.feedback import complaints, ratings
from supervision.models import Card, Complaint
from tests.factories import (
    AppointmentSlotFactory,
    ClerkFactory,
    DepartmentFactory,
    HallFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
    concluded_application,
    received_at_window,
    submitted_application,
    walk_in_application,
)
from windows import queue_services
from windows import services as window_services
from windows.models import Consultation, Window
from workflow import services, tasks
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


def elsewhere_case():
    """同城通办: what waits at her windows that she may not take, each row naming the matters
    outside her 授权 (read for the page, not per row)."""
    mine = MatterFactory(name="居民身份证换领")
    clerk = ClerkFactory(authorised=[mine])
    return Case(clerk, lambda: submitted_application(matters=[mine, MatterFactory(name="再生育审批")]).number)


def in_hand_case():
    """我经手的在办件: the walk-ins she registered and has not accepted yet."""
    clerk = ClerkFactory()
    return Case(clerk, lambda: received_at_window(clerk=clerk).number)


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


def clerk_card_case():
    """The windows' own cards: what waits at her windows, and what she accepted (容缺), each row a
    card on an application without a sub-case (read through her live cards' ids); and the
    follow-ups of her hall's bad window ratings, which she may contest (no query a card)."""
    clerk = ClerkFactory()

    def add_row():
        kind = Card.objects.count() % 3  # the first a follow-up's: its cases are read by a query of their own
        if kind == 0:
            application = walk_in_application(clerk=clerk, matters=[MatterFactory()])
            token = ratings.rating_token_issue(application=application, occasion="window_accept")
            followup = ratings.rating_submit(token=token, level=1, comment="窗口态度差").followup
            Card.objects.create(followup=followup, hall_id=followup.hall_id, trigger=Card.Trigger.FOLLOWUP,
                                level="red", reason="测试", due=dt.date(2026, 12, 20))
            return application.number
        if kind == 1:
            application = accepted_application(clerk=clerk, matters=[MatterFactory()])
            trigger = Card.Trigger.DEFERRED_MATERIAL
        else:
            application, trigger = submitted_application(matters=[MatterFactory()]), Card.Trigger.PRE_REVIEW
        Card.objects.create(application=application, trigger=trigger, level="red", reason="测试",
                            due=dt.date(2026, 12, 20))
        return application.number

    return Case(clerk, add_row)


def public_case():
    return Case(None, lambda: accepted_application(matters=[MatterFactory()]).number)


def licence_case():
    """The holder's 我的证照: one licence more per approved case."""
    citizen = UserFactory()

    def add_row():
        application = accepted_application(applicant=citizen, matters=[MatterFactory(
            issues_licence=True, result_name="食品经营许可证")])
        services.dispatch_subcases(application_id=application.pk)
        subcase = application.subcases.get()
        services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department),
                                approve=True, reason="")
        tasks.issue_licence(subcase.pk)
        return ElectronicLicence.objects.get(case_ref=subcase.number).number

    return Case(citizen, add_row)


def rated_case(level):
    """A supervisor reads ratings (and, when bad, their follow-ups): one rating of the decision per case."""
    supervisor = SupervisorFactory()

    def add_row():
        case = concluded_application(matters=[MatterFactory()])
        token = ratings.rating_token_issue(application=case, occasion="decision")
        ratings.rating_submit(token=token, level=level, comment=f"评价{case.number}")
        return case.number

    return Case(supervisor, add_row)


def rating_case():
    return rated_case(level=5)


def followup_case():
    return rated_case(level=1)


def complaint_case():
    """A supervisor reads every complaint; each one comes from another citizen to a department."""
    supervisor = SupervisorFactory()

    def add_row():
        subject = f"窗口要求重复提交材料{Complaint.objects.count() + 1:03d}"
        complaints.complaint_submit(user=UserFactory(), department_id=DepartmentFactory().pk, subject=subject,
                                    content="窗口要求重复提交同一份材料,希望改进。")
        return subject

    return Case(supervisor, add_row)


def my_complaint_case():
    citizen = UserFactory()

    def add_row():
        subject = f"办事难{Complaint.objects.count() + 1:03d}"
        complaints.complaint_submit(user=citizen, department_id=DepartmentFactory().pk, subject=subject,
                                    content="窗口要求重复提交同一份材料,希望改进。")
        return subject

    return Case(citizen, add_row)


def consultation_case():
    """首问责任: the clerk's consultations, each asked by another person."""
    clerk = ClerkFactory()

    def add_row():
        asker = UserFactory()
        return window_services.consultation_open(
            staff=clerk, channel=Consultation.Channel.WINDOW, topic="新生儿落户", question="需要带哪些材料?",
            asker_name=asker.real_name, asker_id_number=asker.id_number).number

    return Case(clerk, add_row)


def appointment_case():
    citizen = UserFactory()

    def add_row():  # a slot in another hall each time: one booking per person, hall and day
        return queue_services.appointment_book(user=citizen, slot=AppointmentSlotFactory()).code

    return Case(citizen, add_row)


def message_case():
    citizen = UserFactory()

    def add_row():
        title = f"办件进度通知{Message.objects.count() + 1:03d}"
        notify(recipient=citizen, kind="accepted", title=title, body="您的办件已受理。", link="/applications/",
               dedupe_key=title)
        return title

    return Case(citizen, add_row)


LISTS = [
    (citizen_case, "page", "/applications/"),
    (citizen_case, "api", "/api/applications/"),
    (clerk_case, "page", "/hall/"),
    (clerk_case, "api", "/api/applications/"),
    (elsewhere_case, "page", "/hall/?tab=elsewhere"),
    (in_hand_case, "page", "/hall/?tab=in_hand"),
    (delivery_case, "page", "/hall/delivery/"),
    (reviewer_case, "page", "/review/"),
    (reviewer_case, "api", "/api/subcases/"),
    (supervisor_case, "page", "/supervision/cards/"),
    (supervisor_case, "api", "/api/cards/"),
    (clerk_card_case, "page", "/supervision/cards/"),
    (public_case, "page", "/disclosure/"),
    (public_case, "api", "/api/disclosure/applications/"),
    (licence_case, "page", "/licences/"),
    (licence_case, "api", "/api/licences/"),
    (rating_case, "page", "/supervision/ratings/"),
    (rating_case, "api", "/api/ratings/"),
    (followup_case, "page", "/supervision/followups/"),
    (followup_case, "api", "/api/followups/"),
    (complaint_case, "page", "/supervision/complaints/"),
    (complaint_case, "api", "/api/complaints/"),
    (my_complaint_case, "page", "/complaints/mine/"),
    (consultation_case, "page", "/consultations/"),
    (consultation_case, "api", "/api/consultations/"),
    (appointment_case, "page", "/appointments/"),
    (appointment_case, "api", "/api/appointments/"),
    (message_case, "page", "/me/messages/"),
]


# lists in the order of their clocks, oldest first: the 50th row is on a later page (20 a page)
OLDEST_FIRST = {"/hall/", "/hall/?tab=elsewhere", "/hall/?tab=in_hand", "/hall/delivery/", "/review/", "/supervision/followups/",
                "/supervision/complaints/"}


# the hall's queue is read in two parts, its own district's then the rest of the city's
# (core.web.paging.keyset_page_by's segments): a page the first part does not fill reads the
# second too, one query more — the page with 1 row, not the one with 50
SECOND_PART_READ_WITH_1_ROW = {"/hall/": 1, "/hall/?tab=elsewhere": 1}


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


def _by_case():
    """The lists grouped by the case whose rows they show: a page and its API read the same rows,
    built once for both (they were built twice, half of this module's 100 s)."""
    grouped = {}
    for make_case, kind, url in LISTS:
        grouped.setdefault(make_case, []).append((kind, url))
    return [pytest.param(make, lists, id=make.__name__.removesuffix("_case") + ":" + ",".join(u for _, u in lists))
            for make, lists in grouped.items()]


@pytest.mark.parametrize(("make_case", "lists"), _by_case())
def test_a_list_reads_as_many_queries_with_50_rows_as_with_1(make_case, lists, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    seed_calendar(years=[2026])
    case = make_case()
    first = case.add_row()
    one = {url: count_queries(case, kind, url, first) for kind, url in lists}
    last = [case.add_row() for _ in range(MANY - 1)][-1]
    many = {url: count_queries(case, kind, url, first if url in OLDEST_FIRST else last) for kind, url in lists}
    expected = {url: count - SECOND_PART_READ_WITH_1_ROW.get(url, 0) for url, count in one.items()}
    assert many == expected, "; ".join(f"{url}: {one[url]} queries with 1 row, {many[url]} with {MANY}"
                                       for url in one if expected[url] != many[url])
