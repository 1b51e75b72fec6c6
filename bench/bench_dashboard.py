"""Time the supervisor's dashboard over 1,000,000 applications and 3,000,000 sub-cases on
PostgreSQL, against the same figures computed from the case tables in the same run, and check
that both are identical.

Data: its own database `tongban_bench_figures` on the server of DATABASE_URL (dropped and
created here, migrated, dropped again at the end unless --keep); the calendar seeded from
chinese-calendar; 40 departments, 1,000 matters (promised 0-20 working days), 5 halls with 12
windows each, 100 clerks seated at them (ten move to another window on 2026-07-01); then with
INSERT … SELECT generate_series: 1,000,000 applications submitted evenly from 2025-01-01 to
2026-11-20 (40 % online, 2 % never accepted, 2 % of the online ones deemed accepted; 70 % of the
older ones delivered, most by a clerk), and exactly 3,000,000 sub-cases (three per accepted
application, a fourth for some), their deadlines and decisions in working days through the
working-day index (a few per cent late, some paused, the young ones still open). Then
`refresh_figures` builds the rollups (timed).

Timed, warm, median of several runs: `figures.dashboard_figures` — what the page calls: the
period's totals, the rows of the grouping, the departments' ranking, the trend by day and the
live open cards — for the page's default (本月, by department) and for 本年 by matter; the
same with `raw=True` (the same figures from Application/SubCase with the ORM, in the same run,
same indexes); and the page itself through Django's test client, for the default view and for
本年 by matter (every run printed). Equality: every figure of both.
(The card sweep is bench/bench_sweep.py, run by the runner on its own.)

Contract (bench/_contract.py): figure = `dashboard_figures` for 本年 by matter (issue 14's
figure); baseline = the same figures from the case tables (`raw=True`), same run; budgets: at
most 0.05× the raw figures at full size (0.5× at the quick size, where the raw tables are small),
and at full size at most 50 ms absolute (issue 14's budget, stated for 1M / 3M), and the page of
本年 by matter at most 50 ms (issue 15's, whole response through the test client); checks:
every figure of every view identical both ways, both pages answer 200.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban .venv/bin/python bench/bench_dashboard.py
     (--keep keeps the database, --reuse runs again on a kept one without generating;
     BENCH_SIZE=quick: 20,000 applications; APPLICATIONS=100000 for another size)
"""

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _contract import QUICK, Result, create_database_sql, sized  # bench/ is on sys.path when a bench runs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
workdir = tempfile.mkdtemp(prefix="tongban-bench-")
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ.setdefault("OTP_REQUIRED", "false")  # the test client's forced login has no TOTP step

APPLICATIONS = sized(full=1000000, quick=20000, env="APPLICATIONS")
RUNS = sized(full=9, quick=5)  # timed runs of each view, warm (quick: the runner allows 240 s a script)
PAGE_RUNS = sized(full=9, quick=3)
SUBCASES = 3 * APPLICATIONS
FIRST = dt.date(2025, 1, 1)
TODAY = dt.date(2026, 11, 20)
DB_NAME = os.environ.get("BENCH_DB", "tongban_bench_figures")  # BENCH_DB: a name of your own
# --keep (or BENCH_KEEP=1) keeps the database; --reuse (or BENCH_REUSE=1: what `make bench-full`
# can pass) runs again on a kept one of the same name without generating (1M/3M take ~10 min to
# generate and ~12 min to roll up on the shared box).
KEEP = "--keep" in sys.argv or os.environ.get("BENCH_KEEP") == "1"
REUSE = "--reuse" in sys.argv or os.environ.get("BENCH_REUSE") == "1"

server_url = os.environ.get("DATABASE_URL", "")
if not server_url.startswith(("postgres://", "postgresql://")):
    sys.exit("bench_dashboard needs DATABASE_URL pointing at PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/tongban")

import psycopg  # noqa: E402

parts = urlsplit(server_url)
ADMIN_URL = urlunsplit(parts._replace(path="/postgres"))
with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
    REUSE = REUSE and bool(exists)
    if not REUSE:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        admin.execute(create_database_sql(DB_NAME))
os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{DB_NAME}"))

import django  # noqa: E402
from _postgres import insert_select  # noqa: E402 (bench/ is on sys.path when a bench runs)

django.setup()

from django.conf import settings  # noqa: E402

# No collectstatic here: static URLs without the manifest (production's hashed names are a dict
# look-up, the same cost), set before the first page touches the storage.
settings.STORAGES = {**settings.STORAGES,
                     "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Department, Hall, Region, User  # noqa: E402
from matters.models import Matter  # noqa: E402
from supervision.cards import services  # noqa: E402
from supervision.figures import services as figures  # noqa: E402
from supervision.models import Card  # noqa: E402
from windows.models import Seat, Window  # noqa: E402
from workflow.calendar_store import seed_calendar  # noqa: E402
from workflow.models import Application, SubCase  # noqa: E402


def say(text):
    print(text, flush=True)


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    say(f"  {label}: {seconds:.2f} s")
    return result, seconds


def generate():
    seed_calendar()
    with transaction.atomic():
        services.ensure_workday_index(today=TODAY)
    region = Region.objects.create(code="441803000000", name="清新区", level=Region.Level.DISTRICT)
    departments = Department.objects.bulk_create(
        Department(code=f"QX-B{i:03d}", name=f"清远市清新区第{i}局", short_name=f"第{i}局", region=region) for i in range(40)
    )
    promised = [0, 1, 3, 5, 10, 15, 20]
    Matter.objects.bulk_create(
        Matter(code=f"441803-B-{i:05d}", name=f"基准事项{i}", department=departments[i % 40], target="natural",
               legal_days=20, promised_days=promised[i % len(promised)])
        for i in range(1000)
    )
    halls = Hall.objects.bulk_create(Hall(code=f"H{i}", name=f"第{i}政务服务中心", region=region) for i in range(5))
    windows = Window.objects.bulk_create(
        Window(hall=halls[i // 12], number=f"{i % 12 + 1:02d}", name="综合窗口", category=Window.Category.NATURAL)
        for i in range(60)
    )
    clerks = User.objects.bulk_create(
        User(username=f"clerk{i}", real_name=f"窗口人员{i}", password="!", role=User.Role.CLERK) for i in range(100)
    )
    seats = []
    for i, clerk in enumerate(clerks):
        window = windows[(i // 20) * 12 + (i % 12)]
        if i % 10 == 0:  # ten clerks move on 2026-07-01
            seats.append(Seat(clerk=clerk, window=window, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 6, 30)))
            window = windows[(i // 20) * 12 + ((i + 1) % 12)]
            seats.append(Seat(clerk=clerk, window=window, starts_on=dt.date(2026, 7, 1)))
        else:
            seats.append(Seat(clerk=clerk, window=window, starts_on=dt.date(2024, 1, 1)))
    Seat.objects.bulk_create(seats)
    User.objects.bulk_create(
        User(username=f"bench{i}", real_name=f"申请人{i}", password="!", role=User.Role.PUBLIC) for i in range(3000)
    )
    user0 = User.objects.filter(username="bench0").values_list("pk", flat=True).get()
    clerk0 = clerks[0].pk
    hall0 = halls[0].pk
    days = (TODAY - FIRST).days + 1
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_first AS SELECT ordinal, MIN(day) AS day "
                       "FROM supervision_workdayindex GROUP BY ordinal")
        cursor.execute("CREATE UNIQUE INDEX ON bench_first (ordinal)")
        cursor.execute("ANALYZE bench_first")

    # g → submitted day d (evenly), hall h = g % 5, online when g % 5 < 2, the clerk one of the
    # hall's 20; never accepted when g % 50 = 7; deemed when online and g % 50 = 1.
    submitted_day = f"(DATE '{FIRST}' + CAST((g - 1) * {days} / {APPLICATIONS} AS INTEGER))"
    online = "(g %% 5 < 2)"
    accepted = "(g %% 50 <> 7)"
    deemed = f"({online} AND g %% 50 = 1)"
    accepted_on = (f"CASE WHEN NOT {accepted} THEN NULL WHEN {online} AND NOT {deemed} "
                   f"THEN {submitted_day} + CAST(g %% 3 AS INTEGER) ELSE {submitted_day} END")
    clerk = f"{clerk0} + (g %% 5) * 20 + (g / 7) %% 20"
    delivered = f"({accepted} AND g %% 10 < 7 AND {submitted_day} < DATE '{TODAY}' - 45)"
    A = Application.State
    insert_select(Application, f"generate_series(1, {APPLICATIONS}) g", {
        "number": "'441803-2026-BJ-' || lpad(g::text, 7, '0')",
        "applicant_id": f"{user0} + g %% 3000", "created_by_id": f"{user0} + g %% 3000",
        "category": "'natural'", "title": "'基准办件 ' || g",
        "state": f"CASE WHEN NOT {accepted} THEN '{A.NOT_ACCEPTED}' WHEN {delivered} THEN '{A.DELIVERED}' "
                 f"ELSE '{A.IN_REVIEW}' END",
        "channel": f"CASE WHEN {online} THEN 'online' ELSE 'window' END",
        "received_hall_id": f"CASE WHEN {online} THEN NULL ELSE {hall0} + g %% 5 END",
        "submitted_at": f"(({submitted_day} + TIME '08:30' + (g %% 600) * INTERVAL '1 minute') "
                        f"AT TIME ZONE 'Asia/Shanghai')",
        "accepted_on": accepted_on,
        "accepted_at": f"(({accepted_on}) + TIME '10:00') AT TIME ZONE 'Asia/Shanghai'",
        "accepted_by_id": f"CASE WHEN {accepted} AND NOT {deemed} THEN {clerk} END",
        "accepted_hall_id": f"CASE WHEN {accepted} AND NOT {deemed} THEN {hall0} + g %% 5 END",
        "deemed_accepted": f"{deemed}",
        "delivered_at": f"CASE WHEN {delivered} THEN (({submitted_day} + 40 + TIME '15:00') "
                        f"AT TIME ZONE 'Asia/Shanghai') END",
        "delivered_by_id": f"CASE WHEN {delivered} AND g %% 4 <> 0 THEN {clerk} END",
    })
    first_matter = Matter.objects.order_by("pk").values_list("pk", flat=True).first()
    idx = "supervision_workdayindex"

    # one row per sub-case: t = taken working days (mostly within the promise, 6 % late),
    # p = paused days (every 13th), open when its decision would fall after today.
    S = SubCase.State
    u = "(((a.id * 7919 + k * 104729) %% 1000) / 1000.0)"
    source_cols = (
        f"a.id AS app_id, a.number AS app_number, a.accepted_on, a.accepted_at, a.accepted_by_id, k, "
        f"m.id AS matter_id, "
        f"m.department_id, m.promised_days, i.ordinal AS start_ord, "
        f"CAST(FLOOR(m.promised_days * 1.1 * {u}) AS INTEGER) "
        f"+ CASE WHEN (a.id + k) %% 17 = 0 THEN m.promised_days / 2 + 3 ELSE 0 END AS taken, "
        f"CASE WHEN (a.id + k) %% 13 = 0 THEN 3 ELSE 0 END AS paused"
    )

    def subcases(where, ks):
        # the dates of the working-day ordinals by hash joins on bench_first, not a look-up per row
        return (
            f"(SELECT p.*, fd.day AS deadline, fy.day AS yellow, fx.day AS decided FROM "
            f"(SELECT {source_cols} FROM {Application._meta.db_table} a CROSS JOIN (VALUES {ks}) kk(k) "
            f"JOIN {Matter._meta.db_table} m ON m.id = {first_matter} + (a.id * 7 + k * 131) %% 1000 "
            f"JOIN {idx} i ON i.day = a.accepted_on WHERE {where}) p "
            f"JOIN bench_first fd ON fd.ordinal = p.start_ord + p.promised_days + p.paused "
            f"JOIN bench_first fy ON fy.ordinal = p.start_ord + GREATEST(0, p.promised_days - 2) "
            f"JOIN bench_first fx ON fx.ordinal = p.start_ord + p.taken + p.paused) q"
        )

    is_decided = f"(q.decided <= DATE '{TODAY}')"
    columns = {
        "number": "q.app_number || '-' || q.k", "application_id": "q.app_id", "matter_id": "q.matter_id",
        "department_id": "q.department_id", "promised_days": "q.promised_days", "started_on": "q.accepted_on",
        "deadline": "q.deadline", "yellow_from": "q.yellow", "dispatched_at": "q.accepted_at",
        "paused_days": "q.paused", "accepted_by_id": "q.accepted_by_id",
        "state": f"CASE WHEN NOT {is_decided} THEN '{S.EXAMINING}' WHEN (q.app_id + q.k) %% 11 = 0 "
                 f"THEN '{S.DENIED}' ELSE '{S.APPROVED}' END",
        "decided_on": f"CASE WHEN {is_decided} THEN q.decided END",
        "decided_at": f"CASE WHEN {is_decided} THEN (q.decided + TIME '16:00') AT TIME ZONE 'Asia/Shanghai' END",
    }
    made = insert_select(SubCase, subcases("a.accepted_on IS NOT NULL", "(1), (2), (3)"), columns)
    extra = SUBCASES - made
    if extra > 0:
        made += insert_select(SubCase, subcases(
            f"a.accepted_on IS NOT NULL AND a.id IN (SELECT id FROM {Application._meta.db_table} "
            f"WHERE accepted_on IS NOT NULL ORDER BY id LIMIT {extra})", "(4)"), columns)
    # open cards for the live part of the dashboard (the sweep's own job; here a plain sample)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Card._meta.db_table} (application_id, subcase_id, department_id, trigger, level, due, "
            f"reason, opened_at, close_reason, review, review_reason) "
            f"SELECT s.application_id, s.id, s.department_id, 'decision', "
            f"CASE WHEN s.deadline < DATE '{TODAY}' THEN 'red' ELSE 'yellow' END, s.deadline, '基准', now(), '', '', '' "
            f"FROM {SubCase._meta.db_table} s WHERE s.state = 'examining' AND s.yellow_from <= DATE '{TODAY}'"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return made


def median_ms(fn, runs):
    times, result = runs_ms(fn, runs)
    return statistics.median(times), result


def runs_ms(fn, runs):
    """Every run's milliseconds (sorted) and the last result."""
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return sorted(times), result


def spread(times):
    return f"median {statistics.median(times):.1f}, runs {', '.join(f'{t:.0f}' for t in times)} ms"


def main():
    say(f"PostgreSQL database {DB_NAME}: migrating")
    call_command("migrate", verbosity=0)
    if REUSE:
        say("reusing the data generated by an earlier run (--reuse)")
        User.objects.filter(username="bench-supervisor").delete()
    else:
        say(f"generating {APPLICATIONS:,} applications and {SUBCASES:,} sub-cases")
        timed("generated (INSERT … SELECT generate_series), vacuumed and analysed", generate)
    counts = (Application.objects.count(), SubCase.objects.count(), Card.objects.filter(closed_at=None).count())
    say(f"  applications {counts[0]:,}, sub-cases {counts[1]:,}, open cards {counts[2]:,}")
    if REUSE and figures.FigureRefresh.objects.filter(pk=1, full_at__isnull=False).exists():
        say("  rollups of the earlier run reused (their full refresh is timed when the data is generated)")
    else:
        timed("rollups refreshed in full (figures.refresh_all)", figures.refresh_all)
    say(f"  rollup rows: {figures.FigureRollup.objects.count():,}")
    _rows, recent_seconds = timed(f"beat refresh of the last {figures.RECENT_DAYS} days (figures.refresh_rollups)",
                                  lambda: figures.refresh_rollups(
                                      first=TODAY - dt.timedelta(days=figures.RECENT_DAYS - 1), last=TODAY))
    old_day = dt.date(2026, 3, 17)  # what an accepted appeal on an old rating queues (tasks.refresh_figure_days)
    timed(f"one old day refreshed ({old_day}, figures.refresh_rollups)",
          lambda: figures.refresh_rollups(first=old_day, last=old_day))

    cases = [
        ("本月 by department (the page's default)", figures.period_for("month", today=TODAY), "department"),
        ("本年 by matter", figures.period_for("year", today=TODAY), "matter"),
        ("本年 by clerk", figures.period_for("year", today=TODAY), "clerk"),
    ]
    results = []
    all_equal = True
    for number, (label, period, group_by) in enumerate(cases):
        say(f"{label}: {period.label}")
        def dashboard(raw=False, period=period, group_by=group_by):
            return figures.dashboard_figures(period=period, group_by=group_by, raw=raw)

        raw_runs = 3 if number == 0 else 1  # the raw year takes tens of seconds a run
        dashboard()  # warm
        dash_runs, rolled = runs_ms(dashboard, RUNS)
        dash_ms = statistics.median(dash_runs)
        raw_ms, raw = median_ms(lambda: dashboard(raw=True), raw_runs)
        equal = rolled == raw
        all_equal &= equal
        total = rolled["total"]
        say(f"  received {total['received']:,}, concluded {total['concluded']:,}, on time {total['on_time_rate']} %, "
            f"avg {total['avg_days']} / p90 {total['p90_days']} working days, same-day {total['same_day_rate']} %, "
            f"online {total['online_rate']} %, {len(rolled['rows'])} rows")
        say(f"  dashboard {dash_ms:.1f} ms (median of {RUNS}, warm) | raw {raw_ms:.0f} ms (median of {raw_runs}) | "
            f"×{raw_ms / dash_ms:.0f} | identical: {'OK' if equal else 'DIFFERENT'}")
        say(f"  dashboard_figures: {spread(dash_runs)}")
        results.append((label, dash_ms, raw_ms, equal))

    supervisor = User.objects.create(username="bench-supervisor", real_name="督查", role=User.Role.SUPERVISOR)
    client = Client()
    client.force_login(supervisor)
    pages = {}
    for label, period, group_by in cases[:2]:  # the page's default, and 本年 by matter (issue 14/15's page)
        url = f"/supervision/?period=custom&first={period.first}&last={period.last}&group_by={group_by}"
        status = client.get(url, secure=True).status_code  # secure: the production settings redirect HTTP
        times, _response = runs_ms(lambda url=url: client.get(url, secure=True), PAGE_RUNS)
        pages[label] = (status, times)
        say(f"the page {label} through the test client (whole response incl. template): {spread(times)}")
    api_url = "/api/supervision/figures/" + url[len("/supervision/"):]
    api_times, _response = runs_ms(lambda: client.get(api_url, secure=True), PAGE_RUNS)
    say(f"the JSON API 本年 by matter: {spread(api_times)}")
    page_ms = statistics.median(pages[cases[1][0]][1])

    connections.close_all()
    if not KEEP:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        say(f"database {DB_NAME} dropped (--keep keeps it)")

    by_matter = results[1]
    say("summary: " + "; ".join(f"{lb}: {d:.1f} ms vs raw {r:.0f} ms ×{r / d:.0f} {'OK' if e else 'DIFFERENT'}"
                                for lb, d, r, e in results))
    result = Result("bench_dashboard", f"dashboard_figures 本年 by matter, {counts[0]:,} applications / "
                                       f"{counts[1]:,} sub-cases")
    result.measured(figure=by_matter[1], baseline=by_matter[2], unit="ms",
                    baseline_label="the same figures from Application/SubCase (raw=True)")
    result.ratio_at_most(sized(full=0.05, quick=0.5))
    if not QUICK:  # the stated budgets are for 1M applications / 3M sub-cases
        result.at_most(50, why="issue 14's budget for 本年 by matter at 1M / 3M")
        result.value_at_most("the page 本年 by matter", page_ms, 50, "ms",
                             why="issue 15's budget for the dashboard page at 1M / 3M")
    result.check("every figure of every view identical from rollups and from the case tables", all_equal)
    result.check(f"both pages answer 200 ({[status for status, _times in pages.values()]})",
                 all(status == 200 for status, _times in pages.values()))
    result.finish()


if __name__ == "__main__":
    main()
