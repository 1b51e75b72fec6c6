"""Time the rating and complaint figures over 1,000,000 ratings on PostgreSQL, and the card sweep
with tens of thousands of open follow-ups and complaints.

Data: its own database `tongban_bench_ratings` on the server of DATABASE_URL (dropped, created,
migrated here); the calendar seeded; 20 departments, 10 halls, 200 clerks; RATINGS/2 delivered
applications, each with two rating links (window visit, online) used once, so RATINGS ratings
spread over 2026-01-01…2026-11-25 (70 % 非常满意, 15 % 满意, 8 % 基本满意, 4 % 不满意, 3 %
非常不满意; one bad rating in a hundred invalidated by an appeal), all with INSERT … SELECT
generate_series. Every bad rating has its follow-up (due 21 calendar days after the rating —
about 15 working days; those of the last two months still open); 50,000 complaints (a fifth
still open, half of those past due).

Timed (median of 5 runs, warm): `feedback.rating_distribution` by department, hall, clerk and the
whole district for one month and for the year; `feedback.complaint_counts_by_department`;
`feedback.followup_counts`; then `services.sweep_deadlines` on 2026-11-26 with no cards yet and
again (the second changes nothing).

Contract (bench/_contract.py): figure = the month's distribution by department; baseline = the
naive way, same run: every valid rating of the month read into Python and counted there; budget
at most 1× the baseline at full size (the aggregate in the database must not lose to moving ~90,000
rows), 3× at the quick size (a few thousand rows a month: the fixed cost of five filtered counts
and the names dominates); checks: both
give the same counts per department and level, the second sweep changes nothing, every bad
rating still open has its open follow-up card.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban .venv/bin/python bench/bench_feedback.py
     (BENCH_SIZE=quick: 40,000 ratings and 5,000 complaints; RATINGS=200000 for another size)
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

RATINGS = sized(full=1000000, quick=40000, env="RATINGS")
COMPLAINTS = sized(full=50000, quick=5000)
TODAY = dt.date(2026, 11, 26)
DB_NAME = "tongban_bench_ratings"

from _postgres import bench_database, insert_select  # noqa: E402

bench_database(DB_NAME, script="bench_feedback")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from accounts.models import Department, Hall, Region, User  # noqa: E402
from supervision.cards import services  # noqa: E402
from supervision.feedback import selectors as feedback  # noqa: E402
from supervision.models import Card, Complaint, FollowUp, Rating, RatingToken  # noqa: E402
from workflow.calendar_store import seed_calendar  # noqa: E402
from workflow.models import Application  # noqa: E402


def say(text):
    print(text, flush=True)


def generate():
    seed_calendar()
    region = Region.objects.create(code="441803000000", name="清新区", level=Region.Level.DISTRICT)
    departments = Department.objects.bulk_create(
        [Department(code=f"D{i:02d}", name=f"清新区第{i}局", short_name=f"第{i}局", region=region) for i in range(20)])
    halls = Hall.objects.bulk_create([Hall(code=f"H{i:02d}", name=f"第{i}大厅", region=region) for i in range(10)])
    clerks = User.objects.bulk_create(
        [User(username=f"clerk{i}", real_name=f"窗口{i}", role=User.Role.CLERK) for i in range(200)])
    applicant = User.objects.create(username="applicant", real_name="陈志明")
    d0, h0, c0 = departments[0].pk, halls[0].pk, clerks[0].pk
    n_apps = RATINGS // 2
    insert_select(Application, f"generate_series(1, {n_apps}) g", {
        "number": "'B-' || g", "applicant_id": str(applicant.pk), "created_by_id": str(applicant.pk),
        "category": "'natural'", "title": "'办件'", "form_data": "'{}'::jsonb", "situation": "'{}'::jsonb",
        "channel": "'window'", "state": "'delivered'", "deemed_accepted": "false",
    })
    a0 = Application.objects.order_by("pk").values_list("pk", flat=True).first()
    # Two links per application: odd g a window visit (clerk, hall), even g the online case (department).
    insert_select(RatingToken, f"generate_series(1, {2 * n_apps}) g", {
        "token": "md5(g::text) || g", "application_id": f"{a0} + (g - 1) / 2",
        "occasion": "CASE WHEN g %% 2 = 1 THEN 'window_accept' ELSE 'online' END",
        "clerk_id": f"CASE WHEN g %% 2 = 1 THEN {c0} + (g / 2) %% 200 END",
        "hall_id": f"CASE WHEN g %% 2 = 1 THEN {h0} + (g / 2) %% 10 END",
        "department_id": f"CASE WHEN g %% 2 = 0 THEN {d0} + (g / 2) %% 20 END",
        "expires_at": "now()", "used_at": "now()",
    })
    level = ("CASE WHEN r < 0.70 THEN 5 WHEN r < 0.85 THEN 4 WHEN r < 0.93 THEN 3 WHEN r < 0.97 THEN 2 ELSE 1 END")
    insert_select(Rating, f"(SELECT t.*, random() AS r, random() AS d FROM {RatingToken._meta.db_table} t) t", {
        "token_id": "t.id", "application_id": "t.application_id", "occasion": "t.occasion", "clerk_id": "t.clerk_id",
        "hall_id": "t.hall_id", "department_id": "t.department_id", "level": level,
        "reasons": "'[]'::jsonb", "comment": "''", "rated_on": "date '2026-01-01' + (d * 328)::int",
        "is_valid": "NOT (r > 0.97 AND (t.id %% 100) = 0)",
    })
    insert_select(FollowUp, f"{Rating._meta.db_table} r WHERE r.level <= 2", {
        "rating_id": "r.id", "department_id": "r.department_id",
        "hall_id": "CASE WHEN r.department_id IS NULL THEN r.hall_id END",
        "state": f"CASE WHEN NOT r.is_valid THEN 'voided' WHEN r.rated_on >= date '{TODAY}' - 60 THEN 'open' "
                 "ELSE 'closed' END",
        "opened_on": "r.rated_on", "due": "r.rated_on + 21",
    })
    insert_select(Complaint, f"generate_series(1, {COMPLAINTS}) g", {
        "code": "upper(substr(md5(g::text), 1, 12))", "kind": "'complaint'", "department_id": f"{d0} + g %% 20",
        "subject": "'投诉'", "content": "'内容'",
        "state": "CASE WHEN g %% 5 = 0 THEN 'open' WHEN g %% 5 = 1 THEN 'replied' ELSE 'closed' END",
        "submitted_on": f"date '{TODAY}' - (g %% 40)", "due": f"date '{TODAY}' - (g %% 40) + 14",
    })
    with connection.cursor() as cursor:
        for model in (Application, RatingToken, Rating, FollowUp, Complaint):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def python_side(start, end):
    """The naive distribution: every valid rating of the period to Python, counted there."""
    counts = {}
    for department_id, level in Rating.objects.filter(is_valid=True, department_id__isnull=False, rated_on__gte=start,
                                                       rated_on__lte=end).values_list("department_id", "level"):
        levels = counts.setdefault(department_id, {})
        levels[level] = levels.get(level, 0) + 1
    return counts


def main():
    say(f"PostgreSQL database {DB_NAME}: migrating")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    generate()
    say(f"generated {Rating.objects.count():,} ratings, {FollowUp.objects.count():,} follow-ups "
        f"({FollowUp.objects.filter(state='open').count():,} open), {Complaint.objects.count():,} complaints "
        f"in {time.perf_counter() - start:.1f} s")
    month = {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 10, 31)}
    year = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31)}
    results = {}
    for label, period in (("October", month), ("the year", year)):
        for by in ("department", "hall", "clerk", None):
            ms = median_ms(lambda by=by, period=period: feedback.rating_distribution(by=by, **period), 5)
            rows = feedback.rating_distribution(by=by, **period)
            results[(label, by)] = ms
            say(f"rating_distribution by {by or 'district'}, {label}: {ms:.0f} ms "
                f"({len(rows)} rows, {sum(r['total'] for r in rows):,} ratings)")
    naive_ms = median_ms(lambda: python_side(month["start"], month["end"]), 5)
    say(f"python-side distribution by department, October: {naive_ms:.0f} ms")
    naive = python_side(month["start"], month["end"])
    by_department = {row["key"]: {level: n for level, n in row["levels"].items() if n}
                     for row in feedback.rating_distribution(by="department", **month)}
    ms = median_ms(lambda: feedback.complaint_counts_by_department(today=TODAY), 5)
    say(f"complaint_counts_by_department: {ms:.0f} ms")
    ms = median_ms(lambda: feedback.followup_counts(today=TODAY), 5)
    say(f"followup_counts: {ms:.0f} ms")
    plan = (Rating.objects.filter(is_valid=True, department_id__isnull=False, rated_on__gte=month["start"],
                                  rated_on__lte=month["end"])
            .values("department_id").annotate(n=Count("pk")).order_by().explain())
    say("plan (month by department): " + " / ".join(line.strip() for line in plan.splitlines()[:4]))
    start = time.perf_counter()
    first = services.sweep_deadlines(today=TODAY)
    first_s = time.perf_counter() - start
    opened = {t: sum(c["opened"] for c in levels.values()) for t, levels in first["cards"].items()}
    say(f"sweep_deadlines {TODAY}, no cards yet: {first_s:.2f} s (opened follow-up cards {opened['followup']:,}, "
        f"complaint cards {opened['complaint']:,})")
    start = time.perf_counter()
    again = services.sweep_deadlines(today=TODAY)
    changed = sum(c["opened"] + c["closed"] for levels in again["cards"].values() for c in levels.values())
    say(f"sweep_deadlines again: {time.perf_counter() - start:.2f} s, {changed} cards changed")
    result = Result("bench_feedback", f"rating distribution by department, one month of {RATINGS:,} ratings")
    result.measured(figure=results[("October", "department")], baseline=naive_ms, unit="ms",
                    baseline_label="every valid rating of the month read and counted in Python")
    result.ratio_at_most(sized(full=1, quick=3))
    result.check("the distribution equals the Python-side counts", by_department == naive and bool(naive))
    result.check(f"the second sweep changed nothing ({changed} cards)", changed == 0)
    result.check("the open follow-up cards are those the first sweep opened",
                 Card.objects.filter(trigger="followup", closed_at__isnull=True).count() == opened["followup"] > 0)
    result.finish()


if __name__ == "__main__":
    main()
