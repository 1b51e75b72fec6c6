"""The catalog audit (目录审计) lists the problems a test plants and nothing else: 应进未进,
departments without a reviewer, halls without a clerk today, and guide quality."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Region
from matters.audit import (
    catalog_audit_report,
    catch_all_clause,
    departments_without_reviewer,
    guide_problems,
    matters_not_in_hall,
)
from supervision.compliance.services import halls_without_clerks
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    HallFactory,
    MatterFactory,
    RegionFactory,
    ReviewerFactory,
    SupervisorFactory,
    WindowFactory,
)
from windows.models import Seat, Window

GOOD = {"legal_basis": "《中华人民共和国行政许可法》", "conditions": "申请材料齐全、符合法定形式。", "fee_basis": "不收费",
        "phone": "0763-5822315"}


def good_matter(**kwargs):
    return MatterFactory(**{**GOOD, **kwargs})


@pytest.mark.parametrize("text, clause", [
    ("其他材料", "其他材料"),
    ("法律法规规定的其他材料", "其他材料"),
    ("审批机关要求提交的其他相关证明文件", "其他相关证明文件"),
    ("其他需要提供的资料", "其他需要提供的资料"),
    ("相关证明材料", "相关证明材料"),
    ("其他设立证明", ""),  # names a kind of document
    ("营业场所平面图等说明材料", ""),
    ("公司章程", ""),
])
def test_catch_all_clauses(text, clause):
    assert catch_all_clause(text) == clause


def test_not_in_hall(db):
    outside = good_matter(name="道路货物运输经营许可", in_hall=False)
    good_matter(name="已停用的事项", in_hall=False, is_active=False)
    good_matter(name="进驻的事项")
    assert [m.name for m in matters_not_in_hall()] == [outside.name]


def test_departments_without_reviewer(db):
    lonely = DepartmentFactory(name="清远市清新区交通运输局")
    staffed = DepartmentFactory(name="清远市清新区市场监督管理局")
    outside_only = DepartmentFactory(name="清远市清新区林业局")
    retired = DepartmentFactory(name="清远市清新区民政局")
    for department in (lonely, staffed, retired):
        good_matter(department=department)
    good_matter(department=outside_only, in_hall=False)
    ReviewerFactory(department=staffed)
    gone = ReviewerFactory(department=retired)
    gone.is_active = False
    gone.save()
    found = {d.name: d.hall_matters for d in departments_without_reviewer()}
    assert found == {lonely.name: 1, retired.name: 1}


def test_halls_without_a_clerk_today(db):
    day = dt.date(2026, 11, 26)
    district = RegionFactory()
    town = Region.objects.create(code="441803100000", name="太和镇", level=Region.Level.TOWN, parent=district)
    centre = HallFactory(name="清新区综合政务服务中心", region=district)
    taihe = HallFactory(name="太和镇综合政务服务中心", region=town)
    good_matter(target="natural")  # district level, 同城通办: every hall
    good_matter(target="legal", citywide=False)  # district level only: the centre
    ClerkFactory(window=WindowFactory(hall=centre, category=Window.Category.NATURAL))
    legal_clerk = ClerkFactory(window=WindowFactory(hall=centre, category=Window.Category.LEGAL))
    Seat.objects.filter(clerk=legal_clerk).update(ends_on=day - dt.timedelta(days=1))  # moved away yesterday
    away = ClerkFactory(window=WindowFactory(hall=taihe, category=Window.Category.NATURAL))
    away.is_active = False
    away.save()
    WindowFactory(hall=taihe, category=Window.Category.LEGAL)  # a window nobody sits at

    gaps = {(g.hall.name, g.category_label, g.matters) for g in halls_without_clerks(day)}

    assert gaps == {("清新区综合政务服务中心", "法人综合窗口", 1), ("太和镇综合政务服务中心", "自然人综合窗口", 1)}


def test_guide_quality_lists_each_planted_problem(db):
    nameless = DepartmentFactory(phone="")
    good_matter(name="合格的事项")
    good_matter(name="兜底材料", materials=[{"name": "申请书"}, {"name": "其他材料"}])
    good_matter(name="兜底说明", materials=[{"name": "身份证明", "note": "以及审批机关要求的其他相关材料"}])
    good_matter(name="兜底条件", conditions="符合法律、法规规定的其他条件。")
    good_matter(name="无法定时限", legal_days=0, promised_days=0)
    good_matter(name="收费无依据", fee_fen=5000, fee_basis="")
    good_matter(name="收费却写不收费", fee_fen=1000, fee_basis="不收费")
    good_matter(name="无咨询电话", phone="", department=nameless)
    good_matter(name="无投诉电话", complaint_phone="")
    good_matter(name="无设定依据", legal_basis="")
    good_matter(name="无受理条件", conditions="")
    good_matter(name="已停用", legal_basis="", is_active=False)

    found = {(p.matter.name, p.kind) for p in guide_problems()}

    assert found == {
        ("兜底材料", "catch_all"), ("兜底说明", "catch_all"), ("兜底条件", "catch_all_condition"),
        ("无法定时限", "no_legal_days"), ("收费无依据", "no_fee_basis"), ("收费却写不收费", "fee_contradiction"),
        ("无咨询电话", "no_phone"), ("无投诉电话", "no_complaint_phone"), ("无设定依据", "no_legal_basis"),
        ("无受理条件", "no_conditions"),
    }
    detail = {p.matter.name: p.detail for p in guide_problems()}
    assert detail["兜底材料"] == "材料“其他材料”:其他材料"
    assert detail["收费无依据"] == "收费 50.00 元"


def test_page_and_report_show_the_planted_problems(client, db):
    today = timezone.localdate()
    good_matter(name="道路货物运输经营许可", in_hall=False, department=ReviewerFactory().department)
    good_matter(name="兜底材料", materials=[{"name": "其他材料"}], department=DepartmentFactory(name="清远市清新区农业农村局"))
    hall = HallFactory(name="清新区综合政务服务中心")
    clerk = ClerkFactory(window=WindowFactory(hall=hall, category=Window.Category.NATURAL))
    Seat.objects.filter(clerk=clerk).update(starts_on=today - dt.timedelta(days=3))
    client.force_login(SupervisorFactory())

    html = client.get("/supervision/audit/").content.decode()

    assert "道路货物运输经营许可" in html and "兜底材料" in html and "清远市清新区农业农村局" in html
    assert "申请材料含兜底条款" in html
    report = catalog_audit_report(today)
    assert [m.name for m in report.not_in_hall] == ["道路货物运输经营许可"]
    assert [d.name for d in report.departments] == ["清远市清新区农业农村局"]
    assert report.halls == []  # natural matters only, and the natural window is staffed

    response = client.get("/supervision/audit/export/")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["概况", "应进未进", "部门缺审批人员", "大厅缺窗口人员", "指南质量", "证照类型编码"]
    assert [r[1] for r in wb["应进未进"].iter_rows(min_row=2, values_only=True)] == ["道路货物运输经营许可"]
    assert ("兜底材料", "申请材料含兜底条款") in {(r[1], r[3]) for r in wb["指南质量"].iter_rows(min_row=2, values_only=True)}
