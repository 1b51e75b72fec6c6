"""The dashboard's figures from the rollups are exactly the figures computed from the case
tables, for every grouping, channel and period (across the National Day holiday, whole months
and parts of months), and the cases behind each number are exactly the ones it counts."""

import datetime as dt
import math
import random

import pytest

from core.models import Intent
from supervision.figures import services as figures
from supervision.figures.services import Period
from supervision.models import FigureRollup, FigureRollupCoarse
from workflow.models import SubCase

from .figures_data import make_district

PERIODS = [
    Period(dt.date(2026, 1, 1), dt.date(2026, 11, 2)),     # 本年 on TODAY: year-to-date + month-to-date rows
    Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31)),    # two whole months (monthly rows)
    Period(dt.date(2026, 9, 28), dt.date(2026, 10, 12)),   # across 国庆 and its make-up days
    Period(dt.date(2026, 9, 15), dt.date(2026, 11, 3)),    # a part, a whole month, a part
    Period(dt.date(2026, 10, 1), dt.date(2026, 10, 1)),    # one holiday
    Period(dt.date(2026, 10, 9), dt.date(2026, 10, 9)),    # one working day
]


TODAY = dt.date(2026, 11, 2)  # month-to-date rows are kept for October and November


@pytest.fixture(scope="module")
def _district(module_db):
    """Built and rolled up once per module and worker (tests/conftest.py `module_db`): the tests
    that add a decision, edit the calendar or refresh do so in their own savepoints."""
    data = make_district()
    figures.refresh_all(today=TODAY)
    return data


@pytest.fixture
def district(_district, db):
    return _district


def test_spans_cover_the_period_exactly():
    october = dt.date(2026, 10, 1)
    assert figures._spans(dt.date(2026, 9, 1), dt.date(2026, 10, 31)) == [("m", dt.date(2026, 9, 1), dt.date(2026, 10, 31))]
    assert figures._spans(dt.date(2025, 11, 1), dt.date(2026, 10, 31)) == [
        ("m", dt.date(2025, 11, 1), dt.date(2025, 12, 31)), ("y", october, october)]
    assert figures._spans(dt.date(2026, 9, 28), dt.date(2026, 10, 12), cumulative_from=october) == [
        ("d", dt.date(2026, 9, 28), dt.date(2026, 9, 30)), ("c", dt.date(2026, 10, 12), dt.date(2026, 10, 12))]
    assert figures._spans(dt.date(2026, 9, 28), dt.date(2026, 10, 12), cumulative_from=dt.date(2026, 11, 1)) == [
        ("d", dt.date(2026, 9, 28), dt.date(2026, 9, 30)), ("d", october, dt.date(2026, 10, 12))]
    assert figures._spans(dt.date(2026, 1, 1), dt.date(2026, 11, 2), cumulative_from=october) == [
        ("y", october, october), ("c", dt.date(2026, 11, 2), dt.date(2026, 11, 2))]
    assert figures._spans(dt.date(2026, 10, 5), dt.date(2026, 10, 9), cumulative_from=october) == [
        ("d", dt.date(2026, 10, 5), dt.date(2026, 10, 9))]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.label)
@pytest.mark.parametrize("group_by", ["department", "hall", "window", "clerk", "matter"])
def test_rollups_equal_raw(district, period, group_by):
    rolled = figures.dashboard_figures(period=period, group_by=group_by)
    raw = figures.dashboard_figures(period=period, group_by=group_by, raw=True)
    assert rolled == raw
    assert rolled["total"]["concluded"] or period.first == period.last
    if period.first != period.last:
        assert rolled["total"]["called"] and rolled["total"]["wait_avg"] and rolled["total"]["rated"]


@pytest.mark.parametrize("channel", ["online", "window"])
def test_rollups_equal_raw_by_channel_and_department(district, channel):
    period = PERIODS[2]
    department = district["departments"][0].pk
    for group_by in ("matter", "clerk"):
        kwargs = {"period": period, "group_by": group_by, "channel": channel, "department": department}
        assert figures.dashboard_figures(**kwargs) == figures.dashboard_figures(**kwargs, raw=True)


def test_the_figures_add_up_and_mean_what_they_say(district):
    period = PERIODS[0]
    data = figures.dashboard_figures(period=period, group_by="hall")
    total = data["total"]
    assert total["received"] == 160
    assert sum(r["received"] for r in data["rows"]) == total["received"]
    assert sum(r["concluded"] for r in data["rows"]) == total["concluded"]
    by_dept = figures.dashboard_figures(period=period, group_by="department")
    assert by_dept["ranking"][0]["on_time_rate"] >= by_dept["ranking"][-1]["on_time_rate"]
    assert all(r["received"] is None for r in by_dept["rows"])  # an application spans departments


def test_p90_is_the_nearest_rank():
    rng = random.Random(3)
    for _ in range(200):
        values = [rng.choice([0, 1, 2, 3, 5, 8, 13, 40, 41, 70]) for _ in range(rng.randint(1, 60))]
        hist = [values.count(d) for d in range(41)]
        hover = sum(1 for v in values if v > 40)
        exact = sorted(values)[math.ceil(0.9 * len(values)) - 1]
        assert figures.p90(hist, hover) == (exact if exact <= 40 else figures.BEYOND)
    assert figures.p90([0] * 41, 0) is None
    assert figures.p90([9] + [0] * 9 + [1] + [0] * 30, 0) == 0       # 9 of 10 at 0 days: p90 is 0
    assert figures.p90([8] + [0] * 9 + [2] + [0] * 30, 0) == 10      # the 9th smallest of 10


def _all_rows():
    return [
        sorted(model.objects.values_list(*[f.column for f in model._meta.concrete_fields][1:]))
        for model in (FigureRollup, FigureRollupCoarse)
    ]


def test_refresh_is_idempotent(district):
    before = _all_rows()
    figures.refresh_rollups(first=dt.date(2026, 9, 20), last=dt.date(2026, 10, 20), today=TODAY)
    figures.refresh_all(today=TODAY)
    assert before == _all_rows() and all(before)
    assert set(FigureRollup.objects.values_list("grain", flat=True).distinct()) == {"d"}
    assert set(FigureRollupCoarse.objects.values_list("grain", flat=True).distinct()) == {"m", "y", "c"}


SHIFT = dt.date(2026, 9, 1) - dt.date(2025, 12, 1)  # September-October 2026 → December 2025-January 2026
ACROSS_THE_YEAR = [
    Period(dt.date(2025, 12, 1), dt.date(2026, 1, 31)),  # a monthly row of 2025, a year-to-month row of 2026
    Period(dt.date(2025, 11, 20), dt.date(2026, 11, 2)),  # daily, monthly, year-to-month and month-to-date rows
    Period(dt.date(2026, 1, 1), dt.date(2026, 10, 31)),  # one year-to-month row per key
    Period(dt.date(2025, 12, 20), dt.date(2026, 1, 9)),  # daily rows only: the coarse table not read
]


def _shift(app_ids, delta):
    from django.db.models import F

    from workflow.models import Application

    Application.objects.filter(pk__in=app_ids).update(
        submitted_at=F("submitted_at") - delta,
        accepted_on=F("accepted_on") - delta,
        accepted_at=F("accepted_at") - delta,
        delivered_at=F("delivered_at") - delta,
    )
    SubCase.objects.filter(application_id__in=app_ids).update(
        started_on=F("started_on") - delta,
        deadline=F("deadline") - delta,
        yellow_from=F("yellow_from") - delta,
        decided_on=F("decided_on") - delta,
        decided_at=F("decided_at") - delta,
    )


def _from_daily_rows(monkeypatch, **kwargs):
    """The same figures read from the daily rows only (FigureRollup), as before the coarse table."""
    with monkeypatch.context() as patched:
        patched.setattr(figures, "_spans", lambda first, last, **_kw: [("d", first, last)])
        return figures.dashboard_figures(**kwargs)


@pytest.fixture
def across_the_year(_district, db):
    """The district with every other application (and its sub-cases) moved back by SHIFT, so that
    December 2025 and January 2026 have cases too, rolled up again from scratch."""
    from workflow.calendar_store import seed_calendar
    from workflow.models import Application

    data = _district
    seed_calendar(years=[2025])
    _shift(list(Application.objects.order_by("pk").values_list("pk", flat=True)[::2]), SHIFT)
    figures.refresh_all(today=TODAY)
    return data


@pytest.mark.parametrize("group_by", ["department", "matter", "clerk"])
def test_the_coarse_table_equals_the_daily_rows_and_the_raw_figures_across_the_year(
    across_the_year, monkeypatch, group_by
):
    """Oracle of FigureRollupCoarse: what the dashboard reads from it (monthly, year-to-month and
    month-to-date rows) equals the same sums from the daily rows and from the case tables, across
    a month and a year boundary, then again after edits on both sides of it and a re-refresh."""
    assert FigureRollupCoarse.objects.filter(
        grain="m", day=dt.date(2025, 12, 1), dim="all", channel="*", concluded__gt=0
    ).exists()
    assert FigureRollupCoarse.objects.filter(
        grain="y", day=dt.date(2026, 1, 1), dim="all", channel="*", concluded__gt=0
    ).exists()

    def check(expect_equal=True):
        for period in ACROSS_THE_YEAR:
            kwargs = {"period": period, "group_by": group_by}
            rolled = figures.dashboard_figures(**kwargs)
            assert rolled["total"]["concluded"] and rolled["rows"], period
            assert rolled == _from_daily_rows(monkeypatch, **kwargs), period
            if expect_equal:
                assert rolled == figures.dashboard_figures(**kwargs, raw=True), period
        online = {"period": ACROSS_THE_YEAR[1], "group_by": group_by, "channel": "online"}
        assert figures.dashboard_figures(**online) == _from_daily_rows(monkeypatch, **online)
        if expect_equal:
            assert figures.dashboard_figures(**online) == figures.dashboard_figures(**online, raw=True)

    check()
    # edits on both sides of the boundary: December decisions moved into January, open January
    # sub-cases decided, December receipts moved to January
    december = SubCase.objects.filter(decided_on__gte=dt.date(2025, 12, 1), decided_on__lte=dt.date(2025, 12, 31))
    moved = list(december.order_by("pk").values_list("pk", flat=True)[:15])
    SubCase.objects.filter(pk__in=moved).update(decided_on=dt.date(2026, 1, 6))
    opened = list(
        SubCase.objects.filter(
            state=SubCase.State.EXAMINING, started_on__gte=dt.date(2025, 12, 20), started_on__lte=dt.date(2026, 1, 5)
        ).values_list("pk", flat=True)[:5]
    )
    SubCase.objects.filter(pk__in=opened).update(state=SubCase.State.APPROVED, decided_on=dt.date(2026, 1, 8))
    assert len(moved) == 15 and opened
    before = figures.dashboard_figures(period=ACROSS_THE_YEAR[0], group_by=group_by)
    raw = figures.dashboard_figures(period=ACROSS_THE_YEAR[0], group_by=group_by, raw=True)
    assert raw["total"]["concluded"] == before["total"]["concluded"] + len(opened)  # the rollups lag until refreshed
    assert before != raw
    figures.refresh_rollups(first=dt.date(2025, 12, 1), last=dt.date(2026, 1, 31), today=TODAY)
    check()
    assert FigureRollup.objects.exclude(grain="d").count() == 0


@pytest.mark.parametrize("group_by", ["department", "hall", "window", "clerk", "matter"])
def test_drill_down_lists_exactly_the_counted_cases(district, group_by):
    period = PERIODS[1]
    data = figures.dashboard_figures(period=period, group_by=group_by)
    checked = 0
    for row in [{"key": 0, **data["total"]}, *data["rows"]]:
        dim = "all" if row is not None and row.get("label") is None else group_by
        for count in ("received", "accepted", "deemed", "started", "concluded", "on_time", "same_day", "delivered",
                      "called", "no_show", "rated", "satisfied", "bad_ratings"):
            if row.get(count) is None:
                continue
            _model, qs, _field = figures.cases_behind(count=count, period=period, dim=dim, key=row["key"])
            assert qs.count() == row[count], (count, dim, row["label"] if "label" in row else "total")
            checked += 1
    assert checked > 10


def test_a_new_decision_shows_after_the_beat_refresh_and_not_before(district, monkeypatch):
    """The rollups lag until refreshed (the equality tests can fail); the beat task catches up."""
    from supervision import tasks

    monkeypatch.setattr(figures.timezone, "localdate", lambda *args: TODAY)  # the complaints' overdue too
    period = Period(dt.date(2026, 10, 1), TODAY)
    subcase = SubCase.objects.filter(state=SubCase.State.EXAMINING, started_on__gte=dt.date(2026, 10, 9)).first()
    SubCase.objects.filter(pk=subcase.pk).update(state=SubCase.State.APPROVED, decided_on=dt.date(2026, 10, 30))
    before = figures.dashboard_figures(period=period)
    raw = figures.dashboard_figures(period=period, raw=True)
    assert raw["total"]["concluded"] == before["total"]["concluded"] + 1
    tasks.refresh_figures()
    assert figures.dashboard_figures(period=period) == raw
    tasks.refresh_figures()  # twice: nothing changes
    assert figures.dashboard_figures(period=period) == raw


def test_a_calendar_edit_refreshes_everything(district, monkeypatch):
    from workflow.models import CalendarDay

    monkeypatch.setattr(figures.timezone, "localdate", lambda *args: TODAY)
    period = PERIODS[2]

    def days_taken():
        return sum(FigureRollup.objects.filter(grain="d", dim="all", channel="*").values_list("days_sum", flat=True))

    before = days_taken()
    CalendarDay.objects.create(date=dt.date(2026, 9, 16), is_workday=False, name="台风停工")
    figures.refresh_recent(today=TODAY)  # the index signature changed: a full refresh, not 21 days
    after = figures.dashboard_figures(period=period)
    assert after == figures.dashboard_figures(period=period, raw=True)
    assert days_taken() < before  # one working day fewer for the cases across that day


def test_queue_wait_and_ratings_mean_what_they_say(district):
    """Queue wait, no-shows and the rating distribution checked against a plain reading of the
    tickets and against `feedback.rating_distribution` (the ratings pages' own figures)."""
    from supervision.feedback.selectors import rating_distribution
    from supervision.models import Rating
    from windows.models import Ticket

    period = PERIODS[3]
    called = [t for t in Ticket.objects.filter(day__gte=period.first, day__lte=period.last)
              if t.state in ("served", "no_show")]
    data = figures.dashboard_figures(period=period, group_by="clerk")
    total = data["total"]
    assert total["called"] == len(called) > 20
    assert total["no_show"] == sum(t.state == "no_show" for t in called) > 0
    seconds = sum(round((t.called_at - t.issued_at).total_seconds()) for t in called)
    assert total["wait_avg"] == round(seconds / len(called) / 60, 1)
    assert sum(r["called"] for r in data["rows"]) == total["called"]
    assert Rating.objects.filter(is_valid=False, rated_on__gte=period.first, rated_on__lte=period.last).exists()
    district_row = rating_distribution(by=None, start=period.first, end=period.last)[0]
    assert total["rated"] == district_row["total"] > 20
    assert total["satisfied_rate"] == district_row["satisfaction_rate"]
    assert total["bad_ratings"] == district_row["bad"]
    assert [total[f"r{n}"] for n in range(1, 6)] == [district_row["levels"][n] for n in range(1, 6)]
    for by in ("clerk", "hall", "department"):
        rows = {r["key"]: r for r in figures.dashboard_figures(period=period, group_by=by)["rows"]}
        for expected in rating_distribution(by=by, start=period.first, end=period.last):
            assert rows[expected["key"]]["rated"] == expected["total"], by
            assert rows[expected["key"]]["satisfied_rate"] == expected["satisfaction_rate"], by
    online = figures.dashboard_figures(period=period, channel="online")["total"]
    assert online["called"] == 0 and online["wait_avg"] is None and online["rated"]
    by_matter = figures.dashboard_figures(period=period, group_by="matter")
    assert all(r["wait_avg"] is None and r["rated"] is None for r in by_matter["rows"])


def test_complaints_are_read_live_by_department(district):
    from supervision.feedback.selectors import complaint_counts_by_department
    from supervision.models import Complaint

    data = figures.dashboard_figures(period=PERIODS[0], group_by="department")
    expected = complaint_counts_by_department(today=figures.timezone.localdate())
    assert data["complaints"]["open"] == sum(r["open"] for r in expected) == Complaint.objects.exclude(
        state="closed").count()
    assert data["complaints"]["overdue"] == sum(r["overdue"] for r in expected) > 0
    for row in data["rows"]:
        mine = [r for r in expected if (r["department_id"] or 0) == row["key"]]  # 0: the centre
        assert row["complaints"]["open"] == (mine[0]["open"] if mine else 0)
    assert any(r["key"] == 0 and r["complaints"]["open"] and r["rated"] for r in data["rows"])  # window ratings


def test_an_appeal_accepted_on_an_old_rating_reaches_the_rollups(district, django_capture_on_commit_callbacks):
    """An old day is outside the beat's window: accepting the appeal refreshes the rating's day."""
    from supervision import tasks
    from supervision.feedback import ratings
    from supervision.models import Rating, RatingAppeal

    rating = Rating.objects.filter(is_valid=True, level__lte=2, rated_on__lt=dt.date(2026, 10, 9)).first()
    appeal = RatingAppeal.objects.create(rating=rating, kind="mistaken", statement="误评",
                                         appealed_by=district["clerks"][0])
    period = PERIODS[1]
    before = figures.dashboard_figures(period=period, group_by="hall")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ratings.rating_appeal_decide(appeal=appeal, supervisor=district["supervisor"], accept=True, reason="核实为误评")
    raw = figures.dashboard_figures(period=period, group_by="hall", raw=True)
    assert raw["total"]["rated"] == before["total"]["rated"] - 1
    assert figures.dashboard_figures(period=period, group_by="hall") == before  # not yet refreshed
    assert len(callbacks) == 1
    # the refresh is an intent written with the decision: nothing lost if the broker was down
    intent = Intent.objects.get(key=f"supervision.figures:{rating.rated_on.isoformat()}")
    assert intent.status == "pending" and intent.args == [rating.rated_on.isoformat()] * 2
    tasks.refresh_figure_days(*intent.args, intent_id=intent.pk)  # what the wake-up or the relay sends
    assert figures.dashboard_figures(period=period, group_by="hall") == raw
    assert Intent.objects.get(pk=intent.pk).status == "done"
    tasks.refresh_figure_days(*intent.args, intent_id=intent.pk)  # twice: skipped
    assert figures.dashboard_figures(period=period, group_by="hall") == raw
    assert figures.dashboard_figures(period=PERIODS[0], group_by="clerk") == figures.dashboard_figures(
        period=PERIODS[0], group_by="clerk", raw=True)
