"""The outbox relay against the reference department system on loopback: messages delivered per
second, against the raw signed HTTP round trip to the same system in the same run.

The relay's cost over the raw round trip is what each message adds on our side: the claim (one
conditional UPDATE), loading the row and its department system and key, the signature, and the
update that marks it delivered. Both are timed in alternating rounds on the same running
reference system (its own process, its own SQLite file), so a busy moment on this shared
machine weighs on both; the figure that matters is the ratio.

Contract (bench/_contract.py): figure = ms per message delivered by the relay (median over the
rounds); baseline = ms per raw signed POST to the same system, alternating; budget: at most 4×
the raw round trip; check: every message delivered, none left pending.

Run: .venv/bin/python bench/bench_relay.py [--messages 200] [--rounds 3]   (BENCH_SIZE=quick: 50 × 2)
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from _contract import sqlite_url  # bench/ is on sys.path when a bench runs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
workdir = tempfile.mkdtemp(prefix="tongban-bench-")
os.environ["DATABASE_URL"] = sqlite_url(workdir)
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["CELERY_BROKER_URL"] = "memory://"  # the wake-up queued on commit goes nowhere: the bench relays
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")

import django  # noqa: E402
from _contract import Result, sized  # noqa: E402 (bench/ is on sys.path when a bench runs)

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

call_command("migrate", verbosity=0)

from accounts.models import Department, Region  # noqa: E402
from exchange import departments, relay, signing  # noqa: E402
from exchange.models import DepartmentKey, DepartmentSystem, OutboxMessage  # noqa: E402

SECRET = "bench-relay-secret"


def start_refsys():
    proc = subprocess.Popen(
        [sys.executable, "-m", "refsys", "--port", "0", "--db", f"{workdir}/refsys.sqlite3", "--department", "QX-WJJ",
         "--key", f"k1:{SECRET}", "--portal", "http://127.0.0.1:9", "--log-level", "WARNING"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = proc.stdout.readline().decode()
    return proc, f"http://127.0.0.1:{int(line.strip().split('=', 1)[1])}"


def payload(n: int) -> dict:
    return {"subcase": {"number": f"441803-2026-GF-{n:06d}-01", "application": f"441803-2026-GF-{n:06d}",
                        "matter": {"code": "441803-GF-0301", "name": "计划生育家庭特别扶助金申领"},
                        "applicant": {"name": "陈志明", "id_masked": "4418**********0135", "kind": "natural"},
                        "form": {"applicant_name": "陈志明", "address": "清新区太和镇"},
                        "materials": [{"name": "居民身份证", "source": "upload", "sha256": "0" * 64, "reference": ""}],
                        "accepted_on": "2026-12-03", "deadline": "2026-12-25", "promised_days": 15}}


def relay_round(department, count: int, start: int) -> float:
    with transaction.atomic():
        for n in range(start, start + count):
            departments.enqueue(department=department, kind="subcase.dispatch", case_ref=f"B{n}", body=payload(n))
    began = time.perf_counter()
    while OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists():
        relay.relay_due(limit=500)
    elapsed = time.perf_counter() - began
    assert OutboxMessage.objects.filter(status=OutboxMessage.Status.DELIVERED).count() == start + count - 1
    return count / elapsed


def raw_round(url: str, count: int, start: int) -> float:
    began = time.perf_counter()
    for n in range(start, start + count):
        body = json.dumps({"message_id": uuid.uuid4().hex, "kind": "subcase.dispatch", "department": "QX-WJJ",
                           **payload(n)}, ensure_ascii=False, separators=(",", ":")).encode()
        headers = signing.sign_headers(department="QX-WJJ", key_id="k1", secret=SECRET, method="POST",
                                       path="/api/subcases/", body=body)
        status, _answer, error = relay.post(url + "/api/subcases/", body, headers, 10)
        assert status == 201, (status, error)
    return count / (time.perf_counter() - began)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=sized(full=200, quick=50))
    parser.add_argument("--rounds", type=int, default=sized(full=3, quick=2))
    args = parser.parse_args()
    proc, url = start_refsys()
    try:
        region = Region.objects.create(code="441803", name="清新区", level="district")
        department = Department.objects.create(code="QX-WJJ", name="清远市清新区卫生健康局", short_name="区卫生健康局",
                                               region=region)
        system = DepartmentSystem.objects.create(department=department, name="区卫生健康局审批系统", base_url=url,
                                                 active=True)
        DepartmentKey.objects.create(system=system, key_id="k1", secret=SECRET)
        raw_round(url, 20, 10_000_000)  # warm both paths
        relay_round(department, 20, 1)
        relayed, raw = [], []
        next_n = 21
        for _ in range(args.rounds):
            raw.append(raw_round(url, args.messages, 20_000_000 + next_n))
            relayed.append(relay_round(department, args.messages, next_n))
            next_n += args.messages
            print(f"round: relay {relayed[-1]:.0f} msg/s, raw signed POST {raw[-1]:.0f} req/s")
        r, w = statistics.median(relayed), statistics.median(raw)
        print(f"relay {r:.0f} msg/s delivered vs raw HTTP round trip {w:.0f} req/s ({r / w:.0%} of raw), "
              f"{args.messages} messages x {args.rounds} rounds, loopback")
        delivered = OutboxMessage.objects.filter(status=OutboxMessage.Status.DELIVERED).count()
        expected = 20 + args.messages * args.rounds
        result = Result("bench_relay", "outbox relay, ms per message delivered to the reference system")
        result.measured(figure=1000 / r, baseline=1000 / w, unit="ms",
                        baseline_label="one raw signed POST to the same system, alternating rounds")
        result.ratio_at_most(4)
        result.check(f"all {expected} messages delivered, none left pending",
                     delivered == expected and not OutboxMessage.objects.exclude(
                         status=OutboxMessage.Status.DELIVERED).exists())
    finally:
        proc.terminate()
        proc.wait(10)
    result.finish()


if __name__ == "__main__":
    main()
