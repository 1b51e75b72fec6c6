"""A department contests a card with evidence; a supervisor upholds or voids it. Who may do what,
over the services, the API and the pages; the evidence is served only to supervisors and the
responsible department; a voided card closes with its reason and leaves every count."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from core.errors import Conflict, Forbidden, Invalid
from supervision.cards import selectors
from supervision.cards.services import card_contest, card_decide, sweep_deadlines
from supervision.feedback import ratings
from supervision.figures import services as figures
from supervision.models import Card, CardLog
from tests.factories import (
    PDF_BYTES,
    ClerkFactory,
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
    submitted_application,
    walk_in_application,
)
from workflow import services

pytestmark = pytest.mark.django_db
D = dt.date
ROLES = ["anonymous", "owner", "clerk", "reviewer", "other_reviewer", "supervisor"]


def evidence(name="说明.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def world(calendar_2026, at):
    """A red decision card (a 10-day sub-case accepted Sep 29, due Oct 19, swept on Oct 20) and a
    red pre-review card (an online application received Sep 29, due Oct 12)."""
    at(D(2026, 9, 29))
    owner = UserFactory()
    matter = MatterFactory(promised_days=10)
    application = accepted_application(applicant=owner, matters=[matter])
    waiting = submitted_application(applicant=owner, matters=[matter])
    at(D(2026, 10, 20))
    sweep_deadlines()
    users = {
        "anonymous": None, "owner": owner, "clerk": ClerkFactory(),
        "reviewer": ReviewerFactory(department=matter.department),
        "other_reviewer": ReviewerFactory(department=DepartmentFactory()), "supervisor": SupervisorFactory(),
    }
    return {
        "users": users,
        "card": Card.objects.get(application=application, trigger="decision", level="red"),
        "window_card": Card.objects.get(application=waiting, trigger="pre_review", level="red"),
    }


def test_the_department_contests_and_a_supervisor_voids(world):
    card, users = world["card"], world["users"]
    for role in ("clerk", "other_reviewer", "supervisor", "owner"):
        with pytest.raises(Forbidden):
            card_contest(card=card, user=users[role], statement="申请人要求暂缓")
    with pytest.raises(Invalid):
        card_contest(card=card, user=users["reviewer"], statement="  ")
    with pytest.raises(Invalid):
        card_contest(card=card, user=users["reviewer"], statement="申请人要求暂缓",
                     evidence=evidence("说明.pdf", b"not a pdf at all"))
    contest = card_contest(card=card, user=users["reviewer"], statement="申请人书面申请暂缓办理", evidence=evidence())
    card.refresh_from_db()
    assert card.review == "contested" and card.closed_at is None
    stored = Path(contest.evidence.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT)) and stored.read_bytes() == PDF_BYTES
    assert contest.evidence_name == "说明.pdf" and contest.evidence_type == "application/pdf"
    with pytest.raises(Conflict):
        card_contest(card=card, user=users["reviewer"], statement="再次申诉")

    assert selectors.card_counts(Card.objects.all())["red"] == 2
    for role in ("reviewer", "clerk", "owner"):
        with pytest.raises(Forbidden):
            card_decide(card=card, supervisor=users[role], uphold=False, reason="理由")
    with pytest.raises(Invalid):
        card_decide(card=card, supervisor=users["supervisor"], uphold=False, reason="")
    card_decide(card=card, supervisor=users["supervisor"], uphold=False, reason="暂缓申请属实,不应计时")
    card.refresh_from_db()
    assert card.review == "voided" and card.closed_at is not None
    assert card.close_reason == "督查撤销:暂缓申请属实,不应计时"
    assert list(CardLog.objects.filter(card=card).values_list("action", flat=True)) == [
        "supervision.card.contested", "supervision.card.voided"]
    with pytest.raises(Conflict):
        card_decide(card=card, supervisor=users["supervisor"], uphold=True, reason="改判")

    counts = selectors.card_counts(Card.objects.all())
    assert (counts["red"], counts["voided"]) == (1, 1)  # only the window's card is left
    assert figures.open_cards_by_department()["departments"].get(card.department_id, {"red": 0})["red"] == 0
    # The clock is still overdue, but a voided card is not opened again for the same due date.
    sweep_deadlines(today=D(2026, 10, 21))
    assert not Card.objects.filter(subcase=card.subcase, closed_at__isnull=True).exists()


def test_an_upheld_clock_card_stays_with_its_clock(world):
    card, users = world["card"], world["users"]
    card_contest(card=card, user=users["reviewer"], statement="系统故障导致延误")
    card_decide(card=card, supervisor=users["supervisor"], uphold=True, reason="延误属实")
    card.refresh_from_db()
    assert card.review == "upheld" and card.closed_at is None
    assert selectors.card_counts(Card.objects.all())["red"] == 2
    subcase = card.subcase
    services.subcase_decide(subcase=subcase, reviewer=users["reviewer"], approve=True, reason="")
    sweep_deadlines(today=D(2026, 10, 21))
    card.refresh_from_db()
    assert card.closed_at is not None and card.review == "upheld"


def test_the_windows_contest_the_cards_of_the_applications_own_steps(world):
    card, users = world["window_card"], world["users"]
    for role in ("reviewer", "supervisor"):
        with pytest.raises(Forbidden):
            card_contest(card=card, user=users[role], statement="网上申请材料系统未推送")
    card_contest(card=card, user=users["clerk"], statement="网上申请材料系统未推送")
    card.refresh_from_db()
    assert card.review == "contested"


def _client(world, role):
    client = APIClient()
    if world["users"][role] is not None:
        client.force_authenticate(world["users"][role])
    return client


# (method, url, body, expected per role in ROLES order) for the decision card's endpoints.
API_CASES = [
    ("get", "/api/cards/{card}/", None, [401, 403, 404, 200, 404, 200]),
    ("post", "/api/cards/{card}/contest/", {"statement": "申请人书面申请暂缓办理"}, [401, 403, 404, 200, 404, 403]),
    ("post", "/api/cards/{card}/decide/", {"decision": "void", "reason": "暂缓属实"}, [401, 403, 404, 403, 404, 200]),
    # input is checked before access (validate → access → service), as everywhere in the API
    ("post", "/api/cards/{card}/decide/", {"decision": "maybe", "reason": "暂缓属实"}, [401, 403, 400, 400, 400, 400]),
    ("get", "/api/cards/{card}/evidence/", None, [401, 403, 404, 404, 404, 404]),  # no evidence yet
    ("get", "/api/cards/{window_card}/", None, [401, 403, 200, 404, 404, 200]),
    ("post", "/api/cards/{window_card}/contest/", {"statement": "系统未推送"}, [401, 403, 200, 404, 404, 403]),
]


@pytest.mark.parametrize("method,url,body,statuses", API_CASES, ids=[f"{m}-{u}-{i}" for i, (m, u, _b, _s) in enumerate(API_CASES)])
def test_api_permissions(world, method, url, body, statuses):
    url = url.format(card=world["card"].pk, window_card=world["window_card"].pk)
    for role, expected in zip(ROLES, statuses, strict=True):
        Card.objects.update(review="")  # each role meets the card as it was
        response = getattr(_client(world, role), method)(url, data=body, format="json")
        assert response.status_code == expected, (role, response.content.decode()[:300])
        if expected >= 400:
            assert set(response.json()) == {"code", "message", "fields"}


def test_api_contest_with_evidence_and_its_download(world):
    card = world["card"]
    reviewer = _client(world, "reviewer")
    response = reviewer.post(f"/api/cards/{card.pk}/contest/", {"statement": "申请人书面申请暂缓办理",
                                                                 "evidence": evidence()}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["review"] == "contested" and body["contest"]["evidence"]["name"] == "说明.pdf"
    url = body["contest"]["evidence"]["url"]
    assert url == f"/api/cards/{card.pk}/evidence/"
    for role, expected in zip(ROLES, [401, 403, 404, 200, 404, 200], strict=True):
        response = _client(world, role).get(url)
        assert response.status_code == expected, role
        if expected == 200:
            assert b"".join(response.streaming_content) == PDF_BYTES
    listed = _client(world, "supervisor").get("/api/cards/?review=contested").json()
    assert [c["id"] for c in listed["results"]] == [card.pk]
    voided = _client(world, "supervisor").post(f"/api/cards/{card.pk}/decide/", {"decision": "void", "reason": "暂缓属实"},
                                               format="json").json()
    assert voided["review"] == "voided" and voided["closed_at"] and voided["close_reason"] == "督查撤销:暂缓属实"
    assert _client(world, "supervisor").get("/api/cards/").json()["results"] == [
        _client(world, "supervisor").get(f"/api/cards/{world['window_card'].pk}/").json()]


def test_api_lists_are_narrowed_by_role(world):
    def ids(role, query=""):
        return sorted(c["id"] for c in _client(world, role).get(f"/api/cards/{query}").json()["results"])

    card, window_card = world["card"].pk, world["window_card"].pk
    assert ids("supervisor") == sorted([card, window_card])
    assert ids("reviewer") == [card]
    assert ids("other_reviewer") == []
    assert ids("clerk") == [window_card]
    assert ids("supervisor", "?trigger=pre_review") == [window_card]
    assert ids("supervisor", "?state=closed") == []


# Pages: (method, url, body, expected per role; "login" = redirect to sign-in).
PAGE_CASES = [
    ("get", "/supervision/cards/", None, ["login", 403, 200, 200, 200, 200]),
    ("get", "/supervision/cards/{card}/", None, ["login", 403, 404, 200, 404, 200]),
    ("get", "/supervision/cards/{window_card}/", None, ["login", 403, 200, 404, 404, 200]),
    ("post", "/supervision/cards/{card}/contest/", {"statement": "申请人书面申请暂缓办理"}, ["login", 403, 404, 302, 404, 403]),
    ("post", "/supervision/cards/{card}/decide/", {"decision": "void", "reason": "暂缓属实"}, ["login", 403, 404, 403, 404, 302]),
    ("get", "/supervision/cards/{card}/contest/", None, ["login", 403, 405, 405, 405, 405]),
]


@pytest.mark.parametrize("method,url,body,statuses", PAGE_CASES, ids=[f"{m}-{u}-{i}" for i, (m, u, _b, _s) in enumerate(PAGE_CASES)])
def test_page_permissions(client, world, method, url, body, statuses):
    url = url.format(card=world["card"].pk, window_card=world["window_card"].pk)
    for role, expected in zip(ROLES, statuses, strict=True):
        Card.objects.update(review="", closed_at=None, close_reason="")
        client.logout()
        if world["users"][role] is not None:
            client.force_login(world["users"][role])
        response = client.post(url, body) if method == "post" else client.get(url)
        if expected == "login":
            assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), role
            continue
        assert response.status_code == expected, (role, response.content.decode()[:400])
        if expected == 302:
            assert response["Location"] == f"/supervision/cards/{world['card'].pk}/"


def test_the_department_page_lists_its_cards_with_a_contest_form(client, world):
    client.force_login(world["users"]["reviewer"])
    html = client.get("/supervision/cards/").content.decode()
    assert world["card"].subcase.number in html and world["window_card"].application.number not in html
    assert f'action="/supervision/cards/{world["card"].pk}/contest/"' in html
    response = client.post(f"/supervision/cards/{world['card'].pk}/contest/",
                           {"statement": "申请人书面申请暂缓办理", "evidence": evidence()})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "申请人书面申请暂缓办理" in html and f"/api/cards/{world['card'].pk}/evidence/" in html
    assert f'action="/supervision/cards/{world["card"].pk}/contest/"' not in html  # contested once

    refused = client.post(f"/supervision/cards/{world['card'].pk}/contest/", {"statement": "再次申诉"})
    assert refused.status_code == 409 and "不能再次申诉" in refused.content.decode()

    client.force_login(world["users"]["supervisor"])
    html = client.get("/supervision/cards/?review=contested").content.decode()
    assert world["card"].subcase.number in html and world["window_card"].application.number not in html
    blank = client.post(f"/supervision/cards/{world['card'].pk}/decide/", {"decision": "void", "reason": ""})
    assert blank.status_code == 400 and "请填写裁定理由" in blank.content.decode()
    client.post(f"/supervision/cards/{world['card'].pk}/decide/", {"decision": "void", "reason": "暂缓属实"})
    html = client.get("/supervision/").content.decode()
    assert world["card"].subcase.number not in html and world["window_card"].application.number in html
    html = client.get("/supervision/cards/?state=closed&review=voided").content.decode()
    assert world["card"].subcase.number in html and "督查撤销:暂缓属实" in html


def test_a_clerk_contests_her_halls_follow_up_card_from_the_list_and_another_hall_does_not_see_it(client, calendar_2026, at):
    """A bad rating of a window opens a follow-up of its hall; its card is the hall's clerks' to
    contest, offered on the list's open tab (her live cards) and its other tabs (her whole
    condition) alike."""
    at(D(2026, 9, 29))
    clerk, elsewhere = ClerkFactory(), ClerkFactory()
    application = walk_in_application(clerk=clerk, matters=[MatterFactory()])
    token = ratings.rating_token_issue(application=application, occasion="window_accept")
    followup = ratings.rating_submit(token=token, level=1, comment="窗口态度差").followup
    card = Card.objects.create(followup=followup, hall_id=followup.hall_id, trigger=Card.Trigger.FOLLOWUP,
                               level="red", reason="整改逾期", due=D(2026, 10, 20))
    client.force_login(clerk)
    for query in ("", "?state=all"):
        html = client.get(f"/supervision/cards/{query}").content.decode()
        assert application.number in html and f'id="contest-{card.pk}"' in html, query
    client.force_login(elsewhere)
    for query in ("", "?state=all"):
        assert application.number not in client.get(f"/supervision/cards/{query}").content.decode(), query
