"""办件公示: anyone may list the cases received, by number, department, matter, state and date,
page by page with a cursor; nothing about the applicant is ever shown."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import (
    ClerkFactory,
    EnterpriseFactory,
    MatterFactory,
    UserFactory,
    accepted_application,
    submitted_application,
)
from workflow import disclosure, services
from workflow.calendar_store import seed_calendar
from workflow.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(db):
    seed_calendar(years=[2026])
    food, building = MatterFactory(name="食品经营许可"), MatterFactory(name="建设工程规划许可", target="legal")
    citizen = UserFactory(real_name="黄志明", phone="13922334455")
    company = EnterpriseFactory(name="清远市清新区禾云种养专业合作社", staff=[citizen])
    waiting = submitted_application(applicant=citizen, matters=[food])
    accepted = accepted_application(applicant=citizen, matters=[building], clerk=ClerkFactory(window__category="legal"),
                                    enterprise=company)
    draft_free = submitted_application(applicant=citizen, matters=[food])
    services.application_withdraw(application=draft_free, applicant=citizen, reason="不办了")
    return {"citizen": citizen, "company": company, "food": food, "building": building, "waiting": waiting,
            "accepted": accepted, "withdrawn": draft_free}


def _numbers(html):
    return [part.split('"', 1)[0] for part in html.split('data-number="')[1:]]


def test_the_page_shows_cases_and_nothing_about_the_applicant(client, cases):
    response = client.get("/disclosure/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _numbers(html) == [cases["accepted"].number, cases["waiting"].number]  # newest first
    assert cases["withdrawn"].number not in html
    assert "食品经营许可" in html and cases["building"].department.name in html and "已受理" in html
    citizen = cases["citizen"]
    for secret in (citizen.real_name, citizen.id_number, citizen.id_number[-4:] + "<", citizen.phone,
                   cases["company"].name, cases["company"].credit_code, "清新区太和镇"):  # form data too
        assert secret not in html, secret
    api = APIClient().get("/api/disclosure/applications/").content.decode()
    for secret in (citizen.real_name, citizen.id_number, citizen.phone, cases["company"].name, "清新区太和镇"):
        assert secret not in api, secret


def test_filters(client, cases):
    def listed(**query):
        return _numbers(client.get("/disclosure/", query).content.decode())

    assert listed(number=cases["waiting"].number.lower()) == [cases["waiting"].number]
    assert listed(number=cases["withdrawn"].number) == []
    assert listed(department=cases["food"].department_id) == [cases["waiting"].number]
    assert listed(matter=cases["building"].code) == [cases["accepted"].number]
    assert listed(state="accepted") == [cases["accepted"].number]
    today = cases["waiting"].submitted_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert len(listed(received_from=today.isoformat(), received_to=today.isoformat())) == 2
    assert listed(received_to=(today - dt.timedelta(days=1)).isoformat()) == []
    bad = client.get("/disclosure/", {"received_from": "昨天", "state": "draft"})
    assert bad.status_code == 400 and "查询条件有误" in bad.content.decode()
    assert APIClient().get("/api/disclosure/applications/", {"state": "withdrawn"}).json()["code"] == "invalid_filter"


def test_keyset_pages_walk_every_case_once(client, cases, monkeypatch):
    matter = cases["food"]
    citizen = cases["citizen"]
    for _ in range(5):
        submitted_application(applicant=citizen, matters=[matter])
    # Two applications received at the same moment: the id breaks the tie.
    same = Application.objects.filter(state="submitted").order_by("pk")[:2]
    moment = same[0].first_submitted_at
    Application.objects.filter(pk__in=[a.pk for a in same]).update(submitted_at=moment, first_submitted_at=moment)
    monkeypatch.setattr(disclosure, "PAGE_SIZE", 3)
    from portal import disclosure as page_module

    expected = list(disclosure.disclosed_applications().values_list("number", flat=True))
    assert len(expected) == 7
    seen, url, pages = [], "/disclosure/", 0
    while url:
        html = client.get(url if url.startswith("/") else "/disclosure/" + url).content.decode()
        seen += _numbers(html)
        pages += 1
        url = html.split('data-next', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&") \
            if "data-next" in html else ""
        assert pages < 10
    assert seen == expected and pages == 3
    assert page_module.disclosure.PAGE_SIZE == 3
    bad = client.get("/disclosure/", {"after": "not-a-cursor"})
    assert bad.status_code == 400 and "翻页参数无效" in bad.content.decode()


def test_the_api_pages_with_a_cursor(cases):
    citizen = cases["citizen"]
    for _ in range(3):
        submitted_application(applicant=citizen, matters=[cases["food"]])
    client = APIClient()
    first = client.get("/api/disclosure/applications/", {"page_size": 2}).json()
    assert [r["number"] for r in first["results"]] == list(
        disclosure.disclosed_applications().values_list("number", flat=True)[:2])
    assert set(first["results"][0]) == {"number", "title", "matters", "departments", "state", "state_label",
                                        "received_on", "accepted_on", "concluded_on"}
    numbers = [r["number"] for r in first["results"]]
    url = first["next"]
    while url:
        body = client.get(url).json()
        numbers += [r["number"] for r in body["results"]]
        url = body["next"]
    assert numbers == list(disclosure.disclosed_applications().values_list("number", flat=True))
    assert len(numbers) == 5


def test_a_resubmission_after_a_supplement_keeps_the_original_receipt(db, time_machine):
    """Issue 17: 办件公示 lists and dates a case by its original receipt, not by its resubmission."""
    seed_calendar(years=[2026])
    beijing = dt.timezone(dt.timedelta(hours=8))
    time_machine.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=beijing), tick=False)
    early = submitted_application()
    time_machine.move_to(dt.datetime(2026, 12, 2, 9, 0, tzinfo=beijing), tick=False)
    later = submitted_application()
    services.application_request_supplement(application=early, clerk=ClerkFactory(),
                                            items=[{"material": "申请表", "reason": "未签名"}])
    time_machine.move_to(dt.datetime(2026, 12, 3, 9, 0, tzinfo=beijing), tick=False)
    early.refresh_from_db()
    services.application_resubmit(application=early, applicant=early.applicant, files={})
    early.refresh_from_db()
    assert early.submitted_at.date() == dt.date(2026, 12, 3)

    rows = APIClient().get("/api/disclosure/applications/").json()["results"]
    assert [(r["number"], r["received_on"]) for r in rows] == [(later.number, "2026-12-02"),
                                                                (early.number, "2026-12-01")]
    found = APIClient().get("/api/disclosure/applications/", {"received_from": "2026-12-03"}).json()["results"]
    assert found == []  # nothing was received on the 3rd: the resubmission is no receipt
