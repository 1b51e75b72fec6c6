"""Catalog audit reads that need nothing above `matters` (目录审计): matters that should be in the
hall and are not (应进未进), departments with matters in the hall but no reviewer, and the
quality of each guide, composed into one report (`catalog_audit_report`) shown on a page and as
an XLSX workbook (`matters.audit_views`). The halls without a clerk at a needed window need the
seating, above `matters`: they come through `matters.hooks.hall_gaps` (supervision provides them).

Every check is a query or a pass over one query: a catalog of thousands of matters is read once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, User
from core.web.files import ReportWorkbook

from . import hooks
from .models import MaterialRequirement, Matter

# A catch-all clause (兜底条款) lets a clerk ask for anything: "其他材料", "其他相关材料",
# "法律法规规定的其他材料", "相关证明材料". Naming a kind of document ("其他设立证明") is not one.
CATCH_ALL_MATERIAL = re.compile(
    r"其他(相关|有关|必要|必需|所需|需要(提交|提供)?的?|应当(提交|提供)的|要求(提交|提供)?的)?(证明)?(的)?(材料|资料|文件)"
    r"|^(相关|有关)(的)?(证明)?(材料|资料|文件)$"
    r"|(相关|有关)(的)?(证明)?(材料|资料)(等|若干)?$"
)
CATCH_ALL_CONDITION = re.compile(r"其他(的)?条件")
NO_FEE_WORDS = ("不收费", "免费", "不收取")


@dataclass(frozen=True)
class GuideProblem:
    matter: Matter
    kind: str  # a stable code: catch_all, no_legal_days, promised_over_legal, …
    label: str  # what is wrong, in Chinese
    detail: str = ""


def matters_not_in_hall():
    """应进未进: active matters not entered into the hall."""
    return (Matter.objects.filter(is_active=True, in_hall=False)
            .select_related("department").order_by("department__code", "code"))


def departments_without_reviewer():
    """Departments with active matters in the hall and no active reviewer to decide them."""
    reviewers = User.objects.filter(department=OuterRef("pk"), role=User.Role.REVIEWER, is_active=True)
    return (
        Department.objects.annotate(
            hall_matters=Count("matters", filter=Q(matters__is_active=True, matters__in_hall=True)),
            has_reviewer=Exists(reviewers),
        )
        .filter(hall_matters__gt=0, has_reviewer=False)
        .order_by("code")
    )


def catch_all_clause(text: str) -> str:
    """The catch-all wording found in `text`, or ""."""
    match = CATCH_ALL_MATERIAL.search(text or "")
    return match.group(0) if match else ""


def guide_problems() -> list[GuideProblem]:
    """What a citizen reading the guide of each active matter would miss or be misled by."""
    matters = (
        Matter.objects.filter(is_active=True)
        .select_related("department")
        .prefetch_related(Prefetch("materials", queryset=MaterialRequirement.objects.order_by("order", "pk")))
        .order_by("department__code", "code")
    )
    problems = []
    for matter in matters.iterator(chunk_size=1000):
        problems.extend(_problems_of(matter))
    return problems


def _problems_of(matter: Matter):
    def problem(kind, label, detail=""):
        return GuideProblem(matter=matter, kind=kind, label=label, detail=detail)

    for material in matter.materials.all():
        for text in (material.name, material.note):
            clause = catch_all_clause(text)
            if clause:
                yield problem("catch_all", _("申请材料含兜底条款"),
                              _("材料“%(name)s”:%(clause)s") % {"name": material.name, "clause": clause})
                break
    if CATCH_ALL_CONDITION.search(matter.conditions or ""):
        yield problem("catch_all_condition", _("受理条件含兜底条款"), CATCH_ALL_CONDITION.search(matter.conditions).group(0))
    if not matter.legal_days:
        yield problem("no_legal_days", _("未填写法定时限"), _("法定时限为 0 个工作日"))
    if matter.promised_days > matter.legal_days:
        yield problem("promised_over_legal", _("承诺时限超过法定时限"), _("承诺 %(p)s 个工作日,法定 %(l)s 个工作日") % {
            "p": matter.promised_days, "l": matter.legal_days})
    basis = (matter.fee_basis or "").strip()
    if not basis:
        yield problem("no_fee_basis", _("未写明收费依据"),
                      _("收费 %(yuan)s 元") % {"yuan": _yuan(matter.fee_fen)} if matter.fee_fen else _("不收费的应写明“不收费”"))
    elif matter.fee_fen and basis.startswith(NO_FEE_WORDS):
        yield problem("fee_contradiction", _("收费标准与收费依据矛盾"),
                      _("收费 %(yuan)s 元,依据写“%(basis)s”") % {"yuan": _yuan(matter.fee_fen), "basis": basis})
    if not (matter.phone or "").strip() and not (matter.department.phone or "").strip():
        yield problem("no_phone", _("无咨询电话"), _("事项和实施部门均未填写咨询电话"))
    if not (matter.complaint_phone or "").strip():
        yield problem("no_complaint_phone", _("无投诉电话"))
    if not (matter.legal_basis or "").strip():
        yield problem("no_legal_basis", _("未写明设定依据"))
    if not (matter.conditions or "").strip():
        yield problem("no_conditions", _("未写明受理条件"))


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# --- the report ------------------------------------------------------------------------------------


@dataclass
class CatalogAudit:
    day: dt.date
    not_in_hall: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    halls: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    licence_types: list = field(default_factory=list)  # 证照类型待录入国家目录编码 (matters.hooks)

    @property
    def total(self) -> int:
        return (len(self.not_in_hall) + len(self.departments) + len(self.halls) + len(self.problems)
                + len(self.licence_types))

    @property
    def problem_matters(self) -> int:
        return len({p.matter.pk for p in self.problems})


def catalog_audit_report(day: dt.date | None = None) -> CatalogAudit:
    day = day or timezone.localdate()
    return CatalogAudit(
        day=day,
        not_in_hall=list(matters_not_in_hall()),
        departments=list(departments_without_reviewer()),
        halls=hooks.hall_gaps(day),
        problems=guide_problems(),
        licence_types=hooks.licence_type_gaps(),
    )


def audit_workbook(report: CatalogAudit) -> bytes:
    book = ReportWorkbook()
    sheet = book.sheet

    sheet(_("概况"), [_("审计项"), _("数量")], [
        (_("审计日期"), report.day.isoformat()),
        (_("应进未进事项"), len(report.not_in_hall)),
        (_("无审批人员的部门"), len(report.departments)),
        (_("今日无窗口人员的大厅窗口类别"), len(report.halls)),
        (_("指南质量问题"), len(report.problems)),
        (_("涉及指南质量问题的事项"), report.problem_matters),
        (_("待录入国家目录编码的证照类型"), len(report.licence_types)),
    ], [28, 14])
    sheet(_("应进未进"), [_("实施编码"), _("事项名称"), _("实施部门"), _("服务对象"), _("实施层级")], [
        (m.code, m.name, m.department.name, m.get_target_display(), m.get_level_display()) for m in report.not_in_hall
    ], [30, 36, 30, 10, 10])
    sheet(_("部门缺审批人员"), [_("部门代码"), _("部门名称"), _("进驻大厅的事项数")], [
        (d.code, d.name, d.hall_matters) for d in report.departments
    ], [16, 36, 18])
    sheet(_("大厅缺窗口人员"), [_("大厅代码"), _("大厅名称"), _("窗口类别"), _("需受理的事项数"), _("日期")], [
        (g.hall.code, g.hall.name, g.category_label, g.matters, report.day.isoformat()) for g in report.halls
    ], [16, 32, 18, 16, 12])
    sheet(_("指南质量"), [_("实施编码"), _("事项名称"), _("实施部门"), _("问题"), _("详情")], [
        (p.matter.code, p.matter.name, p.matter.department.name, p.label, p.detail) for p in report.problems
    ], [30, 36, 30, 22, 50])
    sheet(_("证照类型编码"), [_("证照类型"), _("类型代码"), _("颁证单位统一社会信用代码"), _("待录入"), _("发证事项数")], [
        (t.name, t.code, t.issuer_code, t.missing, t.matters) for t in report.licence_types
    ], [30, 26, 24, 40, 12])
    return book.bytes()
