"""Run the benchmarks (every bench_*.py of a directory, bench/ by default), each in its own
process at one size, and print a table: figure, same-run baseline, ratio, budgets and checks,
status. Exits 1 when any script fails (a missed budget, a failed check, no result line, a crash
or a time-out).

    .venv/bin/python bench/run.py --size quick            # make bench
    .venv/bin/python bench/run.py --size full             # make bench-full
    .venv/bin/python bench/run.py --size quick bench_notice bench_search   # some of them

Each script's own output is kept in a log file (printed at the end) and its last lines are shown
when it fails. A script finds bench/_contract.py through PYTHONPATH, which the runner sets, so
scripts from another directory (the runner's test) follow the same contract.
"""

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
MARKER = "BENCH-RESULT "


def run_one(script: Path, *, size: str, timeout: float, env: dict, log_dir: Path) -> dict:
    started = time.perf_counter()
    log = log_dir / f"{script.stem}.log"
    try:
        done = subprocess.run([sys.executable, str(script)], env=env, cwd=BENCH.parent, capture_output=True,
                              text=True, timeout=timeout, check=False)
        out, err, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err, code = f"timed out after {timeout:.0f} s", None
    seconds = time.perf_counter() - started
    log.write_text(out + "\n--- stderr ---\n" + err)
    result = None
    for line in out.splitlines():
        if line.startswith(MARKER):
            result = json.loads(line[len(MARKER):])
    row = {"script": script.stem, "seconds": seconds, "code": code, "log": str(log), "result": result}
    if code is None:
        row["status"], row["why"] = "FAIL", err
    elif result is None:
        row["status"], row["why"] = "FAIL", f"exit {code}, no {MARKER.strip()} line"
    elif code != 0 or not result["ok"]:
        failed = [b["text"] for b in result["budgets"] + result["checks"] if not b["ok"]]
        row["status"], row["why"] = "FAIL", "; ".join(failed) or f"exit {code}"
    else:
        row["status"], row["why"] = "ok", ""
    if row["status"] != "ok":
        row["tail"] = "\n".join((out + err).strip().splitlines()[-8:])
    return row


PG_TEMPLATE = "tongban_bench_template"


def prepare_templates(env: dict, work: Path) -> dict:
    """Migrate once, not once per script: a SQLite file and (when DATABASE_URL is PostgreSQL) a
    template database, both migrated in parallel; scripts copy them (bench/_contract.py). Returns
    the variables to add to the scripts' environment; a template that fails is left out."""
    from urllib.parse import urlsplit, urlunsplit

    jobs, extra = {}, {}
    sqlite = work / "template.sqlite3"
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    base = {**env, "CELERY_BROKER_URL": "memory://", "MEDIA_ROOT": str(work / "media")}
    base.setdefault("SECRET_KEY", "bench-template-only")
    base.setdefault("PII_KEYS", "bench:" + base64.b64encode(bytes(32)).decode())  # templates hold no person
    base.setdefault("PII_INDEX_KEY", base64.b64encode(bytes(32)).decode())
    jobs["BENCH_SQLITE_TEMPLATE"] = (str(sqlite), subprocess.Popen(
        migrate, cwd=BENCH.parent, env={**base, "DATABASE_URL": f"sqlite:///{sqlite}"},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    server = env.get("DATABASE_URL", "")
    if server.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(server)
        try:
            with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{PG_TEMPLATE}"')
                admin.execute(f'CREATE DATABASE "{PG_TEMPLATE}"')
            jobs["BENCH_PG_TEMPLATE"] = (PG_TEMPLATE, subprocess.Popen(
                migrate, cwd=BENCH.parent, env={**base, "DATABASE_URL": urlunsplit(parts._replace(path=f"/{PG_TEMPLATE}"))},
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        except psycopg.Error as exc:
            print(f"   no PostgreSQL template ({exc}); the scripts migrate their own databases")
    for name, (value, proc) in jobs.items():
        _out, err = proc.communicate()
        if proc.returncode == 0:
            extra[name] = value
        else:
            print(f"   template {value} failed, scripts migrate their own: {err.strip()[-300:]}")
    return extra


def drop_pg_template(env: dict) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    admin_url = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{PG_TEMPLATE}"')


def table(rows) -> str:
    head = ("script", "figure", "baseline (same run)", "ratio", "budgets", "checks", "time", "status")
    lines = []
    for row in rows:
        r = row["result"] or {}
        unit = r.get("unit", "")
        figure = f"{r['figure']:.1f} {unit}" if r.get("figure") is not None else "-"
        base = f"{r['baseline']:.1f} {unit}" if r.get("baseline") is not None else "-"
        ratio = f"{r['ratio']:.3g}" if r.get("ratio") is not None else "-"
        budgets = r.get("budgets", [])
        checks = r.get("checks", [])
        lines.append((row["script"], figure, base, ratio,
                      f"{sum(b['ok'] for b in budgets)}/{len(budgets)}", f"{sum(c['ok'] for c in checks)}/{len(checks)}",
                      f"{row['seconds']:.0f} s", row["status"]))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
    out = ["  ".join(str(x).ljust(w) for x, w in zip(head, widths))]
    out += ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)) for line in lines]
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("quick", "full"), default="quick")
    parser.add_argument("--dir", default=str(BENCH), help="where the bench_*.py scripts are")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per script (quick 240, full 7200)")
    parser.add_argument("--budget-scale", type=float, default=None, help="multiply every budget (tests)")
    parser.add_argument("--no-templates", action="store_true",
                        help="let every script migrate its own database (slower)")
    parser.add_argument("names", nargs="*", help="bench_… names to run (default: all)")
    args = parser.parse_args(argv)
    scripts = sorted(Path(args.dir).glob("bench_*.py"))
    if args.names:
        wanted = {n.removesuffix(".py") for n in args.names}
        scripts = [s for s in scripts if s.stem in wanted]
        missing = wanted - {s.stem for s in scripts}
        if missing:
            print(f"no such benchmark: {', '.join(sorted(missing))}")
            return 2
    if not scripts:
        print(f"no bench_*.py in {args.dir}")
        return 2
    env = {**os.environ, "BENCH_SIZE": args.size,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")]))}
    if args.budget_scale is not None:
        env["BENCH_BUDGET_SCALE"] = str(args.budget_scale)
    timeout = args.timeout or (240 if args.size == "quick" else 7200)
    log_dir = Path(tempfile.mkdtemp(prefix="tongban-bench-logs-"))
    templates = {}
    if not args.no_templates and Path(args.dir).resolve() == BENCH:
        started = time.perf_counter()
        print("== migrating the template databases once", flush=True)
        templates = prepare_templates(env, log_dir)
        env.update(templates)
        print(f"   {', '.join(templates) or 'none'} in {time.perf_counter() - started:.0f} s", flush=True)
    rows = []
    try:
        rows = run_all(scripts, args, env, timeout, log_dir)
    finally:
        if "BENCH_PG_TEMPLATE" in templates:
            drop_pg_template(env)
    print()
    print(table(rows))
    failed = [r["script"] for r in rows if r["status"] != "ok"]
    print(f"\nlogs: {log_dir}")
    print(f"{len(rows) - len(failed)} of {len(rows)} passed" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def run_all(scripts, args, env, timeout, log_dir):
    rows = []
    for script in scripts:
        print(f"== {script.stem} ({args.size})", flush=True)
        row = run_one(script, size=args.size, timeout=timeout, env=env, log_dir=log_dir)
        print(f"   {row['status']} in {row['seconds']:.0f} s" + (f": {row['why']}" if row["why"] else ""), flush=True)
        if row.get("tail"):
            print("   " + row["tail"].replace("\n", "\n   "), flush=True)
        rows.append(row)
    return rows


if __name__ == "__main__":
    sys.exit(main())
