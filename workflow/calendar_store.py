"""The working-day calendar in the database: load it into a `WorkCalendar`, seed it from the
`chinese_calendar` package (the State Council's yearly holiday notices, 国务院办公厅节假日安排).

The tables hold only exceptions to the ordinary week (a weekday off, a weekend working day) and
the years that are known. An administrator may edit both; a year whose `source` does not start
with "chinese-calendar" was entered by hand and seeding never touches it.

`load_calendar` reads the tables once per process and again when their version token changed
(checked on every call): the web and worker processes must agree the moment an administrator
saves a change.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clock import WorkCalendar, build_calendar
from core.db_router import version_token

from .models import CalendarDay, CalendarVersion, CalendarYear, calendar_changed

__all__ = ["load_calendar", "seed_calendar", "package_exceptions", "package_years", "SEED_SOURCE_PREFIX"]

SEED_SOURCE_PREFIX = "chinese-calendar"

# chinese_calendar's English names (constants.Holiday values) in the wording of the notices.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
MAKE_UP_SUFFIX = "调休"


# (version token, today, calendar) as this process last built it.
_cached: tuple | None = None


def load_calendar(*, today=None) -> WorkCalendar:
    """The calendar as the database has it now; the years it does not know get the statutory
    holidays (provisional, `core.clock.build_calendar`). The tables are read once per process
    and again whenever their version (`CalendarVersion`, one small query per call) has changed,
    so web and worker processes never disagree after an administrator's edit."""
    global _cached
    today = today or timezone.localdate()
    token = version_token(CalendarVersion)
    cached = _cached
    if cached is not None and token and cached[0] == token and cached[1] == today:
        return cached[2]
    known_years = list(CalendarYear.objects.values_list("year", flat=True))
    days = CalendarDay.objects.values_list("date", "is_workday")
    calendar = build_calendar(known_years=known_years, days=days, today=today)
    if token:  # no version row (a database just emptied): nothing would say when to read again
        _cached = (token, today, calendar)
    return calendar


def _package():
    import chinese_calendar
    from chinese_calendar import constants

    return chinese_calendar.__version__, constants


def seed_source() -> str:
    version, _ = _package()
    return f"{SEED_SOURCE_PREFIX} {version}(国务院办公厅节假日安排)"


def _chinese_name(english: str) -> str:
    if english in HOLIDAY_NAMES:
        return HOLIDAY_NAMES[english]
    _, constants = _package()
    try:  # a holiday added by a later version of the package
        return constants.Holiday(english).chinese[:64]
    except (ValueError, AttributeError):
        return english[:64]


def package_years() -> list[int]:
    """The years the installed chinese_calendar package knows."""
    _, constants = _package()
    return sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})


def package_exceptions(years=None) -> dict[date, tuple[bool, str]]:
    """The package's exceptions to the ordinary week, as {date: (is_workday, Chinese name)}.

    Only holidays on Monday-Friday and working days on Saturday-Sunday are exceptions; the
    package also lists the weekend days inside a holiday, which change nothing.
    """
    _, constants = _package()
    wanted = None if years is None else set(years)
    result = {}
    for day, english in constants.holidays.items():
        if day.weekday() < 5 and (wanted is None or day.year in wanted):
            result[day] = (False, _chinese_name(str(english)))
    for day, english in constants.workdays.items():
        if day.weekday() >= 5 and (wanted is None or day.year in wanted):
            result[day] = (True, _chinese_name(str(english)) + MAKE_UP_SUFFIX)
    return result


def seed_calendar(years=None) -> list[int]:
    """Fill CalendarYear and CalendarDay from chinese_calendar; return the years written.

    `years`: the years to seed, by default every year the package knows; a year it does not know
    raises ValueError (marking it known would claim it has no holidays). Years whose CalendarYear
    an administrator entered (source not starting with "chinese-calendar") are skipped and left
    as they are. Idempotent: a second run writes nothing. Rows the package no longer lists are
    not deleted (they may be an administrator's additions).
    """
    available = package_years()
    if years is None:
        years = available
    else:
        years = sorted({int(y) for y in years})
        unknown = [y for y in years if y not in available]
        if unknown:
            raise ValueError(f"chinese_calendar {_package()[0]} does not know the years {unknown}")
    source = seed_source()
    written = []
    with transaction.atomic():
        existing_years = {cy.year: cy for cy in CalendarYear.objects.select_for_update().filter(year__in=years)}
        for year in years:
            current = existing_years.get(year)
            if current is not None and not current.source.startswith(SEED_SOURCE_PREFIX):
                continue
            if current is None:
                CalendarYear.objects.create(year=year, source=source)
            elif current.source != source:
                current.source = source
                current.save(update_fields=["source"])
            written.append(year)
        if not written:
            return written

        wanted = package_exceptions(written)
        present = {
            row.date: row
            for row in CalendarDay.objects.select_for_update().filter(
                date__gte=date(written[0], 1, 1), date__lte=date(written[-1], 12, 31)
            )
        }
        for day, (is_workday, name) in sorted(wanted.items()):
            row = present.get(day)
            if row is None:
                CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": is_workday, "name": name})
            elif row.is_workday != is_workday or row.name != name:
                row.is_workday = is_workday
                row.name = name
                row.save(update_fields=["is_workday", "name"])
    return written


# --- an administrator enters a year -----------------------------------------------------------


def enter_year(*, entered, admin, source: str, note: str = "") -> dict:
    """Store a year's holidays and make-up days (`core.clock.notice.EnteredYear`, already checked)
    and move every open case's provisional deadline onto the new calendar, logging each move
    (CalendarChange) and telling each case's log. One transaction; a year already entered is
    refused (edit it in /admin/). Returns {"moved": n, "applications": [numbers], "still_provisional": n}.
    """
    from datetime import timedelta

    from core.errors import Conflict, Forbidden

    if not (getattr(admin, "is_superuser", False) or getattr(admin, "role", None) == "administrator"):
        raise Forbidden(_("只有系统管理员可以录入节假日安排。"), code="not_an_administrator")
    year = entered.year
    now = timezone.now()
    with transaction.atomic():
        if CalendarYear.objects.select_for_update().filter(year=year).exists():
            raise Conflict(_("%(year)s 年的节假日安排已录入;如需修改,请在后台“节假日与调休”中逐日修改。") % {"year": year},
                           code="year_exists")
        today = timezone.localdate(now)
        old = load_calendar(today=today)
        rows = entered.exceptions()
        clash = CalendarDay.objects.filter(date__in=list(rows)).exclude(date__year=year)
        if clash.exists():
            raise Conflict(_("以下日期已属于已录入年度,请勿重复录入:%(days)s。") % {
                "days": "、".join(str(d) for d in clash.values_list("date", flat=True))}, code="days_exist")
        CalendarYear.objects.create(year=year, source=source[:128], note=note[:255])
        CalendarDay.objects.filter(date__year=year).delete()  # stray rows of a year that was not known
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, is_workday=working, name=name) for d, (working, name) in rows.items()])
        calendar_changed()  # bulk_create sends no signal
        new = load_calendar(today=today)
        anchor = min([date(year, 1, 1), *rows]) - timedelta(days=1)
        changes = _move_open_deadlines(
            old=old, new=new, anchor=anchor, year=year, admin=admin, now=now, provisional_only=True,
            note=_("录入%(year)s年节假日安排后期限调整") % {"year": year})
    return _summary(changes)


def _summary(changes) -> dict:
    return {"moved": len(changes), "applications": sorted({c.application.number for c in changes}),
            "still_provisional": sum(1 for c in changes if c.still_provisional)}


def _move_open_deadlines(*, old, new, anchor: date, year: int, admin, now, provisional_only: bool, note: str):
    """Move every open case's stored deadline that lies after `anchor` from the `old` calendar onto
    the `new` one (the two agree up to `anchor`), counted from the later of the anchor and the
    case's own start, so a case that started after the changed days keeps its deadline. Logs each
    move (CalendarChange) and one line per application in its case log. Inside the caller's
    transaction; `provisional_only`: only deadlines marked 暂定 (entering a year)."""
    from core.clock import law

    from .models import Application, CalendarChange, CaseLog, SubCase

    changes = []
    flag_fields = {"pre_review_due": "pre_review_due_provisional", "deadline": "deadline_provisional",
                   "licence_due": "licence_due_provisional"}

    def move(obj, application, subcase, field, start):
        old_day = getattr(obj, field)
        base = max(anchor, start) if start else anchor
        new_day = law.move_to_new_calendar(old, new, day=old_day, anchor=base)
        still = new.is_provisional(start, new_day)
        if field in flag_fields:
            setattr(obj, flag_fields[field], still)
        if new_day != old_day:
            setattr(obj, field, new_day)
            changes.append(CalendarChange(
                year=year, application=application, subcase=subcase, field=field, old_date=old_day,
                new_date=new_day, still_provisional=still, changed_at=now, changed_by=admin))

    only = (lambda field: {flag_fields[field]: True}) if provisional_only else (lambda field: {})
    apps = list(Application.objects.select_for_update().filter(
        state=Application.State.SUBMITTED, pre_review_due__gt=anchor, **only("pre_review_due")))
    for app in apps:
        move(app, app, None, "pre_review_due", app.received_on or app.pre_review_due)
    Application.objects.bulk_update(apps, ["pre_review_due", "pre_review_due_provisional"])
    running = list(SubCase.objects.select_for_update().select_related("application").filter(
        state__in=SubCase.OPEN_STATES, deadline__gt=anchor, **only("deadline")))
    for sc in running:
        move(sc, sc.application, sc, "deadline", sc.started_on)
        if sc.yellow_from and sc.yellow_from > anchor:
            move(sc, sc.application, sc, "yellow_from", sc.started_on)
    SubCase.objects.bulk_update(running, ["deadline", "deadline_provisional", "yellow_from"])
    licensed = list(SubCase.objects.select_for_update().select_related("application").filter(
        state=SubCase.State.APPROVED, licence_due__gt=anchor, **only("licence_due")).exclude(
        application__state__in=[Application.State.DELIVERED, Application.State.ARCHIVED,
                                Application.State.WITHDRAWN]))
    for sc in licensed:
        move(sc, sc.application, sc, "licence_due", sc.decided_on or sc.licence_due)
    SubCase.objects.bulk_update(licensed, ["licence_due", "licence_due_provisional"])
    CalendarChange.objects.bulk_create(changes)
    by_app = {}
    for c in changes:
        by_app.setdefault(c.application_id, []).append(c)
    for c_list in by_app.values():
        text = ";".join(f"{c.get_field_display()} {c.old_date} → {c.new_date}" for c in c_list)
        CaseLog(
            application=c_list[0].application, actor=admin, action="workflow.calendar.deadline_moved",
            note=f"{note}:{text}",
            data={"year": year, "changes": [{"field": c.field, "subcase": c.subcase.number if c.subcase else None,
                                              "from": c.old_date.isoformat(), "to": c.new_date.isoformat()}
                                             for c in c_list]}).save()
    return changes


# --- an administrator edits single days of a year already entered ------------------------------

def check_day(day: date, is_workday: bool) -> None:
    """Refuse (Invalid) a day that would not be an exception to the ordinary week, or a day of
    a year not entered."""
    from core.errors import Invalid

    if not CalendarYear.objects.filter(year=day.year).exists():
        raise Invalid(_("%(year)s 年的节假日安排尚未录入,请先在“录入节假日安排”中整年录入。") % {"year": day.year},
                      code="year_not_entered", fields={"date": [_("该年度尚未录入。")]})
    if is_workday and day.weekday() < 5:
        raise Invalid(_("%(day)s 是周一至周五,本来就是工作日,无需登记为调休上班。") % {"day": day}, code="not_an_exception",
                      fields={"is_workday": [_("只有周六、周日的调休上班需要登记。")]})
    if not is_workday and day.weekday() >= 5:
        raise Invalid(_("%(day)s 是周六或周日,本来就休息,无需登记为放假。") % {"day": day}, code="not_an_exception",
                      fields={"is_workday": [_("只有周一至周五的放假需要登记。")]})


def edit_days(*, admin, changes: dict) -> dict:
    """Set (`{date: (is_workday, name)}`) or remove (`{date: None}`) single exceptions in years
    already entered, and move every open case's stored deadline counted over those days, as
    entering a year does (logged in CalendarChange and the case logs). One transaction. Refused
    for a year not entered (it is entered whole on /calendar/enter/) and for a day that would not
    be an exception. Returns what `enter_year` returns."""
    from datetime import timedelta

    from core.errors import Forbidden, Invalid

    if not (getattr(admin, "is_superuser", False) or getattr(admin, "role", None) == "administrator"):
        raise Forbidden(_("只有系统管理员可以修改节假日安排。"), code="not_an_administrator")
    if not changes:
        return _summary([])
    now = timezone.now()
    with transaction.atomic():
        years = sorted({d.year for d in changes})
        known = set(CalendarYear.objects.select_for_update().filter(year__in=years).values_list("year", flat=True))
        missing = [y for y in years if y not in known]
        if missing:
            raise Invalid(_("%(years)s 年的节假日安排尚未录入,请先在“录入节假日安排”中整年录入。") % {
                "years": "、".join(str(y) for y in missing)}, code="year_not_entered",
                fields={"date": [_("该年度尚未录入。")]})
        for day, value in changes.items():
            if value is not None:
                check_day(day, value[0])
        today = timezone.localdate(now)
        old = load_calendar(today=today)
        for day, value in sorted(changes.items()):
            if value is None:
                CalendarDay.objects.filter(date=day).delete()
            else:
                CalendarDay.objects.update_or_create(date=day, defaults={"is_workday": value[0], "name": value[1][:64]})
        new = load_calendar(today=today)
        days = "、".join(str(d) for d in sorted(changes))
        moved = _move_open_deadlines(
            old=old, new=new, anchor=min(changes) - timedelta(days=1), year=min(years), admin=admin, now=now,
            provisional_only=False, note=_("修改节假日安排(%(days)s)后期限调整") % {"days": days})
    return _summary(moved)
