"""Which window clerks see and may contest a card on an application's own step (issue 12,
decisions: "Who answers for an application's own card"): the clerk who took the action, clerks
seated today at the case's hall, and for an online application waiting for pre-review any clerk
seated today at a window of its category; nobody unseated, nobody of another hall."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from supervision.cards import selectors
from supervision.cards.services import may_contest
from supervision.models import Card
from tests.factories import (
    ClerkFactory,
    HallFactory,
    UserFactory,
    WindowFactory,
    accepted_application,
    submitted_application,
)
from windows.models import Window
from workflow import services

pytestmark = pytest.mark.django_db
CLERKS = ("clerk_a", "colleague_a", "clerk_b", "legal_b", "unseated")


@pytest.fixture
def world(calendar_2026):
    hall_a, hall_b = HallFactory(), HallFactory()
    users = {
        "clerk_a": ClerkFactory(window=WindowFactory(hall=hall_a)),
        "colleague_a": ClerkFactory(window=WindowFactory(hall=hall_a)),
        "clerk_b": ClerkFactory(window=WindowFactory(hall=hall_b)),
        "legal_b": ClerkFactory(window=WindowFactory(hall=hall_b, category=Window.Category.LEGAL)),
        "unseated": UserFactory(role=User.Role.CLERK),
    }
    refused = services.application_refuse(application=submitted_application(), clerk=users["clerk_a"], reason="不符")
    deferred = accepted_application(clerk=users["clerk_a"])  # accepted at hall A
    waiting = submitted_application()  # online, waiting at every natural-person window

    def card(application, trigger, level=Card.Level.RED):
        return Card.objects.create(application=application, trigger=trigger, level=level, reason="测试")

    cards = {
        "refusal": card(refused, Card.Trigger.REFUSAL_REASON),
        "deferred": card(deferred, Card.Trigger.DEFERRED_MATERIAL),
        "pre_review": card(waiting, Card.Trigger.PRE_REVIEW, Card.Level.YELLOW),
    }
    return users, cards


# card → the clerks who see it (list, detail) and those who may contest it
SEEN = {
    "refusal": {"clerk_a"},  # an online application has no hall: the clerk who refused it
    "deferred": {"clerk_a", "colleague_a"},  # accepted (容缺) by clerk A at hall A
    "pre_review": {"clerk_a", "colleague_a", "clerk_b"},  # waits at every natural-person window
}
CONTESTS = SEEN


def test_each_clerk_lists_and_contests_the_cards_she_answers_for(world):
    users, cards = world
    for role in CLERKS:
        user = users[role]
        listed = set(selectors.cards_for(user).values_list("pk", flat=True))
        assert {name for name, c in cards.items() if c.pk in listed} == {n for n, who in SEEN.items() if role in who}, (
            role
        )
        for name, card in cards.items():
            assert may_contest(user, Card.objects.get(pk=card.pk)) == (role in CONTESTS[name]), (role, name)
        for card in selectors.cards_for(user):  # the list's buttons, read from the annotation
            assert may_contest(user, card) == (role in CONTESTS[next(n for n, c in cards.items() if c.pk == card.pk)])


def test_the_api_refuses_another_halls_card(world):
    users, cards = world
    client = APIClient()
    client.force_authenticate(users["clerk_b"])
    assert client.get(f"/api/cards/{cards['deferred'].pk}/").status_code == 404
    assert (
        client.post(
            f"/api/cards/{cards['deferred'].pk}/contest/", {"statement": "材料已补交"}, format="json"
        ).status_code
        == 404
    )
    client.force_authenticate(users["colleague_a"])
    assert client.get(f"/api/cards/{cards['deferred'].pk}/").status_code == 200
    assert (
        client.post(
            f"/api/cards/{cards['deferred'].pk}/contest/", {"statement": "材料已补交"}, format="json"
        ).status_code
        == 200
    )


def _page(client, query=""):
    response = client.get(f"/supervision/cards/{query}")
    assert response.status_code == 200
    return response.content.decode(), response.context["counts"]


@pytest.mark.parametrize("by_id", [True, False], ids=["live cards by id", "whole condition"])
def test_each_clerks_card_page_lists_counts_and_offers_contests_as_her_condition_reads(world, client, monkeypatch,
                                                                                        by_id):
    """A clerk's card page reads her live cards' ids once (`live_cards`, issue 15) or, past
    LIVE_BY_ID_UP_TO, through her whole condition: the same rows, counts and contest forms."""
    users, cards = world
    if not by_id:
        monkeypatch.setattr(selectors, "LIVE_BY_ID_UP_TO", 0)
    closed = Card.objects.create(application=cards["deferred"].application, trigger=Card.Trigger.PRE_REVIEW,
                                 level=Card.Level.RED, reason="测试", closed_at="2026-03-02T09:00+08:00")
    Card.objects.filter(pk=cards["refusal"].pk).update(review=Card.Review.CONTESTED)
    for role in CLERKS:
        client.force_login(users[role])
        html, counts = _page(client)
        seen = {n for n, who in SEEN.items() if role in who}
        for name, card in cards.items():
            assert (f"/supervision/cards/{card.pk}/" in html) == (name in seen), (role, name)
            # a contest form on each she answers for, but the one contested already
            assert (f"contest-{card.pk}" in html) == (name in seen and name != "refusal"), (role, name)
        assert counts == {"red": str(len(seen & {"refusal", "deferred"})), "yellow": str(len(seen & {"pre_review"})),
                          "contested": str(len(seen & {"refusal"})), "voided": "0"}, role
        html, _ = _page(client, "?state=closed")
        assert (f"/supervision/cards/{closed.pk}/" in html) == (role in SEEN["deferred"]), role


def test_a_clerk_moved_to_another_hall_lists_that_halls_cards_on_her_next_page(world, client):
    """Her live cards' query is compiled once per desk (`_live_query`): a seat at another hall is
    another desk, whose cards her next page lists, and the first hall's are gone from it."""
    users, cards = world
    clerk = users["colleague_a"]
    client.force_login(clerk)
    html, _counts = _page(client)
    assert f"/supervision/cards/{cards['deferred'].pk}/" in html  # accepted at her hall A
    hall_b = users["clerk_b"].seats.get().window.hall
    clerk.seats.update(window=WindowFactory(hall=hall_b))
    there = Card.objects.create(application=accepted_application(clerk=users["clerk_b"]),
                                trigger=Card.Trigger.DEFERRED_MATERIAL, level=Card.Level.RED, reason="测试")
    html, _counts = _page(client)
    assert f"/supervision/cards/{there.pk}/" in html and f"/supervision/cards/{cards['deferred'].pk}/" not in html
