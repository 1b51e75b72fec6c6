"""Where a page's database time goes: each SELECT a page runs, its planning and its execution
(EXPLAIN ANALYZE, the best of three), on a database kept by bench_dashboard or bench_worklists.
Not a benchmark (bench/run.py runs bench_*.py only): a tool for finding what to change, and for
comparing two checkouts back to back on one database.

Run: BENCH_DB=<a kept database> DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban \\
     .venv/bin/python bench/explain_page.py clerk1 /hall/ bench7 /applications/
     (pairs of username and path; `reviewer` makes or reuses a reviewer of the first department)
     With --profile first: also where the time outside the database goes (cProfile of ten
     requests: the 40 functions with the most cumulative time and the 25 with the most time of
     their own, the request machinery left out).
"""

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["BENCH_REUSE"] = "1"  # never generate: read a kept database

import bench_dashboard  # noqa: E402,F401 (opens BENCH_DB and sets Django up)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Department, User  # noqa: E402


def user_named(name: str) -> User:
    if name == "reviewer":
        return User.objects.get_or_create(username="explain-reviewer", defaults={
            "real_name": "审批", "role": User.Role.REVIEWER, "department": Department.objects.order_by("pk").first()})[0]
    return User.objects.get(username=name)


def timings(sql: str) -> tuple[float, float]:
    """(planning, execution) ms of the fastest of three EXPLAIN ANALYZE runs."""
    best = None
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("EXPLAIN (ANALYZE, SUMMARY, TIMING OFF) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
            plan = next(float(x.split()[2]) for x in lines if x.startswith("Planning Time"))
            run = next(float(x.split()[2]) for x in lines if x.startswith("Execution Time"))
            best = (plan, run) if best is None or plan + run < sum(best) else best
    return best


def profile(client, path):
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        client.get(path, secure=True)
    profiler.disable()
    for order, count in (("cumulative", 40), ("tottime", 25)):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(order).print_stats(r"^(?!.*(django/test|django/core/handlers|"
                                            r"django/utils/deprecation|contextlib|threading)).*", count)
        print(f"  profile of 10 requests ({order} seconds):")
        for line in out.getvalue().splitlines():
            if line.strip() and not line.startswith(("   Ordered", "   List reduced")):
                print("   ", line[:200].replace("/work/main/.venv/lib/python3.11/site-packages/", ""))


def main(args):
    with_profile = bool(args) and args[0] == "--profile"
    args = args[1:] if with_profile else args
    if not args or len(args) % 2:
        sys.exit(__doc__)
    for username, path in zip(args[::2], args[1::2]):
        client = Client()
        client.force_login(user_named(username))
        for _ in range(3):
            client.get(path, secure=True)
        walls = []
        for _ in range(7):
            start = time.perf_counter()
            client.get(path, secure=True)
            walls.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path, secure=True)
        print(f"== {username} {path}: {response.status_code}, page median {statistics.median(walls):.1f} ms, "
              f"{len(queries)} queries")
        plan_total = run_total = 0.0
        for query in queries.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            plan, run = timings(query["sql"])
            plan_total, run_total = plan_total + plan, run_total + run
            print(f"  plan {plan:7.2f}  run {run:7.2f}  {query['sql'][:140]}")
        print(f"  total: planning {plan_total:.1f} ms, execution {run_total:.1f} ms")
        if with_profile:
            profile(client, path)


if __name__ == "__main__":
    main(sys.argv[1:])
