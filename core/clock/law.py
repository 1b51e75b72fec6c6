"""Every rule of time of the 行政许可法 (Administrative Licensing Law), as pure functions of dates
and facts over a `WorkCalendar`. No ORM: services read the facts, call these, store the answers.

Counting (第八十二条): a period in days means working days; the day on which a clock starts is
not counted, so the n-th working day *after* the start is the last day of the period.

- 第三十二条: an application submitted online (or registered at a window without an immediate
  decision) must be accepted or refused within 5 working days of receipt; otherwise it counts as
  accepted *from the day of receipt*. After the 5th working day nothing the window does can change
  that: acceptance records the receipt date and a supplement notice is no longer possible.
- 第四十二条: a decision within 20 working days of acceptance (the matter's promised limit may be
  shorter); one extension of at most 10 working days, approved by the head of the department
  before the limit has run out, and the applicant told the reason.
- 第四十四条: the licence is issued and delivered within 10 working days of the decision.
- 第四十五条: hearings, tests, inspections, expert reviews … are not counted: the clock stops with
  the working days left and restarts with exactly those days; a supplement asked after acceptance
  stops it the same way.
- The supervision's yellow card (an internal rule, not the law): at most 20 % of the limit or
  2 working days remain, whichever is more; red once the last day has passed. `yellow_line` and
  `yellow_line_sql` are the one definition, in Python and in SQL.

The receipt moment: a submission is received on its date in Beijing time (Asia/Shanghai), at any
hour. No office-hours cut-off moves a late-evening or weekend submission to the next working day:
the day of receipt is not counted anyway, and no statute gives the administration a later start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from .calendar import WorkCalendar

__all__ = [
    "PRE_REVIEW_DAYS", "LEGAL_DECISION_DAYS", "MAX_EXTENSION_DAYS", "LICENCE_DAYS", "YELLOW_PERCENT",
    "YELLOW_FLOOR_DAYS", "TIME_ZONE", "Deadline", "ExtensionRefused", "receipt_day", "pre_review_due",
    "is_deemed_accepted", "acceptance_day", "supplement_notice_allowed", "decision_deadline", "licence_due",
    "yellow_line", "yellow_line_sql", "yellow_from", "remaining_workdays", "deadline_after", "pause_remaining",
    "paused_workdays", "check_extension", "extended_deadline", "clock_level", "move_to_new_calendar",
]

PRE_REVIEW_DAYS = 5  # 第三十二条
LEGAL_DECISION_DAYS = 20  # 第四十二条
MAX_EXTENSION_DAYS = 10  # 第四十二条: one extension, at most 10 working days
LICENCE_DAYS = 10  # 第四十四条
YELLOW_PERCENT = 20  # yellow card: at most 20 % of the limit …
YELLOW_FLOOR_DAYS = 2  # … or at most 2 working days remain, whichever is more
TIME_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Deadline:
    """A last day and whether it depends on a year whose holiday notice is not known yet."""

    day: dt.date
    provisional: bool


def _deadline(calendar: WorkCalendar, start: dt.date, day: dt.date) -> Deadline:
    return Deadline(day, calendar.is_provisional(start, day))


# --- receipt and 第三十二条 -------------------------------------------------------------------


def receipt_day(moment: dt.datetime) -> dt.date:
    """The day an application is received: the Beijing date of the moment it arrived."""
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None:
        raise TypeError("the moment of receipt must be an aware datetime")
    return moment.astimezone(TIME_ZONE).date()


def pre_review_due(calendar: WorkCalendar, received_on: dt.date) -> Deadline:
    """第三十二条: the last day on which the window may accept, refuse or ask for a supplement."""
    return _deadline(calendar, received_on, calendar.add_workdays(received_on, PRE_REVIEW_DAYS))


def is_deemed_accepted(*, due: dt.date | None, today: dt.date) -> bool:
    """After the 5th working day the application counts as accepted (by law, not by anyone's act)."""
    return due is not None and today > due


def acceptance_day(*, received_on: dt.date | None, due: dt.date | None, today: dt.date) -> dt.date:
    """The acceptance date a clerk's acceptance records: today within the 5 working days, the day of
    receipt after them (the decision clock cannot be lengthened by accepting late)."""
    if received_on is not None and is_deemed_accepted(due=due, today=today):
        return received_on
    return today


def supplement_notice_allowed(*, due: dt.date | None, today: dt.date) -> bool:
    """A one-time supplement notice stops deemed acceptance only if given within the 5 days."""
    return not is_deemed_accepted(due=due, today=today)


# --- 第四十二条, 第四十四条 ---------------------------------------------------------------------


def decision_deadline(calendar: WorkCalendar, *, accepted_on: dt.date, limit_days: int) -> Deadline:
    """The last day of the decision limit, counted from the day after acceptance. The limit is the
    matter's promised one, which the catalog keeps within its legal one (20 by default; another
    law may set a different one, so no cap is applied here)."""
    return _deadline(calendar, accepted_on, calendar.add_workdays(accepted_on, limit_days))


def licence_due(calendar: WorkCalendar, *, decided_on: dt.date) -> Deadline:
    """第四十四条: issue and deliver the licence within 10 working days of the decision."""
    return _deadline(calendar, decided_on, calendar.add_workdays(decided_on, LICENCE_DAYS))


class ExtensionRefused(Exception):
    """Why an extension cannot be had; `code` is the stable machine code of the API error."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def check_extension(*, today: dt.date, deadline: dt.date, days: int, extended_before: bool, running: bool) -> None:
    """第四十二条: one extension, of 1 to 10 working days, asked and approved while the limit still
    runs (on or before its last day). Raises ExtensionRefused with a code:
    `invalid_extension_days`, `extension_exists`, `extension_after_deadline`, `state_conflict`."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ExtensionRefused("invalid_extension_days")
    if not running:
        raise ExtensionRefused("state_conflict")
    if extended_before:
        raise ExtensionRefused("extension_exists")
    if today > deadline:
        raise ExtensionRefused("extension_after_deadline")


def extended_deadline(calendar: WorkCalendar, *, deadline: dt.date, days: int, start: dt.date) -> Deadline:
    """The last day after an approved extension of `days` working days."""
    return _deadline(calendar, start, calendar.add_workdays(deadline, days))


# --- 第四十五条: stopping and restarting ---------------------------------------------------------


def remaining_workdays(calendar: WorkCalendar, *, today: dt.date, deadline: dt.date) -> int:
    """Working days left after today up to the last day; 0 on the last day, negative when overdue."""
    if deadline >= today:
        return calendar.workdays_between(today, deadline)
    return -calendar.workdays_between(deadline, today)


def deadline_after(calendar: WorkCalendar, *, day: dt.date, remaining: int) -> Deadline:
    """The last day when a clock restarts on `day` with `remaining` working days (negative: it was
    already overdue by that many when it stopped, and stays so)."""
    if remaining >= 0:
        end = calendar.add_workdays(day, remaining)
    else:
        end = calendar.subtract_workdays(day, -remaining)
    return _deadline(calendar, min(day, end), end)


def pause_remaining(calendar: WorkCalendar, *, paused_on: dt.date, deadline: dt.date) -> int:
    """The working days a clock keeps when it stops on `paused_on` (第四十五条)."""
    return remaining_workdays(calendar, today=paused_on, deadline=deadline)


def paused_workdays(calendar: WorkCalendar, *, paused_on: dt.date, resumed_on: dt.date) -> int:
    """The working days not counted, between the stop and the restart."""
    return calendar.workdays_between(paused_on, resumed_on)


# --- yellow and red ------------------------------------------------------------------------------


def yellow_line(limit_days: int, *, percent: int = YELLOW_PERCENT, floor_days: int = YELLOW_FLOOR_DAYS) -> int:
    """The yellow line in working days: yellow once at most this many remain.
    max(floor, percent % of the limit, rounded down); by default max(2, limit // 5)."""
    return max(floor_days, percent * limit_days // 100)


def yellow_line_sql(limit_sql: str, *, percent_sql: str = str(YELLOW_PERCENT),
                    floor_sql: str = str(YELLOW_FLOOR_DAYS)) -> str:
    """`yellow_line` as one SQL expression over SQL operands (integer division on SQLite and
    PostgreSQL alike: all operands are integers)."""
    share = f"(CAST(({percent_sql}) AS INTEGER) * ({limit_sql}) / 100)"
    return f"(CASE WHEN ({floor_sql}) >= {share} THEN ({floor_sql}) ELSE {share} END)"


def yellow_from(calendar: WorkCalendar, *, start: dt.date, deadline: dt.date, limit_days: int,
                percent: int = YELLOW_PERCENT, floor_days: int = YELLOW_FLOOR_DAYS) -> dt.date:
    """The first day on which the yellow line is reached. A same-day matter (limit 0) is yellow on
    its one day."""
    if limit_days == 0:
        return deadline
    warn = yellow_line(limit_days, percent=percent, floor_days=floor_days)
    return max(start, calendar.subtract_workdays(deadline, warn))


def clock_level(*, today: dt.date, deadline: dt.date, yellow_from: dt.date, suspended: bool = False) -> str:
    """"paused" while stopped (第四十五条), "red" after the last day, "yellow" from the yellow
    line, else "green"."""
    if suspended:
        return "paused"
    if deadline < today:
        return "red"
    if yellow_from <= today:
        return "yellow"
    return "green"


# --- a year's notice entered ------------------------------------------------------------------


def move_to_new_calendar(old: WorkCalendar, new: WorkCalendar, *, day: dt.date, anchor: dt.date) -> dt.date:
    """Where a day computed on the `old` calendar lands on the `new` one, when both agree on every
    day up to `anchor` (the last day before the year just entered): the working days owed after
    the anchor stay the same, only their place in the new year changes. Days up to the anchor do
    not move."""
    if day <= anchor:
        return day
    owed = old.workdays_between(anchor, day)
    if owed == 0:
        return day
    return new.add_workdays(anchor, owed)
