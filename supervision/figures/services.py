"""The supervisor's figures: one definition of each, its daily rollup, the same figures computed
straight from the case tables, and the cases behind any number.

Period: Beijing dates `first`..`last`, both included (presets 今日, 本周 from Monday, 本月, 本季,
本年, each up to today; or any custom range). Channel filter: online / window / both.

Definitions (an "event" is dated by the Beijing date on which it happened):

- received 收件: applications whose `submitted_at` falls in the period (a resubmission after a
  supplement request moves it to the resubmission). Dimension: hall = `received_hall` (none for
  online applications).
- accepted 受理: applications whose `accepted_on` falls in the period, deemed acceptances included
  (their `accepted_on` is the day of receipt); deemed 视为受理: those with `deemed_accepted`.
- delivered 出件 and visits needed 跑动次数: applications whose `delivered_at` falls in the
  period; visits of one = 1 if submitted at a window + 1 per supplement brought to a window (a
  `workflow.application.supplemented` log row whose actor is not the applicant) + 1 if a clerk
  handed the result out (`delivered_by`). The figure is the average per delivered application.
  What cannot be derived: a visit that ended without a case (a consultation, a refused walk-in
  not registered) is not counted.
- started 受理子件: sub-cases whose `started_on` (the acceptance date) falls in the period.
- online share 网办率: of the sub-cases started, the share whose application came online.
- concluded 办结: sub-cases approved or denied with `decided_on` in the period.
- on time 按时办结: concluded with `decided_on` ≤ `deadline` (the deadline as stored, i.e. after
  pauses and the approved extension). on-time rate = on time / concluded.
- working days taken: idx(decided_on) − idx(started_on) − paused_days over the working-day index
  (`WorkdayIndex`: the acceptance day is not counted), never below 0. Average = sum / concluded;
  p90 = nearest rank (the ⌈0.9·n⌉-th smallest), reported as 41 meaning "more than 40" when it falls
  beyond the histogram's last bucket.
- same-day rate 即办率: the share of concluded sub-cases taken 0 working days (decided on the
  acceptance day, or before the next working day). Chosen over "matters of kind 即办" because it
  measures what happened, and a promised-0-days matter decided late is not same-day.
- cards open 红黄牌: open red and yellow cards, read live (they change by the minute and the open
  set is small and indexed), by the card's responsible department.
- queue wait 排队等候: queue tickets (`windows.Ticket`) called and finished — served or no-show —
  dated by the ticket's `day` (the Beijing day it was issued; tickets waiting, being served or
  cancelled are not counted). Wait of one = `called_at` − `issued_at` in whole seconds rounded
  half up, never below 0 (`wait_of`); the rollup sums the seconds (`wait_seconds`) and the count
  (`called`); average wait = sum / count in minutes with one decimal. `no_show` counts the
  no-shows among them. Channel: window (a queue is at a hall: none online). Dimensions: hall, the
  ticket's window, the clerk who called it (`called_by`); not department or matter.
- ratings 好差评: valid ratings (`Rating.is_valid`; an accepted appeal removes a rating from every
  count) dated by `rated_on`, summed per level r1..r5 (national scale, 1 非常不满意 … 5 非常满意).
  满意率 = (满意 + 非常满意) / ratings, the national 好差评 system's measure, one decimal; 差评 =
  不满意 + 非常不满意. Channel: online for ratings of decisions (each sub-case's decision rates the
  department that decided it, on either channel of the case; issue 17), window for window visits.
  Dimensions: the rated department (decisions), hall and clerk (window ratings); the others
  are key 0 ("政务服务中心(窗口)" in the department grouping). Not window or matter. A rating is
  only ever made today, but an appeal may be accepted long after: `ratings.rating_appeal_decide`
  queues `tasks.refresh_figure_days` for the rating's day on commit, so the rollups equal the raw
  computation again once that task ran (one day's delete + insert, its month, year and month-to-
  date rows).
- evaluation counts per department (the evaluation's page and export, `department_rows`; read
  from the case tables, not rolled up): 红牌/黄牌 cards opened in the period on the department's
  sub-cases, not voided by a supervisor; 视为受理子件 the department's sub-cases started in the
  period whose application was deemed accepted; 延期 extensions approved in the period; 补正
  notices to supplement (one per application naming a matter of the department) requested in
  the period plus supplement pauses of its sub-cases started in the period. Received 收件 is not
  split by department (an application spans departments), on the dashboard as in the evaluation.
- complaints 投诉举报: open (not closed) and overdue, read live like the cards, by responsible
  department (`feedback.complaint_counts_by_department`; key 0 = the centre: routing or
  escalated); "current state", not a period figure.

Dimensions: department and matter (sub-case figures only: an application spans departments),
hall, window, clerk. Hall/window/clerk of every figure but "received" is the application's
accepting desk: `accepted_hall`, `accepted_by` and the window that clerk sat at that day
(`windows.Seat`; the latest-starting seat when two overlap). Deemed acceptances have no clerk
(key 0). Each event counts once per dimension, so the rows of a grouping add up to the total.

Rollups: `FigureRollup` holds, per day × dimension value × channel (online, window, "*" both),
the sums from which every figure is finished (`finish`), including a histogram of working days
0..40 (+ beyond), because a percentile of a union is not computable from percentiles.
`refresh_rollups(first, last)` deletes and re-inserts those days with one INSERT … SELECT …
GROUP BY per month of days and one more for the both-channel rows (SQLite and PostgreSQL), then
recomputes from them the monthly rows,
the year-to-month rows (January up to a month) and the month-to-date rows (every date of the
current and previous month); it is idempotent. A reading (`_spans`) takes whole months from
January as one year-to-month row, other whole months from monthly rows, the last partial month
as one month-to-date row, and only a partial first month from daily rows: 本年, 本季, 本月 read
one or two rows per key. Beat runs `refresh_recent` every 5 minutes (the last RECENT_DAYS days:
deemed acceptances back-date up to 5 working days, resubmissions move a receipt) and
`refresh_all` nightly, and a full refresh whenever the calendar changed. The page shows when the
rollups were refreshed.

`raw_sums` computes the same figures straight from Application/SubCase/Ticket/Rating with the ORM (the
benchmark's baseline and the tests' oracle); both must be identical.

Adding a figure from another table (queue wait from queue tickets, ratings, complaints): add its
sum columns to `FigureRollup` (a migration), an event SELECT to `_event_selects` giving its date,
channel, dimension columns and those sums (and its kind's dimensions to `EVENT_DIMS`), its sums to
`SUMS` and its finished value in `finish`, its raw computation to `raw_figures`, and a `FIGURES`
entry (label, dimensions, drill-down). The equality tests then cover it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, Hall, User
from matters.models import Matter
from supervision.cards.models import Card, WorkdayIndex, WorkdayIndexState
from supervision.feedback.models import BAD_LEVELS, RATED_ONLINE, Rating
from windows.models import Seat, Ticket, Window
from workflow.models import Application, CaseLog, SubCase, SubCaseExtension, SubCasePause, SupplementRequest

from .models import HISTOGRAM_DAYS, FigureRefresh, FigureRollup, FigureRollupCoarse

RECENT_DAYS = 21
BEYOND = HISTOGRAM_DAYS + 1  # the p90 reported when it falls beyond the histogram
HIST = [f"h{i:02d}" for i in range(HISTOGRAM_DAYS + 1)]

DIMENSIONS = {
    "department": _("部门"),
    "hall": _("大厅"),
    "window": _("窗口"),
    "clerk": _("窗口人员"),
    "matter": _("事项"),
}
ALL = ("all", "department", "matter", "hall", "window", "clerk")
DESK = ("all", "hall", "window", "clerk")
RATED = ("all", "department", "hall", "clerk")  # a rating names its department, or its hall and clerk
EVENT_DIMS = {
    "received": ("all", "hall"),
    "accepted": DESK,
    "delivered": DESK,
    "started": ALL,
    "decided": ALL,
    "called": DESK,  # queue tickets: the hall, the window that called and the clerk who called
    "rated": RATED,
}
LEVELS = ("r1", "r2", "r3", "r4", "r5")  # ratings per level: 1 非常不满意 … 5 非常满意

# The sums a rollup row holds (besides the histogram).
SUMS = ("received", "accepted", "deemed", "delivered", "visits", "started", "started_online", "concluded", "on_time",
        "days_sum", "called", "no_show", "wait_seconds", *LEVELS)
BOTH = "*"  # the channel value of the rows that sum both channels


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    dims: tuple
    help: str = ""


FIGURES = [
    Figure("received", _("收件"), EVENT_DIMS["received"], _("期内提交(含补正后重新提交)的办件")),
    Figure("accepted", _("受理"), DESK, _("期内受理的办件,含视为受理")),
    Figure("deemed", _("视为受理"), DESK, _("网上预审逾期,依法视为受理的办件")),
    Figure("started", _("受理子件"), ALL, _("期内受理的子件(按部门事项拆分)")),
    Figure("online_rate", _("网办率"), ALL, _("受理子件中网上申办的比例")),
    Figure("concluded", _("办结"), ALL, _("期内作出准予或不予许可决定的子件")),
    Figure("on_time_rate", _("按时办结率"), ALL, _("办结子件中决定日期不晚于办结期限的比例")),
    Figure("avg_days", _("平均用时"), ALL, _("办结子件的平均工作日(受理当日不计,扣除暂停)")),
    Figure("p90_days", _("90%用时"), ALL, _("90%的办结子件不超过的工作日(最近秩)")),
    Figure("same_day_rate", _("即办率"), ALL, _("办结子件中0个工作日办结的比例")),
    Figure("visits_avg", _("平均跑动"), DESK, _("期内出件办件的平均到窗口次数")),
    Figure("wait_avg", _("平均等候(分钟)"), DESK, _("期内被叫号(办理或过号)的排队号从取号到首次叫号的平均分钟数")),
    Figure("called", _("叫号"), DESK, _("期内被叫号的排队号(办理或过号)")),
    Figure("no_show", _("过号"), DESK, _("叫号后过号未到的排队号")),
    Figure("rated", _("评价"), RATED, _("期内的有效评价(申诉成立的差评不计)")),
    Figure("satisfied_rate", _("满意率"), RATED, _("有效评价中“满意”和“非常满意”的比例(全国好差评口径)")),
    Figure("bad_ratings", _("差评"), RATED, _("“不满意”和“非常不满意”的有效评价")),
]
FIGURE_KEYS = {f.key for f in FIGURES}
# figure → the count whose cases are behind it (drill-down), for the rates and day figures too
DRILL = {"received": "received", "accepted": "accepted", "deemed": "deemed", "started": "started",
         "online_rate": "started_online", "concluded": "concluded", "on_time_rate": "on_time",
         "avg_days": "concluded", "p90_days": "concluded", "same_day_rate": "same_day",
         "visits_avg": "delivered", "wait_avg": "called", "called": "called", "no_show": "no_show",
         "rated": "rated", "satisfied_rate": "satisfied", "bad_ratings": "bad_ratings"}
DRILL_KINDS = ("received", "accepted", "deemed", "delivered", "started", "started_online", "concluded", "on_time",
               "same_day", "called", "no_show", "rated", "satisfied", "bad_ratings")
TICKET_COUNTS = ("called", "no_show")
RATING_COUNTS = ("rated", "satisfied", "bad_ratings")


# --- periods ----------------------------------------------------------------------------------

PRESETS = {"today": _("今日"), "week": _("本周"), "month": _("本月"), "quarter": _("本季"), "year": _("本年"),
           "custom": _("自定义")}
DEFAULT_PRESET = "month"


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    preset: str = "custom"

    @property
    def label(self):
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()} — {self.last.isoformat()}"


def period_for(preset: str, *, today: dt.date, first: dt.date | None = None, last: dt.date | None = None) -> Period:
    if preset == "custom" and first and last:
        first, last = min(first, last), max(first, last)
        return Period(first, last, "custom")
    if preset == "today":
        return Period(today, today, preset)
    if preset == "week":
        return Period(today - dt.timedelta(days=today.weekday()), today, preset)
    if preset == "quarter":
        return Period(dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today, preset)
    if preset == "year":
        return Period(dt.date(today.year, 1, 1), today, preset)
    return Period(today.replace(day=1), today, "month")


def _day_bounds(first: dt.date, last: dt.date):
    """The aware datetimes [first 00:00, last+1 00:00) in Beijing time."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return start, end


# --- SQL helpers (the only vendor-specific parts) ---------------------------------------------


def _local_date(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE '{settings.TIME_ZONE}') AS date)"
    hours = int(dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset().total_seconds() // 3600)
    return f"date({column}, '{hours:+d} hours')"  # SQLite stores UTC text; Beijing has no DST


def _greatest0(expr: str) -> str:
    return f"GREATEST(0, {expr})" if connection.vendor == "postgresql" else f"MAX(0, {expr})"


def _wait_seconds(called: str, issued: str) -> str:
    """Whole seconds from `issued` to `called`, rounded half up, never below 0."""
    if connection.vendor == "postgresql":
        return f"GREATEST(0, CAST(ROUND(EXTRACT(EPOCH FROM ({called} - {issued}))) AS BIGINT))"
    return f"MAX(0, CAST(ROUND((julianday({called}) - julianday({issued})) * 86400.0) AS INTEGER))"


def wait_of(issued: dt.datetime, called: dt.datetime) -> int:
    """The same in Python (the raw computation)."""
    return max(0, math.floor((called - issued).total_seconds() + 0.5))


def _month_start(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _d(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def _ts(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


# --- rollup refresh ---------------------------------------------------------------------------

_COLUMNS = ("kind", "day", "channel", "department", "matter", "hall", "clerk", "acc_day", "win", "received",
            "accepted", "deemed", "delivered", "visits", "started", "started_online", "concluded", "on_time", "wd",
            "called", "no_show", "wait_seconds", *LEVELS)
_NULL_INT = "CAST(NULL AS INTEGER)"
_NULL_DATE = "CAST(NULL AS DATE)"


def _select(values: dict, source: str) -> str:
    defaults = {"department": _NULL_INT, "matter": _NULL_INT, "hall": _NULL_INT, "clerk": _NULL_INT,
                "acc_day": _NULL_DATE, "win": _NULL_INT, "wd": _NULL_INT}
    exprs = [f"{values.get(c, defaults.get(c, '0'))} AS {c}" for c in _COLUMNS]
    return f"SELECT {', '.join(exprs)} FROM {source}"


def _event_selects(first: dt.date, last: dt.date):
    """One SELECT per event kind over the events dated first..last, with the columns _COLUMNS."""
    app, sub, idx, log = _t(Application), _t(SubCase), _t(WorkdayIndex), _t(CaseLog)
    start, end = _day_bounds(first, last)
    desk = {"hall": "a.accepted_hall_id", "clerk": "a.accepted_by_id", "acc_day": "a.accepted_on"}
    supplemented = (f"(SELECT COUNT(*) FROM {log} l WHERE l.application_id = a.id "
                    f"AND l.action = 'workflow.application.supplemented' "
                    f"AND l.actor_id IS NOT NULL AND l.actor_id <> a.applicant_id)")
    decided = ", ".join(f"'{s}'" for s in SubCase.DECIDED_STATES)
    selects = [
        (_select({"kind": "'received'", "day": _local_date("a.submitted_at"), "channel": "a.channel",
                  "hall": "a.received_hall_id", "received": "1"},
                 f"{app} a WHERE a.submitted_at >= %s AND a.submitted_at < %s"), [_ts(start), _ts(end)]),
        (_select({"kind": "'accepted'", "day": "a.accepted_on", "channel": "a.channel", **desk, "accepted": "1",
                  "deemed": "CASE WHEN a.deemed_accepted THEN 1 ELSE 0 END"},
                 f"{app} a WHERE a.accepted_on >= %s AND a.accepted_on <= %s"), [_d(first), _d(last)]),
        (_select({"kind": "'delivered'", "day": _local_date("a.delivered_at"), "channel": "a.channel", **desk,
                  "delivered": "1",
                  "visits": f"(CASE WHEN a.channel = 'window' THEN 1 ELSE 0 END) "
                            f"+ (CASE WHEN a.delivered_by_id IS NOT NULL THEN 1 ELSE 0 END) + {supplemented}"},
                 f"{app} a WHERE a.delivered_at >= %s AND a.delivered_at < %s"), [_ts(start), _ts(end)]),
        (_select({"kind": "'started'", "day": "s.started_on", "channel": "a.channel", "department": "s.department_id",
                  "matter": "s.matter_id", **desk, "started": "1",
                  "started_online": "CASE WHEN a.channel = 'online' THEN 1 ELSE 0 END"},
                 f"{sub} s JOIN {app} a ON a.id = s.application_id "
                 f"WHERE s.started_on >= %s AND s.started_on <= %s"), [_d(first), _d(last)]),
        (_select({"kind": "'decided'", "day": "s.decided_on", "channel": "a.channel", "department": "s.department_id",
                  "matter": "s.matter_id", **desk, "concluded": "1",
                  "on_time": "CASE WHEN s.decided_on <= s.deadline THEN 1 ELSE 0 END",
                  "wd": _greatest0("i2.ordinal - i1.ordinal - s.paused_days")},
                 f"{sub} s JOIN {app} a ON a.id = s.application_id "
                 f"JOIN {idx} i1 ON i1.day = s.started_on JOIN {idx} i2 ON i2.day = s.decided_on "
                 f"WHERE s.state IN ({decided}) AND s.decided_on >= %s AND s.decided_on <= %s"), [_d(first), _d(last)]),
        (_select({"kind": "'called'", "day": "t.day", "channel": "'window'", "hall": "t.hall_id",
                  "clerk": "t.called_by_id", "win": "t.window_id", "called": "1",
                  "no_show": f"CASE WHEN t.state = '{Ticket.State.NO_SHOW}' THEN 1 ELSE 0 END",
                  "wait_seconds": _wait_seconds("t.called_at", "t.issued_at")},
                 f"{_t(Ticket)} t WHERE t.state IN ({_called_states()}) AND t.called_at IS NOT NULL "
                 f"AND t.day >= %s AND t.day <= %s"), [_d(first), _d(last)]),
        (_select({"kind": "'rated'", "day": "r.rated_on",
                  "channel": f"CASE WHEN r.occasion IN ({_rated_online()}) THEN 'online' ELSE 'window' END",
                  "department": "r.department_id", "hall": "r.hall_id", "clerk": "r.clerk_id",
                  **{f"r{n}": f"CASE WHEN r.level = {n} THEN 1 ELSE 0 END" for n in range(1, 6)}},
                 f"{_t(Rating)} r WHERE r.is_valid AND r.rated_on >= %s AND r.rated_on <= %s"), [_d(first), _d(last)]),
    ]
    return selects


CALLED_STATES = (Ticket.State.SERVED, Ticket.State.NO_SHOW)


def _rated_online() -> str:
    return ", ".join(f"'{o}'" for o in RATED_ONLINE)


def _called_states() -> str:
    return ", ".join(f"'{s}'" for s in CALLED_STATES)


def _rollup_columns():
    return ["grain", "day", "dim", "key", "channel", *SUMS, *HIST, "hover"]


def _insert_days(first: dt.date, last: dt.date) -> int:
    selects = _event_selects(first, last)
    params = [p for _sql, ps in selects for p in ps]
    events = " UNION ALL ".join(sql for sql, _ps in selects)
    dims = " UNION ALL ".join(f"SELECT '{kind}' AS kind, '{dim}' AS dim"
                              for kind, dims in EVENT_DIMS.items() for dim in dims)
    seat = _t(Seat)
    key = ("COALESCE(CASE dm.dim WHEN 'department' THEN e.department WHEN 'matter' THEN e.matter "
           "WHEN 'hall' THEN e.hall WHEN 'window' THEN COALESCE(e.win, dk.window_id) WHEN 'clerk' THEN e.clerk END, 0)")
    sums = ["SUM(COALESCE(e.wd, 0))" if c == "days_sum" else f"SUM(e.{c})" for c in SUMS]
    hist = [f"SUM(CASE WHEN e.wd = {i} THEN 1 ELSE 0 END)" for i in range(HISTOGRAM_DAYS + 1)]
    hover = f"SUM(CASE WHEN e.wd > {HISTOGRAM_DAYS} THEN 1 ELSE 0 END)"
    sql = (
        f"WITH e AS ({events}), "
        f"dm AS ({dims}), "
        f"dk AS (SELECT c.clerk, c.acc_day, (SELECT st.window_id FROM {seat} st WHERE st.clerk_id = c.clerk "
        f"AND st.starts_on <= c.acc_day AND (st.ends_on IS NULL OR st.ends_on >= c.acc_day) "
        f"ORDER BY st.starts_on DESC, st.id DESC LIMIT 1) AS window_id "
        f"FROM (SELECT DISTINCT clerk, acc_day FROM e WHERE clerk IS NOT NULL AND acc_day IS NOT NULL) c) "
        f"INSERT INTO {_t(FigureRollup)} ({', '.join(_rollup_columns())}) "
        f"SELECT 'd', e.day, dm.dim, {key}, e.channel, {', '.join(sums)}, {', '.join(hist)}, {hover} "
        f"FROM e JOIN dm ON dm.kind = e.kind "
        f"LEFT JOIN dk ON dk.clerk = e.clerk AND dk.acc_day = e.acc_day "
        f"GROUP BY e.day, dm.dim, {key}, e.channel"
    )
    # the rows of both channels, from the rows just written (far fewer than the events)
    columns = _rollup_columns()
    both = (f"INSERT INTO {_t(FigureRollup)} ({', '.join(columns)}) "
            f"SELECT grain, day, dim, key, '{BOTH}', {', '.join(f'SUM({c})' for c in columns[5:])} "
            f"FROM {_t(FigureRollup)} WHERE grain = 'd' AND day >= %s AND day <= %s AND channel <> '{BOTH}' "
            f"GROUP BY grain, day, dim, key")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.rowcount
        cursor.execute(both, [_d(first), _d(last)])
        return rows + cursor.rowcount


# The coarse rows (FigureRollupCoarse) are written in the order they are read: the rows of one
# grain, day and channel side by side on as few heap pages as they fill.
COARSE_ORDER = "ORDER BY 2, 5, 3, 4"  # day, channel, dim, key of the INSERT's SELECT


def _refresh_months(first: dt.date, last: dt.date):
    low = first.replace(day=1)
    high = _month_end(last)
    daily, coarse = _t(FigureRollup), _t(FigureRollupCoarse)
    columns = _rollup_columns()
    sums = ", ".join(f"SUM({c})" for c in columns[5:])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {coarse} WHERE grain = 'm' AND day >= %s AND day <= %s", [_d(low), _d(high)])
        cursor.execute(
            f"INSERT INTO {coarse} ({', '.join(columns)}) "
            f"SELECT 'm', {_month_start('day')}, dim, key, channel, {sums} FROM {daily} "
            f"WHERE grain = 'd' AND day >= %s AND day <= %s GROUP BY {_month_start('day')}, dim, key, channel "
            f"{COARSE_ORDER}",
            [_d(low), _d(high)],
        )


def _month_starts(low: dt.date, high: dt.date):
    day, starts = low.replace(day=1), []
    while day <= high:
        starts.append(day)
        day = _month_end(day) + dt.timedelta(days=1)
    return starts


def _dates_sql(days) -> tuple[str, list]:
    value = "CAST(%s AS DATE)" if connection.vendor == "postgresql" else "%s"  # SQLite: CAST to DATE is numeric
    return " UNION ALL ".join(f"SELECT {value} AS day" for _ in days), [_d(d) for d in days]


def _refresh_cumulative(first: dt.date, last: dt.date, *, floor: dt.date, today: dt.date):
    """Month-to-date rows (grain "c") for every date of the months of first..last
    that are not before `floor` (a month's first day); those before it are removed, since they
    are no longer kept up to date. One INSERT … SELECT per month."""
    daily, coarse = _t(FigureRollup), _t(FigureRollupCoarse)
    columns = _rollup_columns()
    sums = ", ".join(f"SUM(r.{c})" for c in columns[5:])
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {coarse} WHERE grain = 'c' AND day < %s", [_d(floor)])
        for month in _month_starts(max(first, floor), last):
            end = _month_end(month)
            cursor.execute(f"DELETE FROM {coarse} WHERE grain = 'c' AND day >= %s AND day <= %s",
                           [_d(month), _d(_month_end(month))])
            days = [month + dt.timedelta(days=i) for i in range((end - month).days + 1)]
            dates, params = _dates_sql(days)
            cursor.execute(
                f"INSERT INTO {coarse} ({', '.join(columns)}) "
                f"SELECT 'c', c.day, r.dim, r.key, r.channel, {sums} FROM ({dates}) c "
                f"JOIN {daily} r ON r.grain = 'd' AND r.day >= %s AND r.day <= c.day "
                f"GROUP BY c.day, r.dim, r.key, r.channel {COARSE_ORDER}",
                [*params, _d(month)],
            )


def _refresh_years(first: dt.date, last: dt.date):
    """Year-to-date rows (grain "y", `day` = a month's first day: the sums from January 1 to
    that month's end) for the years of first..last, from the monthly rows."""
    table = _t(FigureRollupCoarse)
    columns = _rollup_columns()
    sums = ", ".join(f"SUM(r.{c})" for c in columns[5:])
    with connection.cursor() as cursor:
        for year in range(first.year, last.year + 1):
            january, december = dt.date(year, 1, 1), dt.date(year, 12, 1)
            cursor.execute(f"DELETE FROM {table} WHERE grain = 'y' AND day >= %s AND day <= %s",
                           [_d(january), _d(december)])
            dates, params = _dates_sql(_month_starts(january, december))
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"SELECT 'y', c.day, r.dim, r.key, r.channel, {sums} FROM ({dates}) c "
                f"JOIN {table} r ON r.grain = 'm' AND r.day >= %s AND r.day <= c.day "
                f"GROUP BY c.day, r.dim, r.key, r.channel {COARSE_ORDER}",
                [*params, _d(january)],
            )


def _cumulative_floor(today: dt.date) -> dt.date:
    """Month-to-date rows are kept from the first day of the previous month."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _index_signature():
    state = WorkdayIndexState.objects.filter(pk=1).values_list("signature", flat=True).first()
    return state or ""


def refresh_rollups(*, first: dt.date, last: dt.date, chunk_days: int = 31, today: dt.date | None = None) -> int:
    """Delete and re-insert the daily rows of first..last (in chunks of days), then the monthly
    rows of the months touched. Idempotent; one transaction."""
    from supervision.cards import services

    rows = 0
    today = today or timezone.localdate()
    with transaction.atomic():
        services.ensure_workday_index(today=today)
        table = _t(FigureRollup)
        day = first
        while day <= last:
            upto = min(last, day + dt.timedelta(days=chunk_days - 1))
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE grain = 'd' AND day >= %s AND day <= %s",
                               [_d(day), _d(upto)])
            rows += _insert_days(day, upto)
            day = upto + dt.timedelta(days=1)
        _refresh_months(first, last)
        _refresh_years(first, last)
        floor = _cumulative_floor(today)
        _refresh_cumulative(first, last, floor=floor, today=today)
        state, _created = FigureRefresh.objects.select_for_update().get_or_create(pk=1)
        if state.cumulative_from != floor:  # a new month: the previous one's rows were not all kept
            _refresh_cumulative(floor, today, floor=floor, today=today)
            state.cumulative_from = floor
        state.refreshed_at = timezone.now()
        state.signature = _index_signature()
        state.first_day = min(filter(None, [state.first_day, first]))
        state.last_day = max(filter(None, [state.last_day, last]))
        state.save()
    return rows


def event_span() -> tuple[dt.date, dt.date] | None:
    """The first and last day on which any counted event happened (cheap: index ends)."""
    days = []
    for qs, field in [(Application.objects.exclude(submitted_at=None), "submitted_at"),
                      (Application.objects.exclude(delivered_at=None), "delivered_at")]:
        for order in (field, f"-{field}"):
            value = qs.order_by(order).values_list(field, flat=True).first()
            if value:
                days.append(timezone.localdate(value))
    for qs, field in [(Application.objects.exclude(accepted_on=None), "accepted_on"),
                      (SubCase.objects.all(), "started_on"), (SubCase.objects.exclude(decided_on=None), "decided_on"),
                      (Ticket.objects.all(), "day"), (Rating.objects.filter(is_valid=True), "rated_on")]:
        for order in (field, f"-{field}"):
            value = qs.order_by(order).values_list(field, flat=True).first()
            if value:
                days.append(value)
    return (min(days), max(days)) if days else None


def refresh_all(*, today: dt.date | None = None) -> int:
    """Every day with events (and the whole table's old rows outside them are removed)."""
    span = event_span()
    today = today or timezone.localdate()
    first, last = span if span else (today, today)
    last = max(last, today)
    with transaction.atomic():
        for model in (FigureRollup, FigureRollupCoarse):
            model.objects.exclude(day__gte=first.replace(day=1), day__lte=last).delete()
        FigureRefresh.objects.filter(pk=1).update(first_day=None, last_day=None)
        rows = refresh_rollups(first=first, last=last, today=today)
        FigureRefresh.objects.filter(pk=1).update(full_at=timezone.now())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_t(FigureRollup)}")
            cursor.execute(f"ANALYZE {_t(FigureRollupCoarse)}")
    return rows


def refresh_recent(*, today: dt.date | None = None) -> int:
    """The last RECENT_DAYS days; everything when the calendar changed since the last refresh."""
    from supervision.cards import services

    today = today or timezone.localdate()
    with transaction.atomic():
        services.ensure_workday_index(today=today)
    state = FigureRefresh.objects.filter(pk=1).first()
    if state is None or state.signature != _index_signature() or state.full_at is None:
        return refresh_all(today=today)
    return refresh_rollups(first=today - dt.timedelta(days=RECENT_DAYS - 1), last=today, today=today)


# --- a day's rollups refreshed when an event of that day arrives ------------------------------------

REFRESH_FIGURE_DAYS = "supervision.tasks.refresh_figure_days"  # supervision.figures.tasks
REFRESH_DEBOUNCE_SECONDS = 20  # the events of a day within this many seconds share one refresh


def _queue_day_refresh(day: dt.date) -> None:
    """After commit: refresh `day`'s rollups, once per REFRESH_DEBOUNCE_SECONDS. The first event
    of a burst claims the cache key and queues the task to run when the key expires, so the
    refresh reads every event of the burst (each was committed before its callback ran)."""
    from celery import current_app
    from django.core.cache import cache

    if cache.add(f"figures:refresh:{day.isoformat()}", 1, timeout=REFRESH_DEBOUNCE_SECONDS):
        current_app.send_task(REFRESH_FIGURE_DAYS, args=(day.isoformat(), day.isoformat()),
                              countdown=REFRESH_DEBOUNCE_SECONDS)


def record_day_refresh(day: dt.date) -> int:
    """In the caller's transaction: the intent to refresh `day`'s rollups (core.intents), done
    once by the task whatever the broker and the worker do meanwhile. The key is shared with the
    rating appeal's refresh (supervision.feedback.ratings), which names it without importing this."""
    from core import intents

    day = day.isoformat()
    return intents.record(REFRESH_FIGURE_DAYS, [day, day], key=f"supervision.figures:{day}",
                          countdown=REFRESH_DEBOUNCE_SECONDS)


def touch(day: dt.date) -> None:
    """An event dated `day` was written (an application received, accepted or delivered, a
    sub-case started or decided, a ticket called, a rating made or withdrawn by an appeal).

    A day before the beat's window (RECENT_DAYS): the refresh is an intent written in this
    transaction, so a committed change's refresh is never lost. A recent day: the refresh is
    queued on commit, once per transaction and day, and the beat's refresh of the last RECENT_DAYS
    days every FIGURES_REFRESH_SECONDS is what finishes it when the broker or the worker lost it
    (an intent there would put one hot row of the day in every write's transaction: every
    submission, acceptance and ticket of the day would wait on it)."""
    conn = transaction.get_connection()
    if any(getattr(callback, "figures_day", None) == day for _sids, callback, _robust in conn.run_on_commit):
        return

    old = day < timezone.localdate() - dt.timedelta(days=RECENT_DAYS - 1)
    if old:
        record_day_refresh(day)

    def refresh():  # an old day's intent wakes its own task
        if not old:
            _queue_day_refresh(day)

    refresh.figures_day = day  # marks the day as asked for in this transaction
    transaction.on_commit(refresh, robust=True)


def _touch_today(sender, instance, **kwargs):
    touch(timezone.localdate())


def _touch_rating(sender, instance, **kwargs):
    touch(instance.rated_on or timezone.localdate())


def connect_event_signals() -> None:
    """Called by SupervisionConfig.ready(): the models whose rows are the figures' events."""
    from django.db.models.signals import post_save

    for model in (Application, SubCase, Ticket):
        post_save.connect(_touch_today, sender=model, dispatch_uid=f"figures-touch-{model._meta.label}")
    post_save.connect(_touch_rating, sender=Rating, dispatch_uid="figures-touch-rating")


def refreshed_at():
    return FigureRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


# --- finishing figures from sums ----------------------------------------------------------------


def empty_sums() -> dict:
    return {**{c: 0 for c in SUMS}, "hist": [0] * (HISTOGRAM_DAYS + 1), "hover": 0}


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def p90(hist: list, hover: int):
    """Nearest-rank 90th percentile of the working days: the ⌈0.9·n⌉-th smallest value."""
    n = sum(hist) + hover
    if not n:
        return None
    rank = math.ceil(0.9 * n)
    seen = 0
    for days, count in enumerate(hist):
        seen += count
        if seen >= rank:
            return days
    return BEYOND


def finish(sums: dict, dims: str = "all") -> dict:
    """The figures of one row from its sums; None where the figure does not apply to the grouping
    or has no denominator."""
    concluded = sums["concluded"]
    values = {
        "received": sums["received"],
        "accepted": sums["accepted"],
        "deemed": sums["deemed"],
        "started": sums["started"],
        "online_rate": _rate(sums["started_online"], sums["started"]),
        "concluded": concluded,
        "on_time": sums["on_time"],
        "on_time_rate": _rate(sums["on_time"], concluded),
        "avg_days": round(sums["days_sum"] / concluded, 1) if concluded else None,
        "p90_days": p90(sums["hist"], sums["hover"]),
        "same_day": sums["hist"][0],
        "same_day_rate": _rate(sums["hist"][0], concluded),
        "delivered": sums["delivered"],
        "visits_avg": round(sums["visits"] / sums["delivered"], 2) if sums["delivered"] else None,
        "called": sums["called"],
        "no_show": sums["no_show"],
        "wait_avg": round(sums["wait_seconds"] / sums["called"] / 60, 1) if sums["called"] else None,
        **rating_values(sums),
    }
    values.update(_not_applicable(dims))
    return values


_NOT_APPLICABLE = {}


def _not_applicable(dims: str) -> dict:
    """{figure: None} for the values that do not apply to the grouping `dims` (made once per
    grouping: `finish` runs for every row of the dashboard, 1,000 matters a page)."""
    nulls = _NOT_APPLICABLE.get(dims)
    if nulls is None:
        nulls = {figure.key: None for figure in FIGURES if dims not in figure.dims}
        if dims not in DESK:
            nulls["delivered"] = None
        if dims not in EVENT_DIMS["received"]:
            nulls["received"] = None
        if dims not in RATED:
            nulls.update({level: None for level in LEVELS}, satisfied=None)
        _NOT_APPLICABLE[dims] = nulls
    return nulls


def rating_values(sums: dict) -> dict:
    """Ratings per level, their number, 满意率 (the national 好差评 measure: the share of 满意 and
    非常满意, one decimal) and 差评 (不满意 and 非常不满意)."""
    rated = sum(sums[level] for level in LEVELS)
    satisfied = sums["r4"] + sums["r5"]
    return {**{level: sums[level] for level in LEVELS}, "rated": rated, "satisfied": satisfied,
            "satisfied_rate": _rate(satisfied, rated), "bad_ratings": sums["r1"] + sums["r2"]}


# --- reading the rollups ------------------------------------------------------------------------


def _spans(first: dt.date, last: dt.date, *, cumulative_from: dt.date | None = None):
    """The rollup rows covering first..last exactly: (grain, low, high) triples. Whole months:
    from a year-to-date row when they start in January, else from monthly rows; the last,
    partial month from its month-to-date row on `last` when that month still has them (from
    `cumulative_from` on); anything else (a partial first month) from daily rows."""
    spans = []
    m1 = first if first.day == 1 else _month_end(first) + dt.timedelta(days=1)
    if m1 > last:  # within one month, not from its 1st
        return [("d", first, last)]
    if first < m1:
        spans.append(("d", first, m1 - dt.timedelta(days=1)))
    tail = last.replace(day=1)
    full_end = last if last == _month_end(last) else tail - dt.timedelta(days=1)
    month = m1
    while month <= full_end:  # whole months, year by year
        year_end = min(full_end, dt.date(month.year, 12, 31))
        if month.month == 1:
            spans.append(("y", year_end.replace(day=1), year_end.replace(day=1)))
        else:
            spans.append(("m", month, year_end))
        month = year_end + dt.timedelta(days=1)
    if full_end < last:
        spans.append(("c", last, last) if cumulative_from and tail >= cumulative_from else ("d", tail, last))
    return spans


def _rollup_sums(dim: str, period: Period, *, channel: str = "", department: int | None = None,
                 by_day: bool = False) -> dict:
    """{key (or day): sums} for one dimension over the period, from the rollup rows."""
    if by_day:
        return _read_rollups(("all",), period, channel=channel, by_day=True)["all"]
    return _read_rollups((dim,), period, channel=channel, department=department)[dim]


LABELLED = {"department": Department, "matter": Matter, "hall": Hall}  # dimensions whose label the read joins


def _read_rollups(dims, period: Period, *, channel: str = "", department: int | None = None, by_day: bool = False,
                  cumulative_from: dt.date | None | bool = False, labels: dict | None = None,
                  only: tuple[str, ...] | None = None, keys: dict | None = None) -> dict:
    """{dim: {key (or day): sums}} for several dimensions over the period in ONE query over the
    rollup rows (the dashboard reads the total, its grouping and the departments together).
    `cumulative_from`: FigureRefresh's, when the caller has read it (False: read it here).
    `labels`: a dict filled with {dim: {key: name}} for the dimensions in LABELLED, joined in the
    same query (the page needs them for every row). The daily spans are read from FigureRollup,
    the coarse ones (month, year to month, month to date) from FigureRollupCoarse. `only`: these
    sums alone (the trend's three of 65), no histogram. `keys`: {dim: [key, ...]} reads only
    these keys of that dimension."""
    if by_day:
        spans = [("d", period.first, period.last)]
    else:
        if cumulative_from is False:
            cumulative_from = FigureRefresh.objects.filter(pk=1).values_list("cumulative_from", flat=True).first()
        spans = _spans(period.first, period.last, cumulative_from=cumulative_from)
    dims = tuple(dims)
    sources, params = [], []
    for table, grains in ((_t(FigureRollup), ("d",)), (_t(FigureRollupCoarse), ("m", "y", "c"))):
        mine = [span for span in spans if span[0] in grains]
        if not mine:
            continue
        # One disjunct per span and dimension group (the dimensions read whole, then each one
        # read for chosen keys only), so that each is a range of the read index: the coarse
        # index ends in `key`, and 100 chosen matters of 1,000 are read without the other 900
        # (filtering them after the index read cost 3,100 rows read for 282 kept).
        groups = []
        whole = [dim for dim in dims if dim not in (keys or {})]
        if whole:
            groups.append((f"r.dim IN ({', '.join(['%s'] * len(whole))})", whole))
        for dim, chosen in (keys or {}).items():
            if dim in dims and chosen:
                groups.append((f"r.dim = %s AND r.key IN ({', '.join(['%s'] * len(chosen))})", [dim, *chosen]))
        where, parts = "r.channel = %s AND (", []
        params.append(channel or BOTH)
        for grain, low, high in mine:
            # one day as an equality: after a range PostgreSQL cannot descend the index by key
            days, bounds = ("r.day = %s", [_d(low)]) if low == high else ("r.day >= %s AND r.day <= %s",
                                                                         [_d(low), _d(high)])
            for condition, values in groups:
                parts.append(f"(r.grain = %s AND {days} AND {condition})")
                params += [grain, *bounds, *values]
        where += (" OR ".join(parts) or "1 = 0") + ")"
        if department and "matter" in dims:
            where += f" AND (r.dim <> 'matter' OR r.key IN (SELECT id FROM {_t(Matter)} WHERE department_id = %s))"
            params.append(department)
        sources.append((table, where))
    if len(sources) == 1:
        source, where = f"{sources[0][0]} r", sources[0][1]
    else:  # both tables: the rows of each, then summed together
        read = ", ".join(["dim", "key", "day", *SUMS, *HIST, "hover"])
        source = "(" + " UNION ALL ".join(f"SELECT {read} FROM {table} r WHERE {where}" for table, where in sources)
        source, where = source + ") r", "1 = 1"
    group = "r.day" if by_day else "r.key"
    # SUM of a bigint column is numeric on PostgreSQL (a Decimal in Python): cast back
    summed = SUMS if only is None else only
    columns = [f"CAST(SUM(r.{c}) AS BIGINT)" if c in BIGINT_SUMS else f"SUM(r.{c})" for c in summed]
    if only is None:
        columns += [f"SUM(r.{h})" for h in HIST] + ["SUM(r.hover)"]
    joined = [d for d in dims if d in LABELLED] if labels is not None and not by_day else []
    joins = "".join(f" LEFT JOIN {_t(LABELLED[d])} l_{d} ON r.dim = '{d}' AND l_{d}.id = r.key" for d in joined)
    label = (f"COALESCE({', '.join(f'l_{d}.name' for d in joined)}, '')" if len(joined) > 1
             else f"l_{joined[0]}.name" if joined else "''")
    sql = (f"SELECT r.dim, {group}, {label}, {', '.join(columns)} FROM {source}{joins} WHERE {where} "
           f"GROUP BY r.dim, {group}{''.join(f', l_{d}.name' for d in joined)}")
    result = {dim: {} for dim in dims}
    n_sums, n_hist = len(summed), HISTOGRAM_DAYS + 1
    # the router's choice (core.db_router: the read replica for the dashboard's requests)
    with connections[router.db_for_read(FigureRollup)].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        dim, group_value, name = row[0], row[1], row[2]
        sums = dict(zip(summed, row[3:3 + n_sums], strict=True))
        if only is None:
            sums["hist"] = list(row[3 + n_sums:3 + n_sums + n_hist])
            sums["hover"] = row[-1]
        if by_day and isinstance(group_value, str):
            group_value = dt.date.fromisoformat(group_value)
        result[dim][group_value] = sums
        if joined and name:
            labels.setdefault(dim, {})[group_value] = name
    return result


BIGINT_SUMS = ("days_sum", "wait_seconds")


# --- the same sums straight from the case tables --------------------------------------------------


def _seat_window(clerk_ref: str, day_ref: str):
    return Subquery(
        Seat.objects.filter(clerk_id=OuterRef(clerk_ref), starts_on__lte=OuterRef(day_ref))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef(day_ref)))
        .order_by("-starts_on", "-pk").values("window_id")[:1]
    )


def _workday(ref: str):
    return Subquery(WorkdayIndex.objects.filter(day=OuterRef(ref)).values("ordinal")[:1])


def _app_dim(qs, dim: str, *, received=False):
    """(queryset, field) giving the dimension value of an application event."""
    if dim == "all":
        return qs.annotate(dimkey=Value(0, output_field=IntegerField())), "dimkey"
    if dim == "hall":
        return qs, "received_hall_id" if received else "accepted_hall_id"
    if dim == "clerk":
        return qs, "accepted_by_id"
    if dim == "window":
        return qs.annotate(dimkey=_seat_window("accepted_by_id", "accepted_on")), "dimkey"
    raise ValueError(dim)


def _sub_dim(qs, dim: str):
    if dim == "all":
        return qs.annotate(dimkey=Value(0, output_field=IntegerField())), "dimkey"
    if dim in ("department", "matter"):
        return qs, f"{dim}_id"
    if dim == "hall":
        return qs, "application__accepted_hall_id"
    if dim == "clerk":
        return qs, "application__accepted_by_id"
    if dim == "window":
        return qs.annotate(dimkey=_seat_window("application__accepted_by_id", "application__accepted_on")), "dimkey"
    raise ValueError(dim)


def _events(kind: str, period: Period, *, channel="", department=None):
    """The cases counted by one event kind in the period (before grouping), as a queryset."""
    start, end = _day_bounds(period.first, period.last)
    if kind in ("received", "accepted", "delivered"):
        qs = {
            "received": Application.objects.filter(submitted_at__gte=start, submitted_at__lt=end),
            "accepted": Application.objects.filter(accepted_on__gte=period.first, accepted_on__lte=period.last),
            "delivered": Application.objects.filter(delivered_at__gte=start, delivered_at__lt=end),
        }[kind]
        return qs.filter(channel=channel) if channel else qs
    if kind == "started":
        qs = SubCase.objects.filter(started_on__gte=period.first, started_on__lte=period.last)
    else:
        qs = SubCase.objects.filter(state__in=SubCase.DECIDED_STATES, decided_on__gte=period.first,
                                    decided_on__lte=period.last)
    if channel:
        qs = qs.filter(application__channel=channel)
    if department:
        qs = qs.filter(matter__department_id=department)
    return qs


def _visits():
    supplemented = (CaseLog.objects.filter(application_id=OuterRef("pk"), action="workflow.application.supplemented",
                                           actor_id__isnull=False).exclude(actor_id=OuterRef("applicant_id"))
                    .order_by().values("application_id").annotate(n=Count("pk")).values("n")[:1])
    return (Case(When(channel="window", then=1), default=0)
            + Case(When(delivered_by__isnull=False, then=1), default=0)
            + Coalesce(Subquery(supplemented, output_field=IntegerField()), 0))


def raw_sums(dim: str, period: Period, *, channel: str = "", department: int | None = None,
             by_day: bool = False) -> dict:
    """The same {key (or day): sums} as `_rollup_sums`, straight from the case tables."""
    result: dict = {}

    def bucket(key):
        return result.setdefault(0 if key is None else key, empty_sums())

    sub_department = department if dim == "matter" else None
    if by_day or dim in EVENT_DIMS["received"]:
        qs = _events("received", period, channel=channel)
        if by_day:
            qs, field = qs.annotate(dimkey=TruncDate("submitted_at", tzinfo=ZoneInfo(settings.TIME_ZONE))), "dimkey"
        else:
            qs, field = _app_dim(qs, dim, received=True)
        for row in qs.order_by().values(field).annotate(n=Count("pk")):
            bucket(row[field])["received"] += row["n"]
    if by_day or dim in DESK:
        qs = _events("accepted", period, channel=channel)
        qs, field = (qs.annotate(dimkey=F("accepted_on")), "dimkey") if by_day else _app_dim(qs, dim)
        for row in qs.order_by().values(field).annotate(n=Count("pk"), deemed=Count("pk", filter=Q(deemed_accepted=True))):
            bucket(row[field])["accepted"] += row["n"]
            bucket(row[field])["deemed"] += row["deemed"]
        qs = _events("delivered", period, channel=channel)
        if by_day:
            qs, field = qs.annotate(dimkey=TruncDate("delivered_at", tzinfo=ZoneInfo(settings.TIME_ZONE))), "dimkey"
        else:
            qs, field = _app_dim(qs, dim)
        for row in qs.order_by().annotate(v=_visits()).values(field).annotate(n=Count("pk"), visits=Sum("v")):
            bucket(row[field])["delivered"] += row["n"]
            bucket(row[field])["visits"] += row["visits"] or 0
    qs = _events("started", period, channel=channel, department=sub_department)
    qs, field = (qs.annotate(dimkey=F("started_on")), "dimkey") if by_day else _sub_dim(qs, dim)
    for row in qs.order_by().values(field).annotate(
            n=Count("pk"), online=Count("pk", filter=Q(application__channel="online"))):
        bucket(row[field])["started"] += row["n"]
        bucket(row[field])["started_online"] += row["online"]
    qs = _events("decided", period, channel=channel, department=sub_department)
    qs, field = (qs.annotate(dimkey=F("decided_on")), "dimkey") if by_day else _sub_dim(qs, dim)
    qs = qs.annotate(wd=Greatest(Value(0), _workday("decided_on") - _workday("started_on") - F("paused_days")))
    for row in qs.order_by().values(field, "wd").annotate(
            n=Count("pk"), on_time=Count("pk", filter=Q(decided_on__lte=F("deadline")))):
        sums = bucket(row[field])
        sums["concluded"] += row["n"]
        sums["on_time"] += row["on_time"]
        sums["days_sum"] += row["wd"] * row["n"]
        if row["wd"] > HISTOGRAM_DAYS:
            sums["hover"] += row["n"]
        else:
            sums["hist"][row["wd"]] += row["n"]
    if by_day or dim in EVENT_DIMS["called"]:
        qs = _tickets(period, channel=channel)
        field = "day" if by_day else TICKET_DIMS[dim]
        for key, state, issued, called in qs.order_by().values_list(field, "state", "issued_at", "called_at") \
                if field else ((0, *r) for r in qs.order_by().values_list("state", "issued_at", "called_at")):
            sums = bucket(key)
            sums["called"] += 1
            sums["no_show"] += state == Ticket.State.NO_SHOW
            sums["wait_seconds"] += wait_of(issued, called)
    if by_day or dim in EVENT_DIMS["rated"]:
        qs = _ratings(period, channel=channel)
        field = "rated_on" if by_day else RATING_DIMS[dim]
        values = [field, "level"] if field else ["level"]
        for row in qs.order_by().values(*values).annotate(n=Count("pk")):
            bucket(row[field] if field else 0)[f"r{row['level']}"] += row["n"]
    return result


TICKET_DIMS = {"all": None, "hall": "hall_id", "window": "window_id", "clerk": "called_by_id"}
RATING_DIMS = {"all": None, "department": "department_id", "hall": "hall_id", "clerk": "clerk_id"}


def _tickets(period: Period, *, channel=""):
    """Queue tickets called (served or no-show) whose day is in the period; all at a hall, so
    none on the online channel."""
    qs = Ticket.objects.filter(state__in=CALLED_STATES, called_at__isnull=False, day__gte=period.first,
                               day__lte=period.last)
    return qs.none() if channel == "online" else qs


def _ratings(period: Period, *, channel=""):
    """Valid ratings made in the period; channel online = ratings of decisions (made on the
    applicant's page; and the old whole-case ratings), window = ratings of window visits."""
    qs = Rating.objects.filter(is_valid=True, rated_on__gte=period.first, rated_on__lte=period.last)
    if channel == "online":
        qs = qs.filter(occasion__in=RATED_ONLINE)
    elif channel == "window":
        qs = qs.exclude(occasion__in=RATED_ONLINE)
    return qs


# --- the dashboard ------------------------------------------------------------------------------


def _labels(dim: str, keys) -> dict:
    keys = [k for k in keys if k]
    if dim in ("department", "matter", "hall"):
        model = {"department": Department, "matter": Matter, "hall": Hall}[dim]
        return dict(model.objects.filter(pk__in=keys).order_by().values_list("pk", "name"))
    if dim == "window":
        return {pk: f"{hall} {number}号 {name}" for pk, hall, number, name in
                Window.objects.filter(pk__in=keys).order_by().values_list("pk", "hall__name", "number", "name")}
    if dim == "clerk":
        return {pk: real_name or username for pk, real_name, username in
                User.objects.filter(pk__in=keys).order_by().values_list("pk", "real_name", "username")}
    return {}


NONE_LABELS = {"hall": _("网上申办 / 未指定大厅"), "clerk": _("视为受理 / 无受理人"), "window": _("未排班窗口"),
               "department": _("政务服务中心(窗口)"), "matter": _("未指定事项")}


def rank_departments(rows: list[dict]) -> list[dict]:
    """Departments with sub-cases concluded in the period, best first: higher on-time rate, then
    fewer average working days, then more concluded, then name. Those with none are left out."""
    ranked = sorted((r for r in rows if r["concluded"]),
                    key=lambda r: (-r["on_time_rate"], r["avg_days"], -r["concluded"], r["label"]))
    return [{"rank": i, "key": r["key"], "label": r["label"], "on_time_rate": r["on_time_rate"],
             "avg_days": r["avg_days"], "concluded": r["concluded"]} for i, r in enumerate(ranked, 1)]


TREND = ("received", "concluded", "on_time")  # the trend chart's sums by day
ROW_ORDER = ("concluded", "started", "accepted")  # the grouping's rows: most concluded first, then these, then name


def _ordered(dim, sums_by_key, labels: dict) -> list[tuple]:
    """(key, sums) of the grouping, most concluded first (ROW_ORDER, then the name): what the
    order needs is ROW_ORDER's sums and the labels alone."""
    none_label = str(NONE_LABELS.get(dim, "—"))
    nulls = _not_applicable(dim)  # what `finish` would make None sorts as 0, as before

    def order(item):
        key, sums = item
        return (*(-(0 if figure in nulls else sums[figure] or 0) for figure in ROW_ORDER),
                labels.get(key) or none_label)

    return sorted(sums_by_key.items(), key=order)


def _rows(dim, sums_by_key, labels=None, *, limit: int | None = None):
    """The grouping's rows, most concluded first; `limit`: only the first rows are finished (the
    page shows 100 of 1,000 matters; the order needs the sums alone, so the other 900 rows'
    figures are never computed)."""
    labels = _labels(dim, sums_by_key) if labels is None else labels
    none_label = str(NONE_LABELS.get(dim, "—"))
    chosen = _ordered(dim, sums_by_key, labels)
    if limit is not None:
        chosen = chosen[:limit]
    return [{"key": key, "label": labels.get(key) or none_label, **finish(sums, dim)} for key, sums in chosen]


def open_cards_by_department(*, scope=None) -> dict:
    """Live: {"total": {"red", "yellow", "contested"}, "departments": {department id (0: windows):
    {"red", "yellow"}}}; "contested": cards, open or closed, whose contest waits for a ruling
    (what `cards.selectors.card_counts` counts; read here in the same query, both from partial
    indexes, instead of a count over every card ever opened)."""
    result = {"total": {"red": 0, "yellow": 0, "contested": 0}, "departments": {}}
    is_open = Q(closed_at__isnull=True)
    contested = Q(review=Card.Review.CONTESTED)
    cards = Card.objects.filter(is_open | contested)
    if scope is not None:
        cards = cards.filter(scope.card_q())
    for row in (cards.order_by().values("department_id", "level")
                .annotate(n=Count("pk", filter=is_open), contested=Count("pk", filter=contested))):
        result["total"]["contested"] += row["contested"]
        if not row["n"]:
            continue
        dept = result["departments"].setdefault(row["department_id"] or 0, {"red": 0, "yellow": 0})
        dept[row["level"]] += row["n"]
        result["total"][row["level"]] += row["n"]
    return result


def open_complaints_by_department(*, today: dt.date, scope=None) -> dict:
    """Live, like the cards: {"total": {"open", "overdue"}, "departments": {department id (0: the
    centre, routing or escalated): {...}}} from `feedback.complaint_counts_by_department`."""
    from supervision.feedback.selectors import complaint_counts_by_department

    result = {"total": {"open": 0, "overdue": 0}, "departments": {}, "names": {}}
    departments = None if scope is None else scope.department_ids
    for row in complaint_counts_by_department(today=today, departments=departments):
        result["departments"][row["department_id"] or 0] = {"open": row["open"], "overdue": row["overdue"]}
        result["names"][row["department_id"] or 0] = row["name"]
        result["total"]["open"] += row["open"]
        result["total"]["overdue"] += row["overdue"]
    return result


# A district's total (issue 15): its departments' rows give the sub-case figures and the ratings
# of decisions, its halls' rows the application, queue and window-rating figures (an application
# spans departments; online applications have no hall, so a district's 收件/受理/出件 are those at
# its halls). Ratings are either a department's or a hall's, never both: the two add up.
HALL_SUMS = ("received", "accepted", "deemed", "delivered", "visits", "called", "no_show", "wait_seconds")
DEPARTMENT_SUMS = ("started", "started_online", "concluded", "on_time", "days_sum")


def _add_sums(into: dict, sums: dict, names) -> None:
    for name in names:
        into[name] += sums[name]


def district_total(dept_sums: dict, hall_sums: dict, *, only: tuple | None = None) -> dict:
    """A district's sums from its departments' and halls' rows (already limited to the district)."""
    total = empty_sums() if only is None else dict.fromkeys(only, 0)
    for sums in dept_sums.values():
        _add_sums(total, sums, [n for n in (*DEPARTMENT_SUMS, *LEVELS) if n in total])
        if only is None:
            total["hist"] = [a + b for a, b in zip(total["hist"], sums["hist"], strict=True)]
            total["hover"] += sums["hover"]
    for sums in hall_sums.values():
        _add_sums(total, sums, [n for n in (*HALL_SUMS, *LEVELS) if n in total])
    return total


def _district_trend(period: Period, *, channel: str, scope) -> dict:
    """{day: the TREND sums} of a district: 收件 from its halls, 办结 from its departments."""
    read = _read_rollups(("department", "hall"), period, channel=channel, by_day=True, only=TREND,
                         keys={"department": sorted(scope.department_ids), "hall": sorted(scope.hall_ids)})
    days = set(read["department"]) | set(read["hall"])
    return {day: district_total({0: read["department"].get(day, dict.fromkeys(TREND, 0))},
                                {0: read["hall"].get(day, dict.fromkeys(TREND, 0))}, only=TREND)
            for day in days}


def dashboard_figures(*, period: Period, group_by: str = "department", channel: str = "",
                      department: int | None = None, raw: bool = False, state: dict | None = None,
                      rows_limit: int | None = None, scope=None) -> dict:
    """Everything the dashboard shows for a period: the total, the rows of the grouping, the
    departments' ranking, the trend by day and the open cards. `raw=True` computes the same
    from the case tables instead of the rollups. `state`: a dict filled with `refreshed_at` (when
    the rollups were refreshed, read with what the reading needs; not a figure, so not in the
    result that tests and the bench compare with the raw computation). `rows_limit`: only the
    first rows of the grouping (the page's table); `rows_total` says how many there are. The
    ranking and the departments' rows are always whole. `scope`: a district supervisor's
    (`supervision.scope.districts.DistrictScope`): every row, the total, the trend, the cards and the
    complaints limited to the district's departments, halls, windows, clerks and matters (the
    rollups filtered by those keys; see `district_total`); None: the whole city."""
    group_by = group_by if group_by in DIMENSIONS else "department"
    if raw and scope is not None:
        raise ValueError("the raw computation is city-wide only")
    channel = channel if channel in ("online", "window") else ""
    cumulative_from, refreshed = FigureRefresh.objects.filter(pk=1).values_list(
        "cumulative_from", "refreshed_at").first() or (None, None)
    if state is not None:
        state["refreshed_at"] = refreshed
    rows_total = None
    if raw:
        total = raw_sums("all", period, channel=channel).get(0, empty_sums())
        grouped, grouped_labels = raw_sums(group_by, period, channel=channel, department=department), None
        dept_sums, dept_labels = (grouped if group_by == "department"
                                  else raw_sums("department", period, channel=channel)), None
        trend_sums = raw_sums("all", period, channel=channel, by_day=True)
    else:
        # one query for the total, the grouping and the departments, one for the trend
        labels, keys, rows_total = {}, None, None
        scoped = {} if scope is None else {dim: sorted(scope.keys(dim)) for dim in {group_by, "department", "hall"}}
        if rows_limit is not None and group_by != "department":
            # Only the first rows of a large grouping are shown (100 of 1,000 matters): which
            # ones needs ROW_ORDER's three sums of every key, not all 110 (the histogram
            # included); the full sums are then read for the chosen keys alone.
            light = _read_rollups((group_by,), period, channel=channel, department=department, labels=labels,
                                  cumulative_from=cumulative_from, only=ROW_ORDER,
                                  keys={group_by: scoped[group_by]} if scope is not None else None)[group_by]
            light_labels = labels.get(group_by, {}) if group_by in LABELLED else _labels(group_by, light)
            rows_total = len(light)
            keys = [key for key, _sums in _ordered(group_by, light, light_labels)[:rows_limit]]
            labels = {group_by: light_labels}
        chosen = {**scoped, **({} if keys is None else {group_by: keys})}
        dims = ("all", group_by, "department") if scope is None else (group_by, "department", "hall")
        read = _read_rollups(dict.fromkeys(dims), period, channel=channel,
                             department=department, labels=labels, cumulative_from=cumulative_from,
                             keys=chosen or None)
        total = (read["all"].get(0, empty_sums()) if scope is None
                 else district_total(read["department"], read["hall"]))
        grouped = read[group_by]
        grouped_labels = labels.get(group_by, {}) if group_by in LABELLED or keys is not None else None
        dept_sums, dept_labels = read["department"], labels.get("department", {})
        trend_sums = (_read_rollups(("all",), period, channel=channel, by_day=True, only=TREND)["all"]
                      if scope is None else _district_trend(period, channel=channel, scope=scope))
    dept_rows = _rows("department", dept_sums, dept_labels)
    rows = (dept_rows[:rows_limit] if group_by == "department"
            else _rows(group_by, grouped, grouped_labels, limit=rows_limit))
    cards = open_cards_by_department(scope=scope)
    complaints = open_complaints_by_department(today=timezone.localdate(), scope=scope)
    for row in dept_rows:
        row["cards"] = cards["departments"].get(row["key"], {"red": 0, "yellow": 0})
        row["complaints"] = complaints["departments"].get(row["key"], {"open": 0, "overdue": 0})
    trend = []
    day, none = period.first, dict.fromkeys(TREND, 0)
    while day <= period.last:
        sums = trend_sums.get(day, none)
        trend.append({"day": day.isoformat(), **{figure: sums[figure] for figure in TREND}})
        day += dt.timedelta(days=1)
    return {
        "period": {"first": period.first.isoformat(), "last": period.last.isoformat(), "preset": period.preset},
        "group_by": group_by,
        "channel": channel,
        "department": department,
        "total": finish(total, "all"),
        "rows": rows,
        "rows_total": len(grouped) if raw or rows_total is None else rows_total,
        "ranking": rank_departments(dept_rows),
        "departments": dept_rows if group_by != "department" else None,
        "trend": trend,
        "cards": cards["total"],
        "complaints": complaints["total"],
        "complaints_by_department": [
            {"key": key, "label": (key and complaints["names"][key]) or str(_("政务服务中心")), **counts}
            for key, counts in complaints["departments"].items()],
    }


# --- the departments' figures for the evaluation (page, PDF, XLSX) ------------------------------

DEPARTMENT_KEYS = ("started", "concluded", "on_time", "on_time_rate", "avg_days", "days_sum", "red_cards",
                   "yellow_cards", "deemed_started", "extensions", "supplements")
DEPARTMENT_COUNTS = ("started", "concluded", "on_time", "days_sum", "red_cards", "yellow_cards", "deemed_started",
                     "extensions", "supplements")


def _count_by(qs, key: str, **aggregates) -> dict:
    return {row.pop(key): row for row in qs.values(key).annotate(**aggregates).order_by()}


def _department_counts(period: Period, department_ids) -> dict:
    """{department id: {red_cards, yellow_cards, deemed_started, extensions, supplements}} (see
    the module's docstring), one GROUP BY each."""
    low, high = _day_bounds(period.first, period.last)

    def only(field):
        return Q(**{f"{field}__in": department_ids}) if department_ids is not None else Q()

    cards = _count_by(
        Card.objects.filter(only("department_id"), department_id__isnull=False, opened_at__gte=low,
                            opened_at__lt=high).exclude(review=Card.Review.VOIDED),
        "department_id", red=Count("pk", filter=Q(level=Card.Level.RED)),
        yellow=Count("pk", filter=Q(level=Card.Level.YELLOW)))
    deemed = _count_by(
        SubCase.objects.filter(only("department_id"), started_on__gte=period.first, started_on__lte=period.last,
                               application__deemed_accepted=True), "department_id", n=Count("pk"))
    extensions = _count_by(
        SubCaseExtension.objects.filter(only("subcase__department_id"), status=SubCaseExtension.Status.APPROVED,
                                        decided_at__gte=low, decided_at__lt=high),
        "subcase__department_id", n=Count("pk"))
    notices = _count_by(
        SupplementRequest.objects.filter(only("application__matters__department_id"), requested_at__gte=low,
                                         requested_at__lt=high),
        "application__matters__department_id", n=Count("pk", distinct=True))
    pauses = _count_by(
        SubCasePause.objects.filter(only("subcase__department_id"), kind=SubCasePause.Kind.SUPPLEMENT,
                                    started_on__gte=period.first, started_on__lte=period.last),
        "subcase__department_id", n=Count("pk"))
    keys = set(cards) | set(deemed) | set(extensions) | set(notices) | set(pauses)
    return {pk: {"red_cards": cards.get(pk, {}).get("red", 0), "yellow_cards": cards.get(pk, {}).get("yellow", 0),
                 "deemed_started": deemed.get(pk, {}).get("n", 0), "extensions": extensions.get(pk, {}).get("n", 0),
                 "supplements": notices.get(pk, {}).get("n", 0) + pauses.get(pk, {}).get("n", 0)}
            for pk in keys}


def department_values(counts: dict) -> dict:
    """The rates of a department row (or of their total) from its counts, as `finish` makes them."""
    concluded = counts["concluded"]
    return {**counts, "on_time_rate": _rate(counts["on_time"], concluded),
            "avg_days": round(counts["days_sum"] / concluded, 1) if concluded else None}


def department_rows(period: Period, department_ids=None) -> list[dict]:
    """Every department (by code; or those of `department_ids`) with its figures for the period:
    the dashboard's department figures read from the same rollups (受理子件, 办结, 按时办结率,
    平均用时) and the evaluation's counts. One dict each: ``department_id``, ``department``,
    ``code`` and DEPARTMENT_KEYS."""
    departments = Department.objects.order_by("code")
    if department_ids is not None:
        department_ids = [int(d) for d in department_ids]
        departments = departments.filter(pk__in=department_ids)
    sums = _rollup_sums("department", period)
    counts = _department_counts(period, department_ids)
    rows = []
    for department in departments:
        s = sums.get(department.pk, empty_sums())
        row = {"department_id": department.pk, "department": department.name, "code": department.code,
               "started": s["started"], "concluded": s["concluded"], "on_time": s["on_time"],
               "days_sum": s["days_sum"],
               **counts.get(department.pk, {"red_cards": 0, "yellow_cards": 0, "deemed_started": 0,
                                            "extensions": 0, "supplements": 0})}
        rows.append(department_values(row))
    return rows


# --- the cases behind a number ------------------------------------------------------------------


def cases_behind(*, count: str, period: Period, dim: str = "all", key: int = 0, channel: str = "",
                 department: int | None = None):
    """(model, queryset, date field) of exactly the cases a count was made of, ordered newest
    first by its date then id, for keyset paging. `count` is one of DRILL_KINDS."""
    if count not in DRILL_KINDS:
        raise ValueError(count)
    if count in TICKET_COUNTS or count in RATING_COUNTS:
        tickets = count in TICKET_COUNTS
        qs = _tickets(period, channel=channel) if tickets else _ratings(period, channel=channel)
        field = (TICKET_DIMS if tickets else RATING_DIMS).get(dim, "-")
        if field == "-":  # not counted by this dimension
            qs = qs.none()
        elif field:
            qs = qs.filter(**{f"{field}__isnull": True} if not key else {field: key})
        if count == "no_show":
            qs = qs.filter(state=Ticket.State.NO_SHOW)
        elif count == "satisfied":
            qs = qs.filter(level__gte=4)
        elif count == "bad_ratings":
            qs = qs.filter(level__in=BAD_LEVELS)
        if tickets:
            return Ticket, qs.select_related("hall", "window", "called_by").order_by("-called_at", "-pk"), "called_at"
        return (Rating, qs.select_related("application", "hall", "clerk", "department").order_by("-rated_on", "-pk"),
                "rated_on")
    kind = {"deemed": "accepted", "started_online": "started", "on_time": "decided", "same_day": "decided",
            "concluded": "decided"}.get(count, count)
    qs = _events(kind, period, channel=channel, department=department if dim == "matter" else None)
    if kind in ("received", "accepted", "delivered"):
        model, date_field = Application, {"received": "submitted_at", "accepted": "accepted_on",
                                          "delivered": "delivered_at"}[kind]
        if dim != "all":
            qs, field = _app_dim(qs, dim, received=kind == "received")
            qs = qs.filter(**{f"{field}__isnull": True} if not key else {field: key})
        if count == "deemed":
            qs = qs.filter(deemed_accepted=True)
    else:
        model, date_field = SubCase, "started_on" if kind == "started" else "decided_on"
        if dim != "all":
            qs, field = _sub_dim(qs, dim)
            qs = qs.filter(**{f"{field}__isnull": True} if not key else {field: key})
        if count == "started_online":
            qs = qs.filter(application__channel="online")
        elif count == "on_time":
            qs = qs.filter(decided_on__lte=F("deadline"))
        elif count == "same_day":
            qs = qs.annotate(wd=Greatest(Value(0), _workday("decided_on") - _workday("started_on")
                                         - F("paused_days"))).filter(wd=0)
        qs = qs.select_related("application", "matter", "department")
    return model, qs.order_by(f"-{date_field}", "-pk"), date_field


DRILL_LABELS = {
    "received": _("收件办件"), "accepted": _("受理办件"), "deemed": _("视为受理办件"), "delivered": _("出件办件"),
    "started": _("受理子件"), "started_online": _("网上申办的受理子件"), "concluded": _("办结子件"),
    "on_time": _("按时办结子件"), "same_day": _("即办(0个工作日)办结子件"),
    "called": _("被叫号的排队号"), "no_show": _("过号未到的排队号"), "rated": _("有效评价"),
    "satisfied": _("满意和非常满意的评价"), "bad_ratings": _("差评(不满意、非常不满意)"),
}


def dimension_label(dim: str, key: int) -> str:
    return _labels(dim, [key]).get(key) or str(NONE_LABELS.get(dim, "—"))
