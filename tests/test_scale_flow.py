"""Two web and two worker processes on one PostgreSQL and one Redis (issue 15, "done when"):
gunicorn on two ports, two Celery workers consuming every queue, one beat; applications are
submitted on web A, accepted on web B, decided on either; the workers dispatch, issue notices,
licences and results; every notice, dispatch, licence and result is made exactly once.
Sessions, the cache and the broker are the test's own Redis; uploads a folder both webs and
both workers share. Runs without Docker:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban_x \\
      .venv/bin/python -m pytest -s tests/test_scale_flow.py

FLOW_APPLICATIONS (8) sets how many applications go through.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from knox.models import AuthToken

from core.models import Intent
from matters.models import MaterialRequirement
from tests.factories import (
    PDF_BYTES,
    ClerkFactory,
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    form_for,
    theme_with,
)
from tests.redis_process import RedisServer
from tests.workflow.outage_work import database_url, settle, wait
from workflow.calendar_store import seed_calendar
from workflow.models import Application, SubCase

ROOT = Path(__file__).resolve().parents[1]
COUNT = int(os.environ.get("FLOW_APPLICATIONS", "8"))

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server (apt-get install redis-server)"),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="two webs, two workers and a beat write at once: PostgreSQL (DATABASE_URL)"),
]


class Process:
    def __init__(self, name: str, args: list[str], env: dict, workdir: Path):
        self.name, self.log = name, workdir / f"{name}.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)

    def tail(self, lines: int = 30) -> str:
        return f"--- {self.name}\n" + "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


class Web:
    def __init__(self, name: str, port: int, env: dict, workdir: Path):
        self.url = f"http://127.0.0.1:{port}"
        self.process = Process(f"web-{name}", ["gunicorn", "portal.wsgi:application", "-b", f"127.0.0.1:{port}",
                                               "-w", "2", "--timeout", "120"], env, workdir)
        self.requests = 0

    def up(self) -> bool:
        try:
            return requests.get(self.url + "/healthz/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def post(self, path: str, token: str, **kwargs) -> requests.Response:
        self.requests += 1
        return requests.post(self.url + path, headers={"Authorization": f"Token {token}"}, timeout=120, **kwargs)


@pytest.fixture
def plant(tmp_path):
    from refsys.server import free_port

    seed_calendar(years=[2026])
    from core.pdf import font_file
    font_file()  # the PDF face cut once here, not by each worker during the flow
    redis = RedisServer(free_port()).start()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=database_url(), REDIS_URL=redis.url,
               CELERY_BROKER_URL=redis.url, MEDIA_ROOT=str(tmp_path / "media"), INTENT_LEASE_SECONDS="10",
               INTENT_MAX_BACKOFF_SECONDS="20", INTENT_RELAY_INTERVAL_SECONDS="2", BEAT_LOCK_SECONDS="6",
               EXCHANGE_RELAY_INTERVAL_SECONDS="60", SWEEP_INTERVAL_SECONDS="600", FIGURES_REFRESH_SECONDS="600",
               PAYMENT_QUERY_INTERVAL_SECONDS="600")
    webs = [Web(name, free_port(), env, tmp_path) for name in ("a", "b")]
    workers = [Process(f"worker-{name}", ["celery", "-A", "portal", "worker", "--pool=solo", "--without-gossip",
                                          "--without-mingle", "-n", f"flow-{name}-{os.getpid()}@%h", "-l", "info"],
                       env, tmp_path) for name in ("a", "b")]
    beat = Process("beat", ["celery", "-A", "portal", "beat", "-s", str(tmp_path / "schedule"), "-l", "info"],
                   env, tmp_path)
    everything = [*(w.process for w in webs), *workers, beat]
    try:
        up = wait(lambda: all(w.up() for w in webs), seconds=180)
        assert up, "\n".join(p.tail() for p in everything)
        assert wait(lambda: all("ready." in w.log.read_text(errors="replace") for w in workers), seconds=180), (
            "\n".join(p.tail() for p in workers))
        yield webs, workers, everything
    finally:
        for process in everything:
            process.stop()
        redis.stop()


def token_for(user) -> str:
    return AuthToken.objects.create(user)[1]


def test_two_webs_and_two_workers_make_every_notice_once(plant):
    webs, workers, everything = plant
    upload = MaterialRequirement.Source.APPLICANT
    matters = [MatterFactory(department=DepartmentFactory(), target="natural", issues_licence=licensed,
                             result_name="测试许可证" if licensed else "", materials=[{"name": f"申请书{n}", "source": upload}])
               for n, licensed in enumerate((True, False))]
    theme = theme_with(matters, code="flow", name="两机测试一件事", target="natural")
    citizen, clerk = UserFactory(), ClerkFactory()
    reviewers = {m.department_id: token_for(ReviewerFactory(department=m.department)) for m in matters}
    citizen_token, clerk_token = token_for(citizen), token_for(clerk)
    requirements = [r for m in matters for r in m.materials.all() if r.source == upload]
    began = time.monotonic()

    numbers = []
    for _ in range(COUNT):  # submitted on web A
        files = {f"material_{r.pk}": (f"{r.name}.pdf", PDF_BYTES, "application/pdf") for r in requirements}
        answer = webs[0].post("/api/applications/", citizen_token, files=files,
                              data={"theme": theme.code, "form_data": json.dumps(form_for(matters, citizen))})
        assert answer.status_code == 201, answer.text[:500]
        numbers.append(answer.json()["number"])
    for number in numbers:  # accepted on web B
        answer = webs[1].post(f"/api/applications/{number}/accept/", clerk_token, json={})
        assert answer.status_code == 200, answer.text[:500]

    subcases = SubCase.objects.filter(application__number__in=numbers)
    dispatched = wait(lambda: subcases.filter(state=SubCase.State.DISPATCHED).count() == 2 * COUNT, seconds=240)
    assert dispatched, "\n".join(p.tail() for p in everything)
    for n, (number, department) in enumerate(subcases.order_by("pk").values_list("number", "department_id")):
        verb, body = ("deny", {"reason": "不符合法定条件"}) if n % 5 == 4 else ("approve", {"reason": ""})
        answer = webs[n % 2].post(f"/api/subcases/{number}/{verb}/", reviewers[department], json=body)
        assert answer.status_code == 200, answer.text[:500]

    counted = settle(seconds=300)
    took = time.monotonic() - began
    done = {w.name: w.log.read_text(errors="replace").count(" succeeded in ") for w in workers}
    print(f"\n{COUNT} applications through two webs ({webs[0].requests} and {webs[1].requests} requests) and two "
          f"workers ({done}) in {took:.0f} s")
    print(counted.line("two webs, two workers"))
    assert Application.objects.filter(number__in=numbers, concluded_at__isnull=False).count() == COUNT, (
        "\n".join(p.tail() for p in everything))
    assert counted.kinds["acceptance notices"].expected == COUNT and counted.kinds["licences"].expected > 0
    assert (counted.missing, counted.duplicated, counted.pending_intents) == (0, 0, 0), (
        f"{counted}\n" + "\n".join(p.tail() for p in everything))
    assert all(n > 0 for n in done.values()), done  # both workers took their share
    assert Intent.objects.filter(status=Intent.Status.PENDING).count() == 0
    assert all(p.proc.poll() is None for p in everything)
