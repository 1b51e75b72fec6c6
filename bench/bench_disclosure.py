"""Time the public disclosure list (办件公示) and the evaluation figures over 1,000,000
applications on PostgreSQL.

Data: its own database `tongban_disclosure_bench` on the server of DATABASE_URL (dropped and
created here, then migrated): 40 departments, 2,000 matters, 3,000 applicants and APPLICATIONS
applications made with INSERT … SELECT generate_series, received every 80 seconds from
2024-01-01 (about 2.5 years) in every state (a twentieth drafts, a twentieth withdrawn), one
matter each and a second one for every fifth; one sub-case per accepted application (about
650,000), decided ones with a decision 0-14 days after acceptance.

Timed (median of 5 runs after one warm-up, each through `workflow.disclosure` as the page calls
it, 20 rows with their matters and departments): the first page, a page 500,000 rows deep (its
cursor), a number, a department (first and a deep page), a matter, a state, a week of receipt;
then `supervision.evaluation.department_figures` for the month in the middle of the data, over all departments and for one
department, and one export end to end (the worker's figures in groups of departments, PDF, XLSX).
The plan of the first page is printed to show the index it walks.

Contract (bench/_contract.py): figure = the page half the list deep (keyset cursor); baseline =
the first page, same run; budget: at most 3× the first page (depth must not cost: no OFFSET);
checks: the deep page starts exactly after the row its cursor names (the rows an OFFSET query
returns), and the month's totals are those of the export.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_disclosure .venv/bin/python bench/bench_disclosure.py
     (BENCH_SIZE=quick: 20,000 applications; APPLICATIONS=200000 for another size, REUSE=1 to time
     again without making the data)
"""

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from _contract import Result, median_ms, sized  # bench/ is on sys.path when a bench runs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
workdir = tempfile.mkdtemp(prefix="tongban-bench-")
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["CELERY_BROKER_URL"] = "memory://"

APPLICATIONS = sized(full=1000000, quick=20000, env="APPLICATIONS")
REUSE = os.environ.get("REUSE") == "1"  # time again on the data a previous run left
DB_NAME = "tongban_disclosure_bench"


from _postgres import bench_database, insert_select  # noqa: E402

bench_database(DB_NAME, script="bench_disclosure", fresh=not REUSE)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Department, Region, User  # noqa: E402
from matters.models import Matter  # noqa: E402
from supervision.evaluation import services as evaluation  # noqa: E402
from supervision.figures import services as figures  # noqa: E402
from workflow import disclosure  # noqa: E402
from workflow.calendar_store import seed_calendar  # noqa: E402
from workflow.models import Application, SubCase  # noqa: E402

# g mod 20 → state: drafts and withdrawn ones are never listed.
STATES = (["draft", "withdrawn", "submitted", "submitted", "supplement_requested", "accepted", "not_accepted"]
          + ["in_review"] * 4 + ["concluded"] * 2 + ["result_ready"] + ["delivered"] * 4 + ["archived"] * 2)
ACCEPTED = {"accepted", "in_review", "concluded", "result_ready", "delivered", "archived"}
DECIDED = {"concluded", "result_ready", "delivered", "archived"}


def say(text):
    print(text, flush=True)


def run(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def case_of(values, expr="g %% 20"):
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"CASE {expr} {whens} END"


def generate():
    seed_calendar()
    region = Region.objects.create(code="441803000000", name="清新区", level=Region.Level.DISTRICT)
    departments = Department.objects.bulk_create(
        Department(code=f"QX-B{i:03d}", name=f"清远市清新区第{i}局", short_name=f"第{i}局", region=region) for i in range(40)
    )
    Matter.objects.bulk_create(
        Matter(code=f"441803-B-{i:05d}", name=f"基准事项{i}", department=departments[i % 40], target="natural",
               legal_days=20, promised_days=14)
        for i in range(2000)
    )
    User.objects.bulk_create(
        User(username=f"bench{i}", real_name=f"申请人{i}", password="!", role=User.Role.PUBLIC) for i in range(3000)
    )
    user0 = User.objects.order_by("pk").values_list("pk", flat=True).first()
    matter0 = Matter.objects.order_by("pk").values_list("pk", flat=True).first()
    state = case_of(STATES)
    accepted = " OR ".join(f"{state} = '{s}'" for s in sorted(ACCEPTED))
    decided = " OR ".join(f"{state} = '{s}'" for s in sorted(DECIDED))
    received = "(TIMESTAMPTZ '2024-01-01 08:30:00+08' + g * INTERVAL '80 seconds')"
    # the other NOT NULL columns take their fields' defaults (bench/_postgres.insert_select)
    insert_select(Application, f"generate_series(1, {APPLICATIONS}) g", {
        "number": f"'441803-' || EXTRACT(YEAR FROM {received})::int || '-XK-' || lpad(g::text, 7, '0')",
        "applicant_id": f"{user0} + g %% 3000", "created_by_id": f"{user0} + g %% 3000", "category": "'natural'",
        "title": "'基准事项' || ((g::bigint * 7919) %% 2000)",
        "form_data": "'{\"applicant_name\": \"申请人\"}'::jsonb", "situation": "'{}'::jsonb",
        "channel": "CASE WHEN g %% 3 = 0 THEN 'window' ELSE 'online' END", "state": state,
        "submitted_at": f"CASE WHEN {state} = 'draft' THEN NULL ELSE {received} END",
        "first_submitted_at": f"CASE WHEN {state} = 'draft' THEN NULL ELSE {received} END",
        "accepted_on": f"CASE WHEN {accepted} THEN ({received})::date + 1 END",
        "accepted_at": f"CASE WHEN {accepted} THEN {received} + INTERVAL '1 day' END",
        "concluded_at": f"CASE WHEN {decided} THEN {received} + (1 + g %% 15) * INTERVAL '1 day' END",
        "deemed_accepted": "g %% 50 = 0", "delivery_method": "'hall'",
    })
    first = Application.objects.order_by("pk").values_list("pk", flat=True).first()
    through = Application.matters.through._meta.db_table
    run(f"INSERT INTO {through} (application_id, matter_id) SELECT a.id, {matter0} + ((a.id * 7919) %% 2000) "
        f"FROM {Application._meta.db_table} a")
    run(f"INSERT INTO {through} (application_id, matter_id) SELECT a.id, {matter0} + ((a.id * 104729 + 1) %% 2000) "
        f"FROM {Application._meta.db_table} a WHERE a.id %% 5 = 0 "
        f"AND ((a.id * 104729 + 1) %% 2000) <> ((a.id * 7919) %% 2000)")
    insert_select(SubCase, f"{Application._meta.db_table} a JOIN {Matter._meta.db_table} m "
                           f"ON m.id = {matter0} + ((a.id * 7919) %% 2000) WHERE a.accepted_on IS NOT NULL", {
        "number": "a.number || '-01'", "application_id": "a.id", "matter_id": "m.id",
        "department_id": "m.department_id",
        "state": "CASE WHEN a.concluded_at IS NULL THEN 'examining' WHEN a.id %% 10 = 0 THEN 'denied' "
                 "ELSE 'approved' END",
        "promised_days": "14", "started_on": "a.accepted_on", "deadline": "a.accepted_on + 20",
        "yellow_from": "a.accepted_on + 16", "dispatched_at": "a.accepted_at", "decided_at": "a.concluded_at",
        "decided_on": "(a.concluded_at AT TIME ZONE 'Asia/Shanghai')::date",
    })
    run("ANALYZE")
    return first


def page(filters=None, after=""):
    rows, cursor = disclosure.page_after(disclosure.disclosed_applications(filters or disclosure.Filters()),
                                         after=after)
    [disclosure.public_row(r) for r in rows]
    return rows, cursor


def main():
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    if not REUSE:
        generate()
    say(f"data: {Application.objects.count():,} applications, {SubCase.objects.count():,} sub-cases "
        f"({time.perf_counter() - start:.0f} s to make)")
    listed = disclosure.disclosed_applications()
    deep = listed[APPLICATIONS // 2]
    deep_cursor = disclosure.encode_cursor(deep)
    department = Department.objects.order_by("code")[7]
    department_filter = disclosure.Filters(department_id=department.pk)
    depth = min(20000, disclosure.disclosed_applications(department_filter).count() // 2)
    deep_department = disclosure.disclosed_applications(department_filter)[depth]
    matter = Matter.objects.order_by("code")[1234]
    number = Application.objects.filter(state="in_review").order_by("pk")[APPLICATIONS // 40].number
    say("disclosure, one page of 20 (median of 5, ms):")
    cases = [
        ("first page", lambda: page()),
        (f"page {APPLICATIONS // 2:,} rows deep", lambda: page(after=deep_cursor)),
        ("number", lambda: page(disclosure.Filters(number=number))),
        ("department, first page", lambda: page(department_filter)),
        (f"department, {depth:,} rows deep", lambda: page(department_filter, disclosure.encode_cursor(deep_department))),
        ("matter (1 of 2,000)", lambda: page(disclosure.Filters(matter=matter))),
        ("state supplement_requested", lambda: page(disclosure.Filters(state="supplement_requested"))),
        ("one week received", lambda: page(disclosure.Filters(received_from=dt.date(2025, 6, 2),
                                                                received_to=dt.date(2025, 6, 8)))),
    ]
    timings = {}
    for label, fn in cases:
        timings[label] = median_ms(fn, 5)
        say(f"  {label}: {timings[label]:.1f}")
    deep_rows, _next = page(after=deep_cursor)
    offset_rows = list(disclosure.disclosed_applications()[APPLICATIONS // 2 + 1:APPLICATIONS // 2 + 1 + len(deep_rows)])
    sql, params = disclosure.disclosed_applications()[:21].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    say("plan of the first page: " + " | ".join(line.strip() for line in plan[:3]))
    started = time.perf_counter()
    figures.refresh_all()  # the evaluation reads the figures' rollups, as beat keeps them
    say(f"figures' rollups refreshed in {time.perf_counter() - started:.1f} s")
    say("evaluation figures, one month (median of 5, ms):")
    middle = deep.submitted_at.astimezone(evaluation.BEIJING).date().replace(day=1)  # a month in the data's middle
    month = {"start": middle, "end": (middle + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)}
    say(f"  all 40 departments: {median_ms(lambda: evaluation.department_figures(**month), 5):.0f}")
    say(f"  one department: {median_ms(lambda: evaluation.department_figures(**month, department_ids=[department.pk]), 5):.0f}")
    supervisor, _ = User.objects.get_or_create(username="bench-supervisor", defaults={
        "real_name": "督查人员", "password": "!", "role": User.Role.SUPERVISOR})
    job = evaluation.export_request(user=supervisor, **month)
    start = time.perf_counter()
    evaluation.export_build(job_id=job.pk)
    job.refresh_from_db()
    say(f"  the export, end to end ({evaluation.PROGRESS_STEPS} groups of departments, PDF, XLSX): "
        f"{(time.perf_counter() - start) * 1000:.0f} ({job.state})")
    rows = evaluation.department_figures(**month)
    total = evaluation.totals(rows)
    say(f"  {month['start']:%Y-%m}: sub-cases accepted {total['started']:,}, concluded {total['concluded']:,}, "
        f"on time {total['on_time_rate']} %, average {total['avg_days']} working days")
    result = Result("bench_disclosure", f"办件公示, one page of 20 half the list deep ({APPLICATIONS:,} applications)")
    result.measured(figure=timings[f"page {APPLICATIONS // 2:,} rows deep"], baseline=timings["first page"], unit="ms",
                    baseline_label="the first page, same run")
    result.ratio_at_most(3)
    result.check("the deep page is the rows an OFFSET query returns there",
                 len(deep_rows) == 20 and [r.pk for r in deep_rows] == [r.pk for r in offset_rows])
    result.check(f"the evaluation export finished ({job.state})", job.state == evaluation.ReportJob.State.DONE)
    result.check("the month has accepted sub-cases", total["started"] > 0)
    result.finish()


if __name__ == "__main__":
    main()
