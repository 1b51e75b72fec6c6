"""两集中、三到位: in-hall matters that no window accepts, departments whose own window is
missing or unstaffed today, windows nobody sits at today; the page and its XLSX report list
what a test plants and nothing else."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Region
from supervision.compliance.services import compliance_report
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    HallFactory,
    MatterFactory,
    RegionFactory,
    SupervisorFactory,
    UserFactory,
    WindowFactory,
)
from windows.models import ClerkAuthorisation, Seat, Window

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(db):
    """The district hall with a natural-person window staffed today and a legal-person window
    nobody sits at; the tax bureau's window staffed; the real-estate bureau with no window."""
    hall = HallFactory(name="清新区政务服务中心")
    natural = WindowFactory(hall=hall, number="A01", category=Window.Category.NATURAL)
    WindowFactory(hall=hall, number="B01", name="法人综合窗口", category=Window.Category.LEGAL)
    tax = DepartmentFactory(name="国家税务总局清远市清新区税务局")
    estate = DepartmentFactory(name="清远市清新区不动产登记中心")
    tax_window = WindowFactory(hall=hall, number="C01", name="税务窗口", category=Window.Category.DEPARTMENT,
                               department=tax)
    ClerkFactory(window=natural)
    ClerkFactory(window=tax_window)
    return {"hall": hall, "tax": tax, "estate": estate}


def test_the_report_lists_what_is_missing(district):
    town = RegionFactory(code="441803104000", name="太和镇", level=Region.Level.TOWN)
    town_hall = HallFactory(name="太和镇便民服务中心", region=town)
    ok = MatterFactory(name="居民身份证换领", target="natural")
    legal = MatterFactory(name="食品经营许可", target="legal")  # the legal window exists, unstaffed: still accepted
    town_only = MatterFactory(name="农村宅基地审批", target="natural", level="town", citywide=False)
    estate = MatterFactory(name="不动产转移登记", department=district["estate"], entry_mode="department")
    tax = MatterFactory(name="个体工商户定额核定", department=district["tax"], entry_mode="department")
    MatterFactory(name="未进驻的事项", in_hall=False, target="natural", level="town", citywide=False)

    report = compliance_report()
    assert sorted((g.matter.name, g.needs) for g in report.matters) == sorted([
        (town_only.name, "自然人综合窗口"), (estate.name, "清远市清新区不动产登记中心 部门窗口")])
    assert [(d.department.name, d.windows, d.seated, d.problem) for d in report.departments] == [
        (district["estate"].name, 0, 0, "无部门窗口")]
    assert [w.number for w in report.windows] == ["B01"]

    # A natural-person window in the town hall, staffed: the town matter is accepted.
    ClerkFactory(window=WindowFactory(hall=town_hall, number="T01", category=Window.Category.NATURAL))
    # The tax clerk's seat ended yesterday: the tax window is unstaffed today.
    Seat.objects.filter(window__department=district["tax"]).update(
        ends_on=timezone.localdate() - dt.timedelta(days=1))
    report = compliance_report()
    assert [g.matter.name for g in report.matters] == [estate.name]
    assert sorted((d.department.name, d.problem) for d in report.departments) == sorted([
        (district["estate"].name, "无部门窗口"), (district["tax"].name, "窗口今日无人值守")])
    assert sorted(w.number for w in report.windows) == ["B01", "C01"]
    assert ok and legal and tax


def test_page_and_xlsx(client, district):
    MatterFactory(name="不动产转移登记", department=district["estate"], entry_mode="department")
    client.force_login(SupervisorFactory())
    html = client.get("/supervision/compliance/").content.decode()
    assert "不动产转移登记" in html and "无部门窗口" in html and "法人综合窗口" in html
    response = client.get("/supervision/compliance/export/")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["概况", "事项无窗口受理", "部门窗口与人员", "窗口无人值守", "授权到位"]
    assert wb["事项无窗口受理"]["B2"].value == "不动产转移登记"
    assert wb["部门窗口与人员"]["F2"].value == "无部门窗口"
    assert wb["窗口无人值守"]["B2"].value == "B01"
    client.force_login(UserFactory(role="administrator"))
    assert client.get("/supervision/compliance/").status_code == 200
    assert client.get("/supervision/compliance/export/").status_code == 200
    for role in ("clerk", "reviewer", "public"):
        client.force_login(UserFactory(role=role, department=district["tax"] if role == "reviewer" else None))
        assert client.get("/supervision/compliance/export/").status_code == 403
    client.logout()
    assert client.get("/supervision/compliance/export/")["Location"].startswith("/accounts/login/")


def test_authorisations_in_place(client, district):
    """授权到位: a clerk seated today authorised for none of the window's matters is listed, and so
    is a matter a staffed window takes in that nobody seated there may accept; a blanket grant
    or a named matter covers it."""
    hall = district["hall"]
    birth = MatterFactory(name="出生医学证明补发", target="natural")
    housing = MatterFactory(name="公租房资格申请", target="natural")
    report = compliance_report()
    assert report.clerks == [] and report.unauthorised == []  # the clerks of the fixture hold blanket grants

    # The natural-person window's only clerk now holds a grant for one matter only; a second
    # clerk seated at another natural window holds a grant that names no matter at all.
    natural_clerk = Seat.objects.get(window__number="A01").clerk
    natural_clerk.matter_authorisations.all().delete()
    grant = ClerkAuthorisation.objects.create(clerk=natural_clerk, starts_on=dt.date(2026, 1, 1))
    grant.matters.set([birth])
    newcomer = ClerkFactory(window=WindowFactory(hall=hall, number="A02", category=Window.Category.NATURAL),
                            authorised=[])
    report = compliance_report()
    assert [(g.seat.clerk, g.seat.window.number) for g in report.clerks] == [(newcomer, "A02")]
    assert [m.name for m in report.unauthorised] == [housing.name]

    client.force_login(SupervisorFactory())
    html = client.get("/supervision/compliance/").content.decode()
    assert newcomer.real_name in html and housing.name in html and "在岗人员无事项授权" in html
    wb = load_workbook(io.BytesIO(client.get("/supervision/compliance/export/").content))
    rows = [[c.value for c in row] for row in wb["授权到位"].iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ["在岗人员无事项授权", "事项无在岗授权人员"]
    assert rows[0][3] == newcomer.real_name and rows[1][3] == housing.name

    # An all-matters grant to the newcomer puts everything in place.
    ClerkAuthorisation.objects.create(clerk=newcomer, starts_on=dt.date(2026, 1, 1), all_matters=True)
    report = compliance_report()
    assert report.clerks == [] and report.unauthorised == []
