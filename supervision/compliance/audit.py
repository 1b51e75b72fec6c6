"""The catalog audit (目录审计) of the 政务服务中心: a page and an XLSX report, for supervisors and
administrators. Read-only.

The catalog's own checks live in `matters.audit` (应进未进, departments without a reviewer,
guide quality); this module adds what needs the halls' seating (`windows`), which `matters` may
not import: halls where no clerk sits today at a window of a category (自然人/法人) that the
hall's matters need. A hall needs a category when an active matter in the hall of that target
is either 同城通办 or of the hall's own level (the district hall: 区级; a town hall: 镇级 and 村级).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Hall, Region, User
from core.web.access import role_required
from core.web.files import xlsx_response
from matters import audit as catalog_audit
from matters.models import Matter, Target
from windows.models import Seat, Window

HALL_LEVELS = {
    Region.Level.CITY: {Matter.Level.DISTRICT},
    Region.Level.DISTRICT: {Matter.Level.DISTRICT},
    Region.Level.TOWN: {Matter.Level.TOWN, Matter.Level.VILLAGE},
    Region.Level.VILLAGE: {Matter.Level.VILLAGE},
}
CATEGORY_OF_TARGET = {Target.NATURAL: Window.Category.NATURAL, Target.LEGAL: Window.Category.LEGAL}


@dataclass(frozen=True)
class HallGap:
    hall: Hall
    category: str  # Window.Category value
    matters: int  # active in-hall matters of that category the hall should accept

    @property
    def category_label(self) -> str:
        return str(Window.Category(self.category).label)


@dataclass
class CatalogAudit:
    day: dt.date
    not_in_hall: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    halls: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.not_in_hall) + len(self.departments) + len(self.halls) + len(self.problems)

    @property
    def problem_matters(self) -> int:
        return len({p.matter.pk for p in self.problems})


def halls_without_clerks(day: dt.date) -> list[HallGap]:
    need = {}  # (level, target, citywide) → number of active in-hall matters
    for row in (Matter.objects.filter(is_active=True, in_hall=True)
                .values("level", "target", "citywide").annotate(n=Count("pk"))):
        need[(row["level"], row["target"], row["citywide"])] = row["n"]
    seated = set(
        Seat.objects.on(day)
        .filter(clerk__is_active=True, window__is_active=True, window__category__in=CATEGORY_OF_TARGET.values())
        .values_list("window__hall_id", "window__category")
    )
    gaps = []
    for hall in Hall.objects.select_related("region").order_by("code"):
        levels = HALL_LEVELS.get(hall.region.level, set())
        for target, category in CATEGORY_OF_TARGET.items():
            n = sum(count for (level, t, citywide), count in need.items() if t == target and (citywide or level in levels))
            if n and (hall.pk, category) not in seated:
                gaps.append(HallGap(hall=hall, category=category, matters=n))
    return gaps


def catalog_audit_report(day: dt.date | None = None) -> CatalogAudit:
    day = day or timezone.localdate()
    return CatalogAudit(
        day=day,
        not_in_hall=list(catalog_audit.matters_not_in_hall()),
        departments=list(catalog_audit.departments_without_reviewer()),
        halls=halls_without_clerks(day),
        problems=catalog_audit.guide_problems(),
    )


class ReportWorkbook:
    """An XLSX report of several sheets, each a bold header row, frozen below it, column widths,
    and cells that are always text or numbers (a cell starting with "=" is text, never a
    formula). Used by the catalog audit and the compliance report."""

    def __init__(self):
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.bold, self.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")

    def sheet(self, title, header, rows, widths):
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title)
        ws.append(header)
        for c in ws[1]:
            c.font, c.fill = self.bold, self.fill
        for row in rows:
            ws.append(list(row))
            for c in ws[ws.max_row]:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.data_type = "s"  # text, never a formula
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()


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
    return book.bytes()


# --- pages -----------------------------------------------------------------------------------------


@require_GET
@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def audit_page(request):
    report = catalog_audit_report()
    return render(request, "supervision/audit.html", {"title": _("事项目录审计"), "report": report})


@require_GET
@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def audit_export(request):
    report = catalog_audit_report()
    return xlsx_response(audit_workbook(report), f"事项目录审计-{report.day:%Y%m%d}.xlsx")
