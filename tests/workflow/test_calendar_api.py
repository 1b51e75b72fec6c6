"""The public working-day endpoints: exact answers and the one error shape."""

import re

import pytest
from django.urls import reverse

from workflow.calendar_store import seed_calendar

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def seeded():
    seed_calendar([2025, 2026])


def deadline(client, **params):
    return client.get(reverse("calendar-deadline"), params)


def workdays(client, **params):
    return client.get(reverse("calendar-workdays"), params)


def test_urls():
    assert reverse("calendar-deadline") == "/api/calendar/deadline"
    assert reverse("calendar-workdays") == "/api/calendar/workdays"


def test_deadline_over_national_day(client, seeded):
    response = deadline(client, start="2026-09-30", days="5")
    assert response.status_code == 200
    assert response.json() == {"start": "2026-09-30", "days": 5, "deadline": "2026-10-13", "assumed_years": []}
    assert deadline(client, start="2026-09-30", days="1").json()["deadline"] == "2026-10-08"
    assert deadline(client, start="2026-10-01", days="0").json() == {
        "start": "2026-10-01",
        "days": 0,
        "deadline": "2026-10-01",
        "assumed_years": [],
    }


def test_workdays_over_national_day(client, seeded):
    response = workdays(client, **{"from": "2026-09-30", "to": "2026-10-12"})
    assert response.status_code == 200
    assert response.json() == {"from": "2026-09-30", "to": "2026-10-12", "workdays": 4, "assumed_years": []}
    reverse_order = workdays(client, **{"from": "2026-10-12", "to": "2026-09-30"}).json()
    assert reverse_order == {"from": "2026-10-12", "to": "2026-09-30", "workdays": 0, "assumed_years": []}


def test_2027_is_assumed(client, seeded):
    # 2027's notice is not known: its statutory holidays (国庆 1-3 October, 元旦) are off, provisionally.
    assert deadline(client, start="2027-09-30", days="5").json() == {
        "start": "2027-09-30",
        "days": 5,
        "deadline": "2027-10-08",
        "assumed_years": [2027],
    }
    assert deadline(client, start="2026-12-30", days="3").json() == {
        "start": "2026-12-30",
        "days": 3,
        "deadline": "2027-01-05",
        "assumed_years": [2027],
    }
    assert workdays(client, **{"from": "2026-12-25", "to": "2027-01-08"}).json() == {
        "from": "2026-12-25",
        "to": "2027-01-08",
        "workdays": 9,
        "assumed_years": [2027],
    }


def test_unseeded_database_assumes_every_year(client):
    # No notice known: 国庆 1-3 October is still off (《全国年节及纪念日放假办法》), no make-up days.
    assert deadline(client, start="2026-09-30", days="1").json() == {
        "start": "2026-09-30",
        "days": 1,
        "deadline": "2026-10-05",
        "assumed_years": [2026],
    }


def test_public_without_login(client, seeded):
    # No authentication at all: a session cookie is neither needed nor looked at (no CSRF either).
    assert deadline(client, start="2026-09-30", days="5").status_code == 200


def assert_error(response, code, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert CHINESE.search(body["message"]), body
    assert field in body["fields"]
    assert all(CHINESE.search(m) for m in body["fields"][field])
    return body


@pytest.mark.parametrize(
    "params, code, field",
    [
        ({"start": "2026-02-30", "days": "5"}, "invalid_date", "start"),
        ({"start": "2026-9-30", "days": "5"}, "invalid_date", "start"),
        ({"start": "20260930", "days": "5"}, "invalid_date", "start"),
        ({"start": "tomorrow", "days": "5"}, "invalid_date", "start"),
        ({"days": "5"}, "invalid_date", "start"),
        ({"start": "", "days": "5"}, "invalid_date", "start"),
        ({"start": "2026-09-30"}, "invalid_days", "days"),
        ({"start": "2026-09-30", "days": "-1"}, "invalid_days", "days"),
        ({"start": "2026-09-30", "days": "abc"}, "invalid_days", "days"),
        ({"start": "2026-09-30", "days": "1.5"}, "invalid_days", "days"),
        ({"start": "2026-09-30", "days": "3651"}, "invalid_days", "days"),
        ({"start": "2026-09-30", "days": "9" * 5000}, "invalid_days", "days"),
        ({"start": "9999-12-30", "days": "10"}, "invalid_date", "start"),
    ],
)
def test_deadline_errors(client, seeded, params, code, field):
    assert_error(deadline(client, **params), code, field)


def test_deadline_reports_every_bad_parameter(client):
    body = assert_error(deadline(client, start="2026-02-30", days="-1"), "invalid_date", "start")
    assert set(body["fields"]) == {"start", "days"}


def test_days_limits_are_inclusive(client, seeded):
    assert deadline(client, start="2026-09-30", days="3650").status_code == 200
    assert deadline(client, start="2026-09-30", days="0").status_code == 200


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2026-02-30", "to": "2026-03-01"}, "from"),
        ({"to": "2026-03-01"}, "from"),
        ({"from": "2026-03-01"}, "to"),
        ({"from": "2026-03-01", "to": "next week"}, "to"),
        ({"from": "1900-01-01", "to": "2026-01-01"}, "to"),
    ],
)
def test_workdays_errors(client, seeded, params, field):
    assert_error(workdays(client, **params), "invalid_date", field)


def test_workdays_fifty_years_is_allowed(client, seeded):
    response = workdays(client, **{"from": "2000-01-01", "to": "2049-12-31"})
    assert response.status_code == 200
    assert response.json()["assumed_years"] == [y for y in range(2000, 2050) if y not in (2025, 2026)]


def test_schema_documents_both_endpoints(client):
    response = client.get(reverse("schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    deadline_op = paths["/api/calendar/deadline"]["get"]
    assert {p["name"] for p in deadline_op["parameters"]} == {"start", "days"}
    assert {"200", "400"} <= set(deadline_op["responses"])
    workdays_op = paths["/api/calendar/workdays"]["get"]
    assert {p["name"] for p in workdays_op["parameters"]} == {"from", "to"}
    schema = response.json()["components"]["schemas"]["Workdays"]
    assert set(schema["properties"]) == {"from", "to", "workdays", "assumed_years"}
