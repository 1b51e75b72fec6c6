"""The working-day calendar in the database: load it into a `WorkCalendar`, seed it from the
`chinese_calendar` package (the State Council's yearly holiday notices, 国务院办公厅节假日安排).

The tables hold only exceptions to the ordinary week (a weekday off, a weekend working day) and
the years that are known. An administrator may edit both; a year whose `source` does not start
with "chinese-calendar" was entered by hand and seeding never touches it.

`load_calendar` reads the tables on every call, without caching: the web and worker processes
must agree the moment an administrator saves a change, and the tables are a few hundred rows.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from core.clock import WorkCalendar, build_calendar

from .models import CalendarDay, CalendarYear

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


def load_calendar(*, today=None) -> WorkCalendar:
    """The calendar as the database has it now (two queries); the years it does not know get
    the statutory holidays (provisional, `core.clock.build_calendar`)."""
    known_years = list(CalendarYear.objects.values_list("year", flat=True))
    days = CalendarDay.objects.values_list("date", "is_workday")
    return build_calendar(known_years=known_years, days=days, today=today or timezone.localdate())


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
