"""A year's holidays and make-up working days, as an administrator enters them: the text of the
State Council's notice (国务院办公厅关于YYYY年部分节假日安排的通知) pasted as it is, or one line
per holiday and per make-up day. Checked before anything is stored: impossible dates, a day both
off and working, a make-up day that is not a weekend, a day outside the year (except the 元旦
holiday reaching back into the last days of December), a holiday of 《全国年节及纪念日放假办法》
missing. Errors are Chinese sentences an administrator can act on. Pure: no ORM.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .holidays import FIRST_RULE_YEAR, statutory_holidays

__all__ = ["EnteredYear", "NoticeError", "parse_notice", "parse_lines", "check_year"]

_CN_NUM = "一二三四五六七八九十"
_SECTION = re.compile(rf"(?:^|\n)\s*[{_CN_NUM}]+\s*[、.．]\s*([^：:\n]+?)\s*[：:]")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_RANGE_END = re.compile(r"^\s*(?:[（(][^）)]*[）)])?\s*(?:至|到|—|-|~|～)\s*(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日")
_ISO = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_LINE = re.compile(rf"^\s*{_ISO}(?:\s*(?:至|到|—|~|～|--)\s*{_ISO})?\s*(.*?)\s*$")


class NoticeError(ValueError):
    """Every problem found, as Chinese sentences."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


@dataclass
class EnteredYear:
    """One year as entered: {date: name} of days off (weekend days within a holiday included) and
    of make-up working days."""

    year: int
    days_off: dict = field(default_factory=dict)
    workdays: dict = field(default_factory=dict)

    def exceptions(self) -> dict:
        """{date: (is_workday, name)}: only what differs from the ordinary week (a weekday off, a
        weekend working day), the rows the calendar stores."""
        rows = {d: (False, name) for d, name in self.days_off.items() if d.weekday() < 5}
        rows.update({d: (True, name) for d, name in self.workdays.items() if d.weekday() >= 5})
        return dict(sorted(rows.items()))


def _make_date(year, month, day, errors, where):
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        errors.append(_("%(where)s:%(y)s年%(m)s月%(d)s日不是有效日期。") % {"where": where, "y": int(year), "m": int(month), "d": int(day)})
        return None


def _span(first, last, errors, where):
    if first is None or last is None:
        return []
    if last < first:
        errors.append(_("%(where)s:结束日期 %(last)s 早于开始日期 %(first)s。") % {"where": where, "first": first, "last": last})
        return []
    if (last - first).days > 30:
        errors.append(_("%(where)s:放假时间超过一个月(%(first)s 至 %(last)s),请核对。") % {
            "where": where, "first": first, "last": last})
        return []
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _add(target, days, name, other, errors, where):
    for d in days:  # a day both off and working is reported by `year_errors`
        target[d] = name


def parse_notice(text: str, year: int) -> EnteredYear:
    """Read the notice's sections (一、元旦:… 二、春节:…): the dates before 放假 are the holiday
    (a single day or a range, a range's end may omit the month), the dates after it are the
    make-up working days (…上班). Raises NoticeError."""
    entered, errors = EnteredYear(year), []
    matches = list(_SECTION.finditer(text or ""))
    if not matches:
        raise NoticeError([_("未能识别通知中的节日条目(应为“一、元旦:……”的格式)。")])
    for i, match in enumerate(matches):
        name = match.group(1).strip()
        body = text[match.end(): matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        off_part, _sep, work_part = body.partition("放假")
        first = _DATE.search(off_part)
        if first is None:
            errors.append(_("“%(name)s”条目中没有找到放假日期。") % {"name": name})
            continue

        def year_of(explicit, month, _name=name):
            if explicit:
                return int(explicit)
            # the 元旦 holiday may begin in the last days of the year before
            return year - 1 if _name.startswith("元旦") and int(month) == 12 else year

        start = _make_date(year_of(first.group(1), first.group(2)), first.group(2), first.group(3), errors, name)
        end = start
        tail = _RANGE_END.match(off_part[first.end():])
        if tail:
            month = tail.group(2) or first.group(2)
            end_year = int(tail.group(1)) if tail.group(1) else (
                year if start is not None and int(month) < start.month else year_of(None, month))
            end = _make_date(end_year, month, tail.group(3), errors, name)
        _add(entered.days_off, _span(start, end, errors, name), name, entered.workdays, errors, name)
        work_part = work_part.split("上班")[0] if "上班" in work_part else ""
        for m in _DATE.finditer(work_part):
            d = _make_date(year_of(m.group(1), m.group(2)), m.group(2), m.group(3), errors, name)
            if d is not None:
                _add(entered.workdays, [d], name + "调休", entered.days_off, errors, name)
    _raise_all(errors, entered)
    return entered


def parse_lines(holidays: str, workdays: str, year: int) -> EnteredYear:
    """One entry per line: `2027-02-05 至 2027-02-11 春节` or `2027-02-14 春节调休`. Raises NoticeError."""
    entered, errors = EnteredYear(year), []
    for label, text, target, other in (
        (_("放假日期"), holidays, entered.days_off, entered.workdays),
        (_("调休上班日期"), workdays, entered.workdays, entered.days_off),
    ):
        for n, line in enumerate((text or "").splitlines(), start=1):
            if not line.strip():
                continue
            where = _("%(label)s第%(n)s行") % {"label": label, "n": n}
            m = _LINE.match(line)
            if m is None:
                errors.append(_("%(where)s“%(line)s”格式不对,应为“2027-02-05 至 2027-02-11 春节”。") % {
                    "where": where, "line": line.strip()})
                continue
            first = _make_date(m.group(1), m.group(2), m.group(3), errors, where)
            last = _make_date(m.group(4), m.group(5), m.group(6), errors, where) if m.group(4) else first
            name = (m.group(7) or "").strip()[:64]
            _add(target, _span(first, last, errors, where), name, other, errors, where)
    _raise_all(errors, entered)
    return entered


def _raise_all(errors, entered):
    """Every problem at once: what reading found and what the year's checks find, each once."""
    found = list(dict.fromkeys([*errors, *year_errors(entered, complete=not errors)]))
    if found:
        raise NoticeError(found)


def check_year(entered: EnteredYear) -> None:
    """The checks that do not depend on how the year was entered. Raises NoticeError."""
    _raise_all([], entered)


def year_errors(entered: EnteredYear, *, complete: bool = True) -> list[str]:
    """`complete`: also check that every statutory holiday is there (pointless while some lines
    could not be read)."""
    year, errors = entered.year, []
    if not entered.days_off and complete:
        errors.append(_("没有任何放假日期。"))
    for d in sorted(entered.days_off):
        if d.year != year and not (d.year == year - 1 and d.month == 12):
            errors.append(_("放假日期 %(date)s 不在 %(year)s 年内。") % {"date": d, "year": year})
    for d in sorted(entered.workdays):
        if d.year not in (year, year - 1):
            errors.append(_("调休上班日期 %(date)s 不在 %(year)s 年内。") % {"date": d, "year": year})
        if d.weekday() < 5:
            errors.append(_("调休上班日期 %(date)s 是工作日(星期%(w)s),不是周末。") % {
                "date": d, "w": "一二三四五六日"[d.weekday()]})
    for d in sorted(set(entered.days_off) & set(entered.workdays)):
        errors.append(_("%(date)s 既是放假日又是调休上班日。") % {"date": d})
    if year >= FIRST_RULE_YEAR and complete and not errors:
        missing = [(d, name) for d, name in statutory_holidays(year).items() if d not in entered.days_off]
        for d, name in missing:
            errors.append(_("《全国年节及纪念日放假办法》规定 %(date)s 为%(name)s假日,未列为放假日期。") % {
                "date": d, "name": name})
    return errors
