"""Issue 15: the lists that paged by OFFSET page by keyset cursors too — the card list (the open
cards in a mixed-direction order: red first, then by due with none last, newest first; a
composite cursor), the delivery window's results, the bad ratings' follow-ups, the complaints
and the ratings. Walking forward and back lists every row once in the list's order, many rows
sharing a date; a garbled or forged cursor gives page 1 with a message."""

import base64
import datetime as dt

import pytest
from django.test import Client

from supervision.feedback import complaints, ratings
from supervision.models import Card, Complaint, FollowUp, Rating
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    HallFactory,
    MatterFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
    concluded_application,
)
from windows.models import Window
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application

pytestmark = pytest.mark.django_db
BEIJING = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 2, 10, 0, tzinfo=BEIJING), tick=False)
    seed_calendar(years=[2026])


def walk(client, url, label):
    """Every page's rows (by `label`) following 下一页 from page 1, then 上一页 back from the last."""
    path = url.split("?")[0]
    response = client.get(url)
    assert response.status_code == 200
    forward = [[label(row) for row in response.context["page"].object_list]]
    while response.context["page"].next_url:
        response = client.get(path + response.context["page"].next_url)
        assert response.status_code == 200
        forward.append([label(row) for row in response.context["page"].object_list])
    backward = [forward[-1]]
    while response.context["page"].previous_url:
        response = client.get(path + response.context["page"].previous_url)
        assert response.status_code == 200
        backward.append([label(row) for row in response.context["page"].object_list])
    return forward, backward[::-1]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- the card list -------------------------------------------------------------------------------

CARD_TRIGGERS = (Card.Trigger.DECISION, Card.Trigger.PRE_REVIEW, Card.Trigger.DELIVERY, Card.Trigger.DEFERRED_MATERIAL)


def open_cards():
    """16 open cards on two applications: both levels, four triggers; dues shared in pairs, a
    quarter with no due at all."""
    made = []
    dues = [dt.date(2026, 12, 10), dt.date(2026, 12, 3), None, dt.date(2026, 12, 3)]
    for application in (accepted_application(matters=[MatterFactory()]), accepted_application(matters=[MatterFactory()])):
        for i, trigger in enumerate(CARD_TRIGGERS):
            for level in (Card.Level.YELLOW, Card.Level.RED):
                made.append(Card.objects.create(application=application, trigger=trigger, level=level,
                                                department=DepartmentFactory(), reason="剩余2个工作日", due=dues[i]))
    return made


def test_the_open_cards_page_by_a_composite_cursor_in_their_mixed_order(monkeypatch):
    monkeypatch.setattr("supervision.cards.views.CARDS_PER_PAGE", 5)
    cards = open_cards()
    expected = [c.pk for c in sorted(cards, key=lambda c: (c.level, c.due is None, c.due or dt.date.min, -c.pk))]
    assert expected[0] in {c.pk for c in cards if c.level == "red"}  # red first, then yellow
    forward, backward = walk(logged_in(SupervisorFactory()), "/supervision/cards/", lambda card: card.pk)
    assert [len(p) for p in forward] == [5, 5, 5, 1]
    assert sum(forward, []) == expected
    assert backward == forward
    # one level: its own segment alone, the same order
    forward, backward = walk(logged_in(SupervisorFactory()), "/supervision/cards/?level=yellow", lambda card: card.pk)
    assert sum(forward, []) == [pk for pk in expected if pk in {c.pk for c in cards if c.level == "yellow"}]
    assert [len(p) for p in forward] == [5, 3] and backward == forward


def test_the_closed_cards_page_newest_first_by_a_cursor(monkeypatch):
    monkeypatch.setattr("supervision.cards.views.CARDS_PER_PAGE", 4)
    cards = open_cards()[:9]
    Card.objects.filter(pk__in=[c.pk for c in cards]).update(closed_at=dt.datetime(2026, 12, 2, 9, 0, tzinfo=BEIJING),
                                                             close_reason="已办结")
    forward, backward = walk(logged_in(SupervisorFactory()), "/supervision/cards/?state=closed", lambda card: card.pk)
    assert sum(forward, []) == sorted((c.pk for c in cards), reverse=True)  # all opened at one instant: newest id first
    assert [len(p) for p in forward] == [4, 4, 1]
    assert backward == forward


@pytest.mark.parametrize("cursor", ["%%%", "bm90aGluZw", base64.urlsafe_b64encode(b"green|2026-12-03|5").decode(),
                                    base64.urlsafe_b64encode(b"red|not a date|5").decode(),
                                    base64.urlsafe_b64encode(b"red|2026-12-03|-5").decode()])
def test_a_garbled_or_forged_card_cursor_gives_page_1_and_says_so(cursor):
    open_cards()
    response = logged_in(SupervisorFactory()).get("/supervision/cards/", {"after": cursor})
    assert response.status_code == 200
    assert "翻页参数无效,已回到第一页。" in response.content.decode()
    assert len(response.context["page"].object_list) == 16


# --- the delivery window ---------------------------------------------------------------------------


def test_the_delivery_window_pages_its_results_oldest_first(monkeypatch):
    monkeypatch.setattr("windows.views.DELIVERY_PER_PAGE", 2)
    hall = HallFactory()
    accepting = ClerkFactory(window__hall=hall)
    delivering = ClerkFactory(window__hall=hall, window__category=Window.Category.DELIVERY, window__name="综合出件窗口")
    numbers = []
    for _ in range(5):
        application = concluded_application(matters=[MatterFactory()], clerk=accepting)
        services.prepare_result(application_id=application.pk)
        numbers.append(application.number)
    Application.objects.filter(number__in=numbers).update(concluded_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING))
    expected = list(Application.objects.filter(number__in=numbers).order_by("pk").values_list("number", flat=True))
    forward, backward = walk(logged_in(delivering), "/hall/delivery/", lambda a: a.number)
    assert sum(forward, []) == expected
    assert [len(p) for p in forward] == [2, 2, 1]
    assert backward == forward


# --- the feedback lists ------------------------------------------------------------------------------


def bad_ratings(count):
    made = []
    for _ in range(count):
        case = concluded_application(matters=[MatterFactory()])
        token = ratings.rating_token_issue(application=case, occasion="decision")
        ratings.rating_submit(token=token, level=1, comment=f"差评{case.number}")
        made.append(Rating.objects.get(application=case))
    return made


def test_the_followups_page_by_due_and_the_ratings_newest_first(monkeypatch):
    monkeypatch.setattr("supervision.feedback.views.LIST_PER_PAGE", 2)
    made = bad_ratings(5)
    followups = FollowUp.objects.filter(rating__in=made)
    assert followups.count() == 5
    followups.filter(pk__in=[f.pk for f in followups][:2]).update(due=dt.date(2026, 12, 20))  # two later than the rest
    expected = list(FollowUp.objects.filter(rating__in=made).order_by("due", "pk").values_list("pk", flat=True))
    client = logged_in(SupervisorFactory())
    forward, backward = walk(client, "/supervision/followups/", lambda f: f.pk)
    assert sum(forward, []) == expected
    assert backward == forward
    forward, backward = walk(client, "/supervision/ratings/", lambda r: r.pk)
    assert sum(forward, []) == sorted((r.pk for r in made), reverse=True)  # rated at one instant: newest id first
    assert backward == forward


def test_the_complaints_page_by_due_whatever_the_state_filter(monkeypatch):
    monkeypatch.setattr("supervision.feedback.views.LIST_PER_PAGE", 2)
    for i in range(5):
        complaints.complaint_submit(user=UserFactory(), department_id=DepartmentFactory().pk,
                                    subject=f"窗口要求重复提交材料{i}", content="窗口要求重复提交同一份材料,希望改进。")
    Complaint.objects.filter(pk__in=list(Complaint.objects.order_by("pk").values_list("pk", flat=True)[:2])).update(
        due=dt.date(2026, 12, 30))
    expected = list(Complaint.objects.order_by("due", "pk").values_list("pk", flat=True))
    client = logged_in(SupervisorFactory())
    for url in ("/supervision/complaints/", "/supervision/complaints/?state=all"):
        forward, backward = walk(client, url, lambda c: c.pk)
        assert sum(forward, []) == expected, url
        assert [len(p) for p in forward] == [2, 2, 1]
        assert backward == forward
