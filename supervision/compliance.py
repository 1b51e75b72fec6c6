"""两集中、三到位 (matters concentrated in the hall, authorised and staffed there): a page and an
XLSX report for supervisors and administrators, next to the catalog audit. Read-only.

What it lists, on a given day (today by default, Beijing date):

- matters entered into the hall (`in_hall`) that no active hall window accepts: a matter taken
  in at the comprehensive windows needs an active window of its category (自然人/法人) in a hall
  of its level (or any hall when it is 同城通办, see `audit.HALL_LEVELS`); a matter taken in at
  its department's window needs an active department window of that department;
- departments whose matters are taken in at their own window but that have no active window,
  or nobody seated at one that day;
- active windows where nobody is seated that day.

Not yet: clerks seated without an authorisation (授权到位) for the matters of their window; the
authorisations per matter are being added to `windows` and will be read by a function
`clerks_without_authorisation()` here.

Each list is a handful of queries over the catalog and the windows, whatever their size.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Department, User
from accounts.views import role_required
from matters.models import Matter
from matters.views import xlsx_response
from windows.models import Seat, Window

from .audit import CATEGORY_OF_TARGET, HALL_LEVELS


@dataclass(frozen=True)
class MatterGap:
    matter: Matter
    needs: str  # what window would accept it, in Chinese


@dataclass(frozen=True)
class DepartmentGap:
    department: Department
    matters: int  # active in-hall matters taken in at the department's window
    windows: int  # its active department windows
    seated: int  # clerks seated at them that day

    @property
    def problem(self) -> str:
        return _("无部门窗口") if not self.windows else _("窗口今日无人值守")


@dataclass
class ComplianceReport:
    day: dt.date
    matters: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    windows: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.matters) + len(self.departments) + len(self.windows)


def matters_without_window() -> list[MatterGap]:
    """In-hall matters that no active window accepts."""
    levels_with = {}  # window category → matter levels served by a hall with an active window of it
    for category, level in (Window.objects.filter(is_active=True, category__in=CATEGORY_OF_TARGET.values())
                            .values_list("category", "hall__region__level").distinct()):
        levels_with.setdefault(category, set()).update(HALL_LEVELS.get(level, set()))
    department_windows = Window.objects.filter(is_active=True, category=Window.Category.DEPARTMENT,
                                               department_id=OuterRef("department_id"))
    matters = (Matter.objects.filter(is_active=True, in_hall=True).select_related("department")
               .annotate(has_department_window=Exists(department_windows))
               .order_by("department__code", "code"))
    gaps = []
    for matter in matters.iterator(chunk_size=1000):
        if matter.entry_mode == Matter.EntryMode.DEPARTMENT:
            if not matter.has_department_window:
                gaps.append(MatterGap(matter, _("%(department)s 部门窗口") % {"department": matter.department.name}))
            continue
        category = CATEGORY_OF_TARGET.get(matter.target)
        served = levels_with.get(category, set())
        accepted = bool(served) if matter.citywide else matter.level in served  # 同城通办: any hall will do
        if not accepted:
            gaps.append(MatterGap(matter, str(Window.Category(category).label)))
    return gaps


def departments_without_staffed_window(day: dt.date) -> list[DepartmentGap]:
    """Departments whose in-hall matters are taken in at their own window, without an active
    department window or with nobody seated at one on `day`."""
    seated = Seat.objects.on(day).filter(clerk__is_active=True, window__is_active=True,
                                         window__category=Window.Category.DEPARTMENT)
    seated_by_department = dict(seated.values("window__department_id").annotate(n=Count("clerk_id", distinct=True))
                                 .values_list("window__department_id", "n"))
    rows = (
        Department.objects.annotate(
            n_matters=Count("matters", filter=Q(matters__is_active=True, matters__in_hall=True,
                                                matters__entry_mode=Matter.EntryMode.DEPARTMENT), distinct=True),
        ).filter(n_matters__gt=0).order_by("code")
    )
    windows = dict(Window.objects.filter(is_active=True, category=Window.Category.DEPARTMENT)
                   .values("department_id").annotate(n=Count("pk")).values_list("department_id", "n"))
    gaps = []
    for department in rows:
        n_windows, n_seated = windows.get(department.pk, 0), seated_by_department.get(department.pk, 0)
        if not n_windows or not n_seated:
            gaps.append(DepartmentGap(department, department.n_matters, n_windows, n_seated))
    return gaps


def windows_without_staff(day: dt.date):
    """Active windows where no active clerk is seated on `day`."""
    seated = Seat.objects.on(day).filter(window_id=OuterRef("pk"), clerk__is_active=True)
    return (Window.objects.filter(is_active=True).annotate(staffed=Exists(seated)).filter(staffed=False)
            .select_related("hall", "department").order_by("hall__code", "number"))


def compliance_report(day: dt.date | None = None) -> ComplianceReport:
    day = day or timezone.localdate()
    return ComplianceReport(
        day=day,
        matters=matters_without_window(),
        departments=departments_without_staffed_window(day),
        windows=list(windows_without_staff(day)),
    )


def compliance_workbook(report: ComplianceReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")

    def sheet(title, header, rows, widths):
        ws = wb.create_sheet(title)
        ws.append(header)
        for c in ws[1]:
            c.font, c.fill = bold, fill
        for row in rows:
            ws.append(list(row))
            for c in ws[ws.max_row]:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.data_type = "s"  # text, never a formula
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"

    sheet(_("概况"), [_("检查项"), _("数量")], [
        (_("检查日期"), report.day.isoformat()),
        (_("进驻事项无窗口受理"), len(report.matters)),
        (_("部门窗口缺失或无人值守"), len(report.departments)),
        (_("今日无人值守的窗口"), len(report.windows)),
    ], [28, 14])
    sheet(_("事项无窗口受理"), [_("实施编码"), _("事项名称"), _("实施部门"), _("进驻方式"), _("需要的窗口")], [
        (g.matter.code, g.matter.name, g.matter.department.name, g.matter.get_entry_mode_display(), g.needs)
        for g in report.matters
    ], [30, 36, 30, 14, 30])
    sheet(_("部门窗口与人员"), [_("部门代码"), _("部门名称"), _("部门窗口受理的事项数"), _("部门窗口数"),
                                _("今日值守人数"), _("问题")], [
        (d.department.code, d.department.name, d.matters, d.windows, d.seated, d.problem) for d in report.departments
    ], [16, 36, 20, 12, 12, 18])
    sheet(_("窗口无人值守"), [_("大厅"), _("窗口号"), _("窗口名称"), _("类别"), _("部门"), _("日期")], [
        (w.hall.name, w.number, w.name, w.get_category_display(), w.department.name if w.department_id else "",
         report.day.isoformat()) for w in report.windows
    ], [30, 10, 24, 18, 30, 12])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- pages -----------------------------------------------------------------------------------------


@require_GET
@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def compliance_page(request):
    report = compliance_report()
    return render(request, "supervision/compliance.html", {"title": _("两集中、三到位"), "report": report})


@require_GET
@role_required(User.Role.SUPERVISOR, User.Role.ADMINISTRATOR, allow_superuser=True)
def compliance_export(request):
    report = compliance_report()
    return xlsx_response(compliance_workbook(report), f"两集中三到位-{report.day:%Y%m%d}.xlsx")
