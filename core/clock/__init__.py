"""The clock: Chinese working days and every rule of time of the 行政许可法, as pure functions of
dates and facts (no ORM). `calendar` counts working days, `holidays` knows the statutory
holidays of any year, `law` holds the articles' rules, `notice` reads a year's notice as an
administrator enters it. Apps read their rows and call `build_calendar`; nothing else counts a
working day or draws a yellow line.
"""

from __future__ import annotations

from datetime import date

from .calendar import WorkCalendar
from .holidays import FIRST_RULE_YEAR, RULES_VERSION, statutory_holidays

__all__ = ["WorkCalendar", "build_calendar", "provisional_span", "RULES_VERSION", "PROVISIONAL_YEARS_AHEAD"]

# Years after the later of today and the last known year that get the statutory holidays; beyond
# them (no deadline of a licence reaches so far) a year is an ordinary week.
PROVISIONAL_YEARS_AHEAD = 10


def provisional_span(known_years, *, today: date) -> range:
    """The years that are not known but get the statutory holidays."""
    known = set(known_years)
    high = max([today.year, *known]) + PROVISIONAL_YEARS_AHEAD
    low = max(FIRST_RULE_YEAR, min([today.year, *known]) - 1)
    return range(low, high + 1)


def build_calendar(*, known_years, days, today: date, through_year: int | None = None) -> WorkCalendar:
    """A calendar from stored rows: `days` is an iterable of (date, is_workday) exceptions of the
    known years; every other year of the span around `today` (to `through_year` at least) gets
    the holidays fixed by 《全国年节及纪念日放假办法》, without make-up days (provisional)."""
    known = {int(y) for y in known_years}
    span = provisional_span(known, today=today)
    years = [y for y in range(span.start, max(span.stop, (through_year or 0) + 1)) if y not in known]
    days_off, extra = [], []
    for day, is_workday in days:
        (extra if is_workday else days_off).append(day)
    for year in years:
        days_off.extend(d for d in statutory_holidays(year) if d.year == year)
    return WorkCalendar(days_off=days_off, extra_workdays=extra, known_years=known, provisional_years=years)
