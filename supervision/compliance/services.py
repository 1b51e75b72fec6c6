"""两集中、三到位 (matters concentrated in the hall, authorised and staffed there): a page and an
XLSX report for supervisors and administrators, next to the catalog audit. Read-only.

What it lists, on a given day (today by default, Beijing date):

- matters entered into the hall (`in_hall`) that no active hall window accepts: a matter taken
  in at the comprehensive windows needs an active window of its category (自然人/法人) in a hall
  of its level (or any hall when it is 同城通办, see `HALL_LEVELS`); a matter taken in at
  its department's window needs an active department window of that department;
- departments whose matters are taken in at their own window but that have no active window,
  or nobody seated at one that day;
- active windows where nobody is seated that day;
- 授权到位: clerks seated that day whose authorisations (`windows.ClerkAuthorisation`) cover none
  of the in-hall matters their window takes in, and in-hall matters that a window would take in
  but that no clerk seated that day at such a window is authorised for.

Each list is a handful of queries over the catalog and the windows, whatever their size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, Hall, Region
from core.web.files import ReportWorkbook
from matters.models import Matter, Target
from windows.models import Seat, Window
from windows.selectors import authorised_matter_ids

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


@dataclass(frozen=True)
class ClerkGap:
    seat: Seat
    matters: int  # in-hall matters the window takes in


@dataclass
class ComplianceReport:
    day: dt.date
    matters: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    windows: list = field(default_factory=list)
    clerks: list = field(default_factory=list)  # ClerkGap: seated, authorised for none of the window's matters
    unauthorised: list = field(default_factory=list)  # Matter: a window takes it in, no clerk there may

    @property
    def total(self) -> int:
        return len(self.matters) + len(self.departments) + len(self.windows) + len(self.clerks) + len(self.unauthorised)


def halls_without_clerks(day: dt.date) -> list[HallGap]:
    """For the catalog audit (registered as `matters.hooks.hall_gaps`): halls where no clerk sits
    today at a window of a category (自然人/法人) that the hall's matters need. A hall needs a
    category when an active in-hall matter of that target is 同城通办 or of the hall's own level."""
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


def _window_matters(window, in_hall) -> set[int]:
    """The in-hall matters a window takes in: its category's comprehensive matters, or its
    department's matters taken in at the department's window."""
    if window.category == Window.Category.DEPARTMENT:
        return {pk for pk, (mode, _target, department) in in_hall.items()
                if mode == Matter.EntryMode.DEPARTMENT and department == window.department_id}
    target = window.accepts_category
    return {pk for pk, (mode, t, _department) in in_hall.items()
            if mode == Matter.EntryMode.COMPREHENSIVE and t == target} if target else set()


def authorisation_gaps(day: dt.date, *, gapless=frozenset()):
    """授权到位 on `day`: (clerks seated at a window that takes in matters but authorised for none
    of them, in-hall matters taken in at some staffed window but by no authorised clerk there).
    One query for the matters, one for the seats, one or two per seated clerk (a district seats
    tens to a few hundred); `gapless`: matters already listed as having no window at all."""
    in_hall = {pk: (mode, target, department) for pk, mode, target, department in Matter.objects.filter(
        is_active=True, in_hall=True).values_list("pk", "entry_mode", "target", "department_id")}
    seats = (Seat.objects.on(day).filter(clerk__is_active=True, window__is_active=True)
             .select_related("clerk", "window", "window__hall", "window__department")
             .order_by("window__hall__code", "window__number", "clerk__real_name"))
    clerks, taken_in, covered = [], set(), set()
    grants = {}
    for seat in seats:
        matters = _window_matters(seat.window, in_hall)
        if not matters:
            continue  # a delivery or assistance window takes in no matter
        taken_in |= matters
        if seat.clerk_id not in grants:
            grants[seat.clerk_id] = authorised_matter_ids(seat.clerk, day)
        ids = grants[seat.clerk_id]
        mine = matters if ids is None else matters & ids
        covered |= mine
        if not mine:
            clerks.append(ClerkGap(seat, len(matters)))
    missing = taken_in - covered - set(gapless)
    unauthorised = list(Matter.objects.filter(pk__in=missing).select_related("department")
                        .order_by("department__code", "code"))
    return clerks, unauthorised


def compliance_report(day: dt.date | None = None) -> ComplianceReport:
    day = day or timezone.localdate()
    matters = matters_without_window()
    clerks, unauthorised = authorisation_gaps(day, gapless={g.matter.pk for g in matters})
    return ComplianceReport(
        day=day,
        matters=matters,
        departments=departments_without_staffed_window(day),
        windows=list(windows_without_staff(day)),
        clerks=clerks,
        unauthorised=unauthorised,
    )


def compliance_workbook(report: ComplianceReport) -> bytes:
    book = ReportWorkbook()
    sheet = book.sheet

    sheet(_("概况"), [_("检查项"), _("数量")], [
        (_("检查日期"), report.day.isoformat()),
        (_("进驻事项无窗口受理"), len(report.matters)),
        (_("部门窗口缺失或无人值守"), len(report.departments)),
        (_("今日无人值守的窗口"), len(report.windows)),
        (_("在岗人员无事项授权"), len(report.clerks)),
        (_("事项无在岗授权人员"), len(report.unauthorised)),
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
    sheet(_("授权到位"), [_("问题"), _("大厅"), _("窗口"), _("人员或事项"), _("部门"), _("日期")], [
        *[(_("在岗人员无事项授权"), g.seat.window.hall.name, f"{g.seat.window.number} {g.seat.window.name}",
           g.seat.clerk.real_name, "", report.day.isoformat()) for g in report.clerks],
        *[(_("事项无在岗授权人员"), "", "", m.name, m.department.name, report.day.isoformat())
          for m in report.unauthorised],
    ], [20, 30, 24, 36, 30, 12])
    return book.bytes()
