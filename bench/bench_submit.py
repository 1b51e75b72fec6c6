"""Submissions per second of a 3-matter theme with 9 small PDFs over the API (issue 15's
submission path), against a minimal DRF insert of 1 + 3 + 4 rows measured in the same run.

How: in-process, on PostgreSQL, THREADS threads (default 4), each with its own database
connection and its own signed-in citizen (a knox token, as a client program would), POSTing
multipart to /api/applications/ through the whole Django stack (middleware, authentication,
DRF, the service, storage of the nine files) with DRF's test client. In-process and threads
rather than gunicorn: the box is two cores shared with other agents, a server's process
management would add its own noise, and what issue 15 asks of this path is the work per
submission and that concurrent submissions do not wait for each other's locks (the number is
a PostgreSQL sequence, no row lock held for the transaction): threads on separate connections
show exactly that. Both the figure and the baseline run in the same threads, clients and run,
alternating in rounds, so a busy moment weighs on both. The baseline (bench/_minimal_insert.py)
takes the same multipart request and writes the application, its three matter links and four
material rows in one transaction: what any implementation pays at least.

Contract (bench/_contract.py): figure = ms of wall time per submission (1000 / rate) with
THREADS threads; baseline = the same for the minimal insert; budget: the rate is ≥ 45 % of the
minimal insert's (issue 15's goal), i.e. figure/baseline ≤ 1/0.45; checks: every answer 201
with the case's number, every application written with its 3 matters, 12 materials (9 files
stored, 3 from the e-licence store) and its log row, numbers distinct, and each answer the one
a later GET gives. Sub-cases are made at acceptance, not at submission: none are expected.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/x BENCH_DB=<yours>_bench .venv/bin/python bench/bench_submit.py
(BENCH_SIZE=quick: 48 submissions per side; full: 240; THREADS=n; to look inside: BENCH_SQL=1 prints
each statement's time per submission, BENCH_PROFILE=1 a cProfile of the first thread, with
BENCH_PROFILE_OUT=file the whole profile for pstats, BENCH_PROFILE_CPU=1 its CPU time only)
"""

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from _contract import Result, sized  # bench/ is on sys.path when a bench runs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
workdir = tempfile.mkdtemp(prefix="tongban-bench-submit-")
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["CELERY_BROKER_URL"] = "memory://"
os.environ.setdefault("LOG_LEVEL", "WARNING")

SUBMISSIONS = sized(full=240, quick=48, env="SUBMISSIONS")
THREADS = int(os.environ.get("THREADS", "4"))
PROFILE = os.environ.get("BENCH_PROFILE") == "1"
SQL_TIMES = {} if os.environ.get("BENCH_SQL") == "1" else None
_sql_lock = threading.Lock()
CPU_MS = {}  # url: this process's CPU per request (thread time): steadier than wall time on a shared box
ROUNDS = 4  # figure and baseline alternate, SUBMISSIONS / ROUNDS each per round
DB_NAME = os.environ.get("BENCH_DB", "tongban_bench_submit")

from _postgres import admin_url, bench_database  # noqa: E402

server_url = bench_database(DB_NAME, script="bench_submit")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

settings.ROOT_URLCONF = "_minimal_insert"
settings.ALLOWED_HOSTS = ["*"]
call_command("migrate", verbosity=0)

import _minimal_insert  # noqa: E402
from _submit_data import build_theme, give_household_register, upload_requirements  # noqa: E402
from knox.models import AuthToken  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from tests.factories import PDF_BYTES, UserFactory  # noqa: E402
from workflow.calendar_store import seed_calendar  # noqa: E402
from workflow.models import Application, CaseLog, Material, SubCase  # noqa: E402


def payload(citizen, matters, n):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {}
    for matter in matters:
        for field in matter.fields.all():
            form[field.key] = "13912345678" if field.type == "phone" else f"陈志明{n}"
    files = {
        f"material_{pk}": SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")
        for pk, name in upload_requirements(matters)
    }
    return {"theme": "bench-submit", "form_data": json.dumps(form), "name": f"陈志明{n}", **files}


def run_side(url, clients, matters, count, answers):
    """`count` POSTs to `url`, spread over one thread per client; returns wall seconds."""
    per = [count // len(clients) + (1 if i < count % len(clients) else 0) for i in range(len(clients))]
    barrier = threading.Barrier(len(clients) + 1)

    def work(client, citizen, k):
        try:
            bodies = [payload(citizen, matters, n) for n in range(k)]  # built before the clock starts
            barrier.wait()
            for body in bodies:
                cpu = time.thread_time()
                response = client.post(url, data=body, format="multipart", secure=True)
                with _sql_lock:
                    CPU_MS.setdefault(url, []).append(1000 * (time.thread_time() - cpu))
                answers.append(
                    (url, response.status_code, response.json() if response.status_code < 500 else None, citizen.pk)
                )
        finally:
            connections.close_all()

    if SQL_TIMES is not None and url == "/api/applications/":  # BENCH_SQL=1: each statement's time, server round trip included
        timed = work

        def work(client, citizen, k):
            from django.db import connection

            def timer(execute, sql, params, many, context):
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    with _sql_lock:
                        SQL_TIMES.setdefault(sql[:140], []).append(time.perf_counter() - start)

            with connection.execute_wrapper(timer):
                timed(client, citizen, k)

    if PROFILE and url == "/api/applications/":  # BENCH_PROFILE=1: where the first thread's time goes
        plain = work

        def work(client, citizen, k):
            import cProfile
            import pstats

            # BENCH_PROFILE_CPU=1: this thread's CPU time only (the database's answers not counted)
            profile = cProfile.Profile(time.thread_time) if os.environ.get("BENCH_PROFILE_CPU") == "1" \
                else cProfile.Profile()
            profile.runcall(plain, client, citizen, k)
            if client is clients[0][0]:
                pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
                if os.environ.get("BENCH_PROFILE_OUT"):  # the whole profile, for pstats or snakeviz
                    profile.dump_stats(os.environ["BENCH_PROFILE_OUT"])

    threads = [threading.Thread(target=work, args=(c, u, k)) for (c, u), k in zip(clients, per, strict=True)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def main() -> None:
    seed_calendar(years=[2026])
    theme, matters = build_theme()
    _minimal_insert.MinimalInsert.matter_ids = [m.pk for m in matters]
    _minimal_insert.MinimalInsert.requirement_ids = [r.pk for m in matters for r in m.materials.all()]
    clients = []
    for _i in range(THREADS):
        citizen = UserFactory()
        give_household_register(citizen, matters)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(citizen)[1]}")
        clients.append((client, citizen))
    warm = []
    run_side("/api/applications/", clients, matters, THREADS, warm)  # the day's log chain, calendar, imports
    run_side("/bench/minimal-insert/", clients, matters, THREADS, warm)
    before = set(Application.objects.values_list("pk", flat=True))

    answers, submit_s, minimal_s = [], 0.0, 0.0
    for _round in range(ROUNDS):
        submit_s += run_side("/api/applications/", clients, matters, SUBMISSIONS // ROUNDS, answers)
        minimal_s += run_side("/bench/minimal-insert/", clients, matters, SUBMISSIONS // ROUNDS, answers)
    count = SUBMISSIONS // ROUNDS * ROUNDS
    rate, minimal_rate = count / submit_s, count / minimal_s
    print(f"{count} submissions per side, {THREADS} threads; load average {os.getloadavg()}")
    print(f"submissions: {rate:.1f}/s; minimal insert: {minimal_rate:.1f}/s; {100 * rate / minimal_rate:.0f} %")
    cpu_submit, cpu_minimal = (statistics.median(CPU_MS[u]) for u in ("/api/applications/", "/bench/minimal-insert/"))
    print(f"CPU per request (median, this process's thread time): submission {cpu_submit:.1f} ms, "
          f"minimal insert {cpu_minimal:.1f} ms ({100 * cpu_minimal / cpu_submit:.0f} %)")
    if SQL_TIMES:
        per = count + THREADS  # the warm-up's submissions were timed too
        print("statements of a submission (mean ms per submission, count per submission):")
        for sql, times in sorted(SQL_TIMES.items(), key=lambda item: -sum(item[1])):
            print(f"  {1000 * sum(times) / per:6.2f} ms  {len(times) / per:4.1f}×  {sql}")

    result = Result("bench_submit", f"API submission, 3 matters and 9 PDFs, {THREADS} threads (ms per submission)")
    result.measured(
        figure=1000 / rate,
        baseline=1000 / minimal_rate,
        unit="ms",
        baseline_label="minimal DRF insert of 1+3+4 rows, same request",
    )
    result.ratio_at_most(1 / 0.45)

    mine = [a for a in answers if a[0] == "/api/applications/"]
    result.check(
        "every submission answered 201 with its number",
        len(mine) == count and all(status == 201 and body and body.get("number") for _u, status, body, _c in mine),
    )
    result.check(
        "every minimal insert answered 201",
        all(status == 201 for url, status, _b, _c in answers if url != "/api/applications/"),
    )
    numbers = [body["number"] for _u, _s, body, _c in mine if body]
    written = Application.objects.exclude(pk__in=before).filter(number__in=numbers)
    result.check("numbers distinct", len(set(numbers)) == len(numbers) == count)
    result.check("every application written", written.count() == count)
    result.check("3 matters each", all(a.matters.count() == 3 for a in written))
    materials = Material.objects.filter(application__in=written)
    result.check(
        "12 materials each, 9 files stored",
        materials.count() == 12 * count
        and materials.exclude(file="").count() == 9 * count
        and all(os.path.exists(m.file.path) for m in materials.exclude(file="")[:50]),
    )
    result.check(
        "the held 户口簿 referenced from the e-licence store",
        materials.filter(name="户口簿", reference__startswith="441803-HK-").count() == count,
    )
    result.check(
        "one submission log row each",
        CaseLog.objects.filter(application__in=written, action="workflow.application.submitted").count() == count,
    )
    result.check("no sub-case before acceptance", not SubCase.objects.filter(application__in=written).exists())
    client, citizen = clients[0]
    sample = next(body for _u, _s, body, who in mine if body and who == citizen.pk)
    again = client.get(f"/api/applications/{sample['number']}/", secure=True).json()
    result.check("a 201 answer is what a later GET of the case gives", again == sample)
    result.finish()


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        if os.environ.get("BENCH_KEEP") != "1":
            import psycopg

            with psycopg.connect(admin_url(server_url), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
