"""Issue 15, districts: a district supervisor (`User.district`) sees the departments, halls,
windows, clerks and matters of their district alone — on the dashboard, its API, the drill-down,
the cards list and the evaluation — and is refused (404) another district's by URL; a supervisor
without a district sees the whole city."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts.models import Region, User
from supervision.figures import services as figures
from supervision.models import Card
from supervision.scope.districts import scope_of
from tests.factories import PASSWORD, RegionFactory, UserFactory, password_sign_in
from workflow.models import Application, SubCase

from .figures_data import make_district

QUERY = "period=custom&first=2026-09-01&last=2026-10-31"
PERIOD = figures.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))


@pytest.fixture
def city(db):
    """make_district's data split over two districts: its third department and second hall (with
    that hall's window and clerk) move to 清城区 441802; the rest stays in 清新区 441803."""
    data = make_district(applications=60)
    qingxin = RegionFactory()  # 441803000000 清新区
    qingcheng = RegionFactory(code="441802000000", name="清城区")
    data["departments"][2].region = qingcheng
    data["departments"][2].save()
    data["halls"][1].region = qingcheng
    data["halls"][1].save()
    figures.refresh_all()
    data["qingxin"] = UserFactory(role=User.Role.SUPERVISOR, district=qingxin)
    data["qingcheng"] = UserFactory(role=User.Role.SUPERVISOR, district=qingcheng)
    return data


def signed_in(client, user):
    client.logout()
    assert password_sign_in(client, user.username, PASSWORD)
    return client


def test_district_is_for_supervisors_and_districts_only(db):
    district = RegionFactory()
    town = RegionFactory(code="441803100000", name="太和镇", level=Region.Level.TOWN)
    clerk = UserFactory(role=User.Role.CLERK, district=district)
    with pytest.raises(ValidationError) as refused:
        clerk.full_clean()
    assert refused.value.message_dict["district"] == ["只有督查人员可以设置督查范围(区)。"]
    supervisor = UserFactory(role=User.Role.SUPERVISOR, district=town)
    with pytest.raises(ValidationError) as refused:
        supervisor.full_clean()
    assert "督查范围须为一个区(县级行政区划)。" in refused.value.message_dict["district"]
    supervisor.district = district
    supervisor.full_clean()  # a supervisor with a district: fine
    assert scope_of(supervisor).code == "441803" and scope_of(UserFactory(role=User.Role.SUPERVISOR)) is None


def test_admin_edits_the_district(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    supervisor = UserFactory(role=User.Role.SUPERVISOR)
    html = client.get(f"/admin/accounts/user/{supervisor.pk}/change/").content.decode()
    assert 'name="district"' in html and "督查范围(区)" in html


def test_each_supervisor_sees_their_district_on_the_dashboard(client, city):
    deps, halls = city["departments"], city["halls"]
    raw_dept = figures.raw_sums("department", PERIOD)
    raw_hall = figures.raw_sums("hall", PERIOD)
    whole = figures.dashboard_figures(period=PERIOD)
    for user, mine, my_halls in ((city["qingxin"], deps[:2], halls[:1]), (city["qingcheng"], deps[2:], halls[1:])):
        scope = scope_of(user)
        data = figures.dashboard_figures(period=PERIOD, scope=scope)
        assert [r["key"] for r in data["rows"]] and {r["key"] for r in data["rows"]} <= {d.pk for d in mine}
        assert {r["key"] for r in data["ranking"]} <= {d.pk for d in mine}
        concluded = sum(raw_dept.get(d.pk, figures.empty_sums())["concluded"] for d in mine)
        received = sum(raw_hall.get(h.pk, figures.empty_sums())["received"] for h in my_halls)
        called = sum(raw_hall.get(h.pk, figures.empty_sums())["called"] for h in my_halls)
        assert data["total"]["concluded"] == concluded > 0
        assert data["total"]["received"] == received > 0 and data["total"]["called"] == called > 0
        assert sum(day["concluded"] for day in data["trend"]) == concluded
        assert sum(day["received"] for day in data["trend"]) == received
        hall_rows = figures.dashboard_figures(period=PERIOD, group_by="hall", scope=scope)["rows"]
        assert {r["key"] for r in hall_rows} == {h.pk for h in my_halls}
        matter_rows = figures.dashboard_figures(period=PERIOD, group_by="matter", scope=scope)["rows"]
        assert {r["key"] for r in matter_rows} <= {m.pk for m in city["matters"] if m.department in mine}
        complaints = {r["key"] for r in data["complaints_by_department"]}
        assert complaints <= {d.pk for d in mine}
        html = signed_in(client, user).get(f"/supervision/?{QUERY}").content.decode()
        for department in deps:
            assert (department.name in html) == (department in mine)
    # the two districts' sub-cases add up to the city's (every department lies in one)
    both = [figures.dashboard_figures(period=PERIOD, scope=scope_of(city[u]))["total"] for u in ("qingxin", "qingcheng")]
    assert both[0]["concluded"] + both[1]["concluded"] == whole["total"]["concluded"]
    # the city supervisor still sees every department
    html = signed_in(client, city["supervisor"]).get(f"/supervision/?{QUERY}").content.decode()
    assert all(d.name in html for d in deps)


def test_the_api_answers_the_district_alone(city):
    api = APIClient()
    api.force_authenticate(city["qingcheng"])
    body = api.get(f"/api/supervision/figures/?{QUERY}").json()
    assert {r["key"] for r in body["rows"]} == {city["departments"][2].pk}
    other = city["departments"][0].pk
    assert api.get(f"/api/supervision/figures/?{QUERY}&group_by=matter&department={other}").status_code == 404


def test_drill_down_lists_the_district_cases_and_refuses_another_districts(client, city):
    signed_in(client, city["qingcheng"])
    mine, other = city["departments"][2], city["departments"][0]
    data = figures.dashboard_figures(period=PERIOD, scope=scope_of(city["qingcheng"]))
    html = client.get(f"/supervision/figures/cases/?{QUERY}&count=concluded&dim=all&key=0").content.decode()
    assert f"共 {data['total']['concluded']} 件" in html and "清城区" in html
    expected = SubCase.objects.filter(state__in=SubCase.DECIDED_STATES, decided_on__gte=PERIOD.first,
                                      decided_on__lte=PERIOD.last, department=mine).count()
    assert expected == data["total"]["concluded"]
    html = client.get(f"/supervision/figures/cases/?{QUERY}&count=received&dim=all&key=0").content.decode()
    assert f"共 {data['total']['received']} 件" in html
    numbers = set(re.findall(r'href="/applications/([^"/]+)/"', html))
    halls = set(Application.objects.filter(number__in=numbers).values_list("received_hall_id", flat=True))
    assert halls == {city["halls"][1].pk}
    assert client.get(f"/supervision/figures/cases/?{QUERY}&count=concluded&dim=department&key={mine.pk}"
                      ).status_code == 200
    for dim, key in (("department", other.pk), ("hall", city["halls"][0].pk), ("window", city["windows"][0].pk),
                     ("clerk", city["clerks"][0].pk), ("matter", city["matters"][0].pk), ("department", 0)):
        url = f"/supervision/figures/cases/?{QUERY}&count=concluded&dim={dim}&key={key}"
        assert client.get(url).status_code == 404, url
    assert client.get(f"/supervision/?{QUERY}&department={other.pk}").status_code == 404
    # the city's supervisor may open any of them
    signed_in(client, city["supervisor"])
    assert client.get(f"/supervision/figures/cases/?{QUERY}&count=concluded&dim=department&key={other.pk}"
                      ).status_code == 200


def _card(subcase, level="red"):
    return Card.objects.create(application=subcase.application, subcase=subcase, level=level,
                               department=subcase.department, reason="逾期未办结")


def test_cards_list_and_card_pages_are_the_districts(client, city):
    mine = _card(SubCase.objects.filter(department=city["departments"][2]).first())
    other = _card(SubCase.objects.filter(department=city["departments"][0]).first())
    signed_in(client, city["qingcheng"])
    html = client.get("/supervision/cards/").content.decode()
    assert f"/supervision/cards/{mine.pk}/" in html and f"/supervision/cards/{other.pk}/" not in html
    assert client.get(f"/supervision/cards/{mine.pk}/").status_code == 200
    assert client.get(f"/supervision/cards/{other.pk}/").status_code == 404
    dashboard = figures.dashboard_figures(period=PERIOD, scope=scope_of(city["qingcheng"]))
    assert dashboard["cards"]["red"] == 1
    api = APIClient()
    api.force_authenticate(city["qingcheng"])
    assert [c["id"] for c in api.get("/api/supervision/live-cards/?after=0").json()["cards"]] == [mine.pk]
    signed_in(client, city["supervisor"])
    html = client.get("/supervision/cards/").content.decode()
    assert f"/supervision/cards/{mine.pk}/" in html and f"/supervision/cards/{other.pk}/" in html
    assert "全区红黄牌" in html
    signed_in(client, city["qingcheng"])
    html = client.get("/supervision/cards/").content.decode()
    assert "清城区红黄牌" in html and city["departments"][2].name in html and city["departments"][0].name not in html


def test_evaluation_page_and_export_are_the_districts(client, city):
    import io

    from openpyxl import load_workbook

    from supervision.evaluation import services as evaluation
    from supervision.models import ReportJob

    deps = city["departments"]
    query = {"start": "2026-10-01", "end": "2026-10-31"}
    signed_in(client, city["qingxin"])
    html = client.get("/supervision/evaluation/", query).content.decode()
    assert deps[0].name in html and deps[1].name in html and deps[2].name not in html
    assert client.get("/supervision/evaluation/", {**query, "department": deps[2].pk}).status_code == 404
    assert client.post("/supervision/evaluation/export/", {**query, "department": deps[2].pk}).status_code == 404
    job = evaluation.export_request(user=city["qingxin"], start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    evaluation.export_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE and job.params["district"] == "441803"
    sheet = load_workbook(io.BytesIO(job.xlsx.open("rb").read())).active
    names = {r[1] for r in sheet.iter_rows(min_row=7, values_only=True) if r[1] and r[1] != "合计"}
    assert names == {deps[0].name, deps[1].name}
    assert sheet["A1"].value == "清新区政务服务绩效评估报告" and sheet["B3"].value == "清新区全部部门"
    # 清城区's supervisor neither lists nor opens 清新区's export; the city's supervisor does
    signed_in(client, city["qingcheng"])
    html = client.get("/supervision/evaluation/", query).content.decode()
    assert deps[2].name in html and deps[0].name not in html
    assert client.get(f"/supervision/evaluation/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/supervision/evaluation/jobs/{job.pk}/xlsx/").status_code == 404
    signed_in(client, city["supervisor"])
    assert client.get(f"/supervision/evaluation/jobs/{job.pk}/").status_code == 200
    html = client.get("/supervision/evaluation/", query).content.decode()
    assert all(d.name in html for d in deps)


def test_complaints_ratings_and_follow_ups_are_the_districts(client, city):
    from supervision.feedback import selectors as feedback
    from supervision.models import Complaint, FollowUp, Rating

    deps, halls = city["departments"], city["halls"]
    qingcheng = city["qingcheng"]
    complaints = feedback.complaints_for_staff(qingcheng)
    assert complaints.exists() and set(complaints.values_list("department_id", flat=True)) == {deps[2].pk}
    other = Complaint.objects.filter(department=deps[0]).first()
    signed_in(client, qingcheng)
    assert client.get(f"/supervision/complaints/{other.pk}/").status_code == 404
    html = client.get("/supervision/complaints/?state=all").content.decode()
    assert "清城区" in html and deps[0].name not in html
    ratings = feedback.ratings_for(qingcheng)
    assert ratings.exists()
    assert all(r.department_id == deps[2].pk or r.hall_id == halls[1].pk for r in ratings)
    assert Rating.objects.count() > ratings.count()
    rows = feedback.rating_distribution(by="hall", start=PERIOD.first, end=PERIOD.last, scope=scope_of(qingcheng))
    assert {r["key"] for r in rows} == {halls[1].pk}
    rating = Rating.objects.filter(department=deps[0]).first()
    followup = FollowUp.objects.create(rating=rating, department=deps[0], opened_on=dt.date(2026, 11, 1),
                                       due=dt.date(2026, 11, 10))
    assert client.get(f"/supervision/followups/{followup.pk}/").status_code == 404
    signed_in(client, city["supervisor"])
    assert client.get(f"/supervision/followups/{followup.pk}/").status_code == 200
    assert client.get(f"/supervision/complaints/{other.pk}/").status_code == 200
