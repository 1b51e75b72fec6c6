"""The load test (issue 15): a real gunicorn (3 workers) on PostgreSQL driven by locust with 64
concurrent users, a mixed profile of submissions, acceptances, decisions and worklist reads, and
the minimal-insert baseline served by the same gunicorn in the same run.

How: this script makes its own PostgreSQL database (people, the 3-matter theme, knox tokens,
staff sessions with a TOTP device), starts `gunicorn portal.wsgi` with 3 sync workers and
bench/_load_settings.py (the portal's settings plus the baseline's URL), and runs locust
(bench/_locustfile.py, headless, one process) once per phase:
1. ROUNDS × (64 citizens submitting the 3-matter theme with 9 small PDFs over the API, then 64
   clients sending the same request to the minimal insert of 1 + 3 + 4 rows): the submission
   rate against the baseline's, phases alternating so that a busy moment weighs on both;
2. the mixed profile, 64 users: 28 citizens submitting, 8 clerks reading the hall's worklist
   page and accepting what was submitted, 12 reviewers (4 per department) reading 审批 待办 and
   approving the sub-cases the acceptances made, 16 citizens reading 我的办件 (API and page) and
   one case with a second's think time. Throughput and p50/p95/p99 per kind.
Rates count the answers that arrive between the end of spawning (+1 s) and the phase's end.

Contract (bench/_contract.py): figure = ms per submission at 64 connections (1000 / rate),
baseline = the same for the minimal insert; budgets: the submission rate ≥ 45 % of the minimal
insert's (issue 15) and no time-out (no answer later than BENCH_LOAD_TIMEOUT = 30 s) in any
phase; checks: no error (every answer the expected 2xx, staff pages 200 without a redirect),
every submission answered 201 is in the database with its 3 matters, 12 materials and 9 files
on disk, the numbers distinct, every acceptance made its 3 sub-cases, every approval recorded.

Soak: BENCH_SOAK=1 runs the mixed phase for BENCH_SOAK_SECONDS (default 1,800) after the ratio
rounds and samples every 10 s the gunicorn workers' resident memory and the database's
connections; it reports their growth (first minute against last minute) and fails when the
memory grows by more than half or the connections exceed the workers + 2.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/x BENCH_DB=<yours>_load .venv/bin/python bench/bench_load.py
(BENCH_SIZE=quick: 2 rounds of 8 s per side and 20 s mixed; full: 3 rounds of 40 s and 120 s;
PHASE_SECONDS, MIXED_SECONDS, ROUNDS, USERS override; BENCH_REDIS_URL, default
redis://127.0.0.1:6379/11, is flushed and used for the cache and the broker when it answers.)
"""

import base64
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from _contract import Result, sized  # bench/ is on sys.path when a bench runs

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))
os.environ["DJANGO_SETTINGS_MODULE"] = "_load_settings"
workdir = tempfile.mkdtemp(prefix="tongban-bench-load-")
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["STATIC_ROOT"] = f"{workdir}/static"  # collected below: the pages need the manifest
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["TRUSTED_PROXIES"] = "127.0.0.1"
for _name, _value in (("SECRET_KEY", "bench-load-only"),  # `make bench` gives the demo's files
                      ("PII_KEYS", "bench:" + base64.b64encode(bytes(range(32))).decode()),
                      ("PII_INDEX_KEY", base64.b64encode(bytes(range(1, 33))).decode())):
    if not os.environ.get(_name) and not os.environ.get(f"{_name}_FILE"):
        os.environ[_name] = _value

SOAK = os.environ.get("BENCH_SOAK") == "1"
USERS = int(os.environ.get("USERS", "64"))
WORKERS = 3
ROUNDS = sized(full=3, quick=2, env="ROUNDS")
PHASE_SECONDS = sized(full=40, quick=8, env="PHASE_SECONDS")
MIXED_SECONDS = int(os.environ.get("BENCH_SOAK_SECONDS", "1800")) if SOAK else sized(full=120, quick=20,
                                                                                      env="MIXED_SECONDS")
TIMEOUT = float(os.environ.setdefault("BENCH_LOAD_TIMEOUT", "30"))
DB_NAME = os.environ.get("BENCH_DB", "tongban_bench_load")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
SETTLE = 1.0  # seconds after spawning before answers count towards a rate


def redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception:  # noqa: BLE001 - any failure: run without Redis
        return False


if redis_answers(REDIS):
    import redis

    redis.Redis.from_url(REDIS).flushdb()  # this bench's own database number
    os.environ["REDIS_URL"] = os.environ["CELERY_BROKER_URL"] = REDIS
else:
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_BROKER_URL"] = f"filesystem://{workdir}/broker"  # nothing consumes it here

from _postgres import admin_url, bench_database  # noqa: E402

server_url = bench_database(DB_NAME, script="bench_load")

import django  # noqa: E402

django.setup()
STARTED = time.perf_counter()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

# this process only makes the people (signed in by token and session, never by password): no
# 0.3 s PBKDF2 for each of the 84; the server keeps the portal's hashers
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)

from _submit_data import build_theme, form_fields, give_household_register, upload_requirements  # noqa: E402
from django.test import Client  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from knox.models import AuthToken  # noqa: E402

from accounts.security import requires_otp  # noqa: E402
from tests.factories import PDF_BYTES, ClerkFactory, ReviewerFactory, UserFactory  # noqa: E402
from workflow.calendar_store import seed_calendar  # noqa: E402
from workflow.models import Application, Material, SubCase  # noqa: E402


def say(text):
    print(text, flush=True)


def load():
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def session_of(user):
    """A signed-in session (staff: verified with their TOTP device, as after the sign-in page)."""
    client = Client()
    client.force_login(user)
    if requires_otp(user):
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def make_plan(matters):
    citizens = []
    for _i in range(USERS):
        citizen = UserFactory()
        give_household_register(citizen, matters)
        citizens.append({"token": AuthToken.objects.create(citizen)[1], "user": citizen})
    readers = [{"token": c["token"], "session": session_of(c["user"])} for c in citizens[:16]]
    clerks = []
    for _i in range(8):
        clerk = ClerkFactory()
        clerks.append({"token": AuthToken.objects.create(clerk)[1], "session": session_of(clerk)})
    reviewers = {}
    for matter in matters:
        for _i in range(4):
            reviewer = ReviewerFactory(department=matter.department)
            reviewers.setdefault(matter.department.name, []).append(
                {"token": AuthToken.objects.create(reviewer)[1], "session": session_of(reviewer)})
    return {
        "theme": "bench-submit",
        "form": form_fields(matters),
        "uploads": upload_requirements(matters),
        "pdf": base64.b64encode(PDF_BYTES).decode(),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "citizens": [{"token": c["token"]} for c in citizens],
        "readers": readers,
        "clerks": clerks,
        "reviewers": reviewers,
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port, env):
    log = open(f"{workdir}/gunicorn.log", "w")  # noqa: SIM115 - kept open for the server's life
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--pythonpath", str(BENCH),
         "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
        if server.poll() is not None:
            break
    server.terminate()
    sys.exit(f"gunicorn did not answer:\n{Path(workdir, 'gunicorn.log').read_text()[-2000:]}")


def run_locust(phase, classes, seconds, plan, env, port, users=USERS):
    """One locust run; returns what bench/_locustfile.py wrote."""
    plan_path, out_path = f"{workdir}/plan-{phase}.json", f"{workdir}/out-{phase}.json"
    Path(plan_path).write_text(json.dumps(plan, ensure_ascii=False))
    command = [sys.executable, "-m", "locust", "-f", str(BENCH / "_locustfile.py"), "--headless",
               "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
               "--stop-timeout", str(int(TIMEOUT) + 5), "--only-summary", "--loglevel", "WARNING", *classes]
    with open(f"{workdir}/locust-{phase}.log", "w") as log:
        subprocess.run(command, cwd=ROOT, env={**env, "BENCH_LOAD_PLAN": plan_path, "BENCH_LOAD_OUT": out_path,
                                               "BENCH_LOAD_PHASE": phase.split("-")[0]},
                       stdout=log, stderr=subprocess.STDOUT, check=False, timeout=seconds + TIMEOUT + 120)
    if not Path(out_path).exists():
        sys.exit(f"locust wrote nothing for {phase}:\n{Path(workdir, f'locust-{phase}.log').read_text()[-3000:]}")
    return json.loads(Path(out_path).read_text())


def window(out):
    start = out["marks"].get("spawned", 0) + SETTLE
    return start, max(out["marks"]["stopping"], start + 0.001)


def rate(out, kind):
    """(answers counted, seconds) of `kind` that succeeded inside the phase's steady window."""
    start, end = window(out)
    done = sum(1 for k, _s, e, _status, outcome in out["records"] if k == kind and outcome == "ok" and start <= e <= end)
    return done, end - start


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def table(outs, title):
    say(f"\n{title}")
    say(f"{'kind':<30} {'count':>6} {'/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'errors':>6} {'t-outs':>6}  (ms)")
    kinds = sorted({r[0] for out in outs for r in out["records"]})
    for kind in kinds:
        rows = [r for out in outs for r in out["records"] if r[0] == kind]
        ms = [(e - s) * 1000 for _k, s, e, _st, _o in rows]
        theirs = [out for out in outs if any(r[0] == kind for r in out["records"])]
        done = sum(rate(out, kind)[0] for out in theirs)
        secs = sum(rate(out, kind)[1] for out in theirs)
        errors = sum(1 for r in rows if r[4] == "error")
        timeouts = sum(1 for r in rows if r[4] == "timeout")
        say(f"{kind:<30} {len(rows):>6} {done / secs:>7.1f} {percentile(ms, 50):>7.0f} {percentile(ms, 95):>7.0f} "
            f"{percentile(ms, 99):>7.0f} {max(ms):>7.0f} {errors:>6} {timeouts:>6}")


class Sampler(threading.Thread):
    """Every 10 s: the gunicorn workers' resident memory (MiB) and the database's connections."""

    def __init__(self, master_pid):
        super().__init__(daemon=True)
        self.master_pid, self.samples, self.stop = master_pid, [], threading.Event()

    def rss_mib(self):
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("PPid", "").strip() == str(self.master_pid):
                total += int(fields.get("VmRSS", "0 kB").split()[0])
        return total / 1024

    def run(self):
        import psycopg

        with psycopg.connect(admin_url(server_url), autocommit=True) as db:
            started = time.time()
            while not self.stop.wait(10):
                count = db.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [DB_NAME]).fetchone()[0]
                self.samples.append((time.time() - started, self.rss_mib(), count))


def main():
    seed_calendar(years=[2026])
    _theme, matters = build_theme()
    plan = make_plan(matters)
    ids = {"matters": [m.pk for m in matters], "requirements": [r.pk for m in matters for r in m.materials.all()]}
    connections.close_all()
    env = {**os.environ, "BENCH_MINIMAL_IDS": json.dumps(ids),
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH), os.environ.get("PYTHONPATH", "")])}
    port = free_port()
    server = start_gunicorn(port, env)
    say(f"set up in {time.perf_counter() - STARTED:.0f} s")
    try:
        return measure(plan, env, port, server)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def measure(plan, env, port, server):
    say(f"gunicorn {WORKERS} workers on 127.0.0.1:{port}, {USERS} users, load average {load()}")
    run_locust("warm", ["Submitter", "MinimalInserter"], 4, plan, env, port, users=6)  # imports, the day's chain
    outs = {"submit": [], "minimal": []}
    for r in range(ROUNDS):
        outs["submit"].append(run_locust(f"submit-{r}", ["Submitter"], PHASE_SECONDS, plan, env, port))
        outs["minimal"].append(run_locust(f"minimal-{r}", ["MinimalInserter"], PHASE_SECONDS, plan, env, port))
        say(f"round {r + 1}/{ROUNDS} done, load average {load()}")
    submitted = [n for out in outs["submit"] for n in out["answered"]["submit"]]
    sampler = Sampler(server.pid)
    sampler.start()
    mixed = run_locust("mixed", ["Submitter", "Clerk", "Reviewer", "Reader"], MIXED_SECONDS,
                       {**plan, "waiting": submitted[: 40 * max(1, MIXED_SECONDS // 30)]}, env, port)
    sampler.stop.set()
    sampler.join()
    load_after = load()
    say(f"phases done at {time.perf_counter() - STARTED:.0f} s")

    done = sum(rate(out, "submit")[0] for out in outs["submit"])
    secs = sum(rate(out, "submit")[1] for out in outs["submit"])
    base_done = sum(rate(out, "minimal insert")[0] for out in outs["minimal"])
    base_secs = sum(rate(out, "minimal insert")[1] for out in outs["minimal"])
    submit_rate, minimal_rate = done / secs, base_done / base_secs
    table(outs["submit"] + outs["minimal"], f"ratio phases ({ROUNDS} rounds of {PHASE_SECONDS} s per side, {USERS} users)")
    table([mixed], f"mixed profile ({MIXED_SECONDS} s, {USERS} users: 28 submit, 8 clerks, 12 reviewers, 16 readers)")
    say(f"\nsubmissions {submit_rate:.1f}/s, minimal insert {minimal_rate:.1f}/s: "
        f"{100 * submit_rate / minimal_rate:.0f} % (load average at the end {load_after})")

    result = Result("bench_load", f"API submission at {USERS} connections, gunicorn {WORKERS} workers (ms per submission)")
    result.measured(figure=1000 / submit_rate, baseline=1000 / minimal_rate, unit="ms",
                    baseline_label="minimal DRF insert of 1+3+4 rows, same request, same gunicorn")
    result.ratio_at_most(1 / 0.45)
    every = [r for out in [*outs["submit"], *outs["minimal"], mixed] for r in out["records"]]
    timeouts = sum(1 for r in every if r[4] == "timeout")
    errors = [r for r in every if r[4] == "error"]
    result.value_at_most("time-outs", timeouts, 0, "requests", why=f"no answer later than {TIMEOUT:.0f} s at {USERS} connections")
    if errors:
        say(f"errors, first: {errors[:5]}")
    result.check(f"no error in {len(every)} requests", not errors)

    if SOAK:
        soak_report(result, sampler.samples)

    numbers = submitted + mixed["answered"]["submit"]
    written = Application.objects.filter(number__in=numbers)
    result.check(f"{len(numbers)} submissions, numbers distinct", len(set(numbers)) == len(numbers) > 0)
    result.check("every submission answered 201 is in the database", written.count() == len(numbers))
    links = Application.matters.through.objects.filter(application__in=written).count()
    result.check("3 matters each", links == 3 * len(numbers))
    materials = Material.objects.filter(application__in=written)
    files = list(materials.exclude(file="").values_list("file", flat=True))
    result.check("12 materials each, 9 files stored on disk",
                 materials.count() == 12 * len(numbers) and len(files) == 9 * len(numbers)
                 and all(os.path.exists(os.path.join(settings.MEDIA_ROOT, f)) for f in files))
    accepted = mixed["answered"]["accept"]
    result.check(f"{len(accepted)} acceptances (> 0), 3 sub-cases each",
                 bool(accepted) and SubCase.objects.filter(application__number__in=accepted).count() == 3 * len(accepted)
                 and not Application.objects.filter(number__in=accepted, state=Application.State.SUBMITTED).exists())
    decided = mixed["answered"]["decide"]
    result.check(f"{len(decided)} approvals (> 0), each recorded",
                 bool(decided) and SubCase.objects.filter(number__in=decided, state=SubCase.State.APPROVED).count()
                 == len(set(decided)) == len(decided))
    result.finish()


def soak_report(result, samples):
    say("\nsoak samples (s, worker RSS MiB, database connections):")
    for t, rss, count in samples:
        say(f"  {t:6.0f} {rss:8.1f} {count:4d}")
    if len(samples) < 4:
        result.check("soak: enough samples", False)
        return
    first = [rss for t, rss, _c in samples if t <= samples[0][0] + 60]
    last = [rss for t, rss, _c in samples if t >= samples[-1][0] - 60]
    growth = statistics.mean(last) / statistics.mean(first) - 1
    most = max(c for _t, _r, c in samples)
    say(f"soak: worker memory {statistics.mean(first):.0f} → {statistics.mean(last):.0f} MiB ({100 * growth:+.1f} %), "
        f"connections {min(c for _t, _r, c in samples)}–{most}")
    result.value_at_most("soak: worker memory growth", 100 * growth, 50, "%", why="first minute against last")
    result.value_at_most("soak: database connections", most, WORKERS + 2, "", why="one per worker, the sampler, one spare")


if __name__ == "__main__":
    try:
        main()
    finally:
        connections.close_all()
        if os.environ.get("BENCH_KEEP") != "1":
            import psycopg

            with psycopg.connect(admin_url(server_url), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
            if os.environ.get("REDIS_URL") == REDIS:
                import redis

                redis.Redis.from_url(REDIS).flushdb()
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)  # uploads, static, logs (BENCH_KEEP=1 keeps them)
