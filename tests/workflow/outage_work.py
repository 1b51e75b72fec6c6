"""Nothing lost (issue 12): the scenario shared by the short tests of the suite and the on-demand
long ones. A steady load of submissions, acceptances, refusals and decisions runs in the test
process through the services, while a Celery worker and beat run as processes of their own on the
test's PostgreSQL database and on a Redis server of the test's own (tests/redis_process.py). The
test stops Redis for a while, or SIGKILLs the worker mid-task again and again; then everything is
allowed to settle and every notice, dispatch and licence the committed changes imply is counted:
missing (expected, never made) and duplicated (made, or logged as made, more than once)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from core.models import Intent
from exchange.models import ElectronicLicence, ExchangeMessage
from tests.factories import ClerkFactory, DepartmentFactory, MatterFactory, ReviewerFactory, submitted_application
from workflow import services
from workflow.models import Application, CaseLog, Notice, SubCase

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class CeleryProcess:
    """`celery -A portal worker|beat` as its own process group on the test's database and broker,
    with the relay's lease shortened so recovery is seen within seconds."""

    def __init__(self, role: str, *, broker_url: str, workdir: Path, lease: float = 3.0, cap: float = 6.0,
                 beat: float = 1.0, **settings: str):
        self.role, self.workdir, self.proc, self.restarts = role, workdir, None, 0
        self.log = workdir / f"{role}.log"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_XDIST_WORKER", "REDIS_URL")}
        env.update(DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=database_url(), CELERY_BROKER_URL=broker_url,
                   MEDIA_ROOT=str(workdir / "media"), INTENT_LEASE_SECONDS=str(lease),
                   INTENT_MAX_BACKOFF_SECONDS=str(cap), INTENT_RELAY_INTERVAL_SECONDS=str(beat),
                   EXCHANGE_RELAY_INTERVAL_SECONDS="60", SWEEP_INTERVAL_SECONDS="600", FIGURES_REFRESH_SECONDS="600",
                   PAYMENT_QUERY_INTERVAL_SECONDS="600")
        env.update(settings)  # what a scenario sets otherwise, e.g. the exchange relay's tick
        self.env = env

    def start(self):
        if self.role == "worker":
            args = ["worker", "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
                    "-n", f"outage-{os.getpid()}@%h"]
        else:
            args = ["beat", "-s", str(self.workdir / "celerybeat-schedule")]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "portal", *args, "-l", "info"],
                                         cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        return self

    def restart_if_exited(self) -> bool:
        """What the deployment's supervisor does (compose `restart: unless-stopped`): a process
        that exited, e.g. a worker giving up on a broker that went away, is started again."""
        if self.proc is not None and self.proc.poll() is not None:
            self.restarts += 1
            self.start()
            return True
        return False

    def kill(self):
        """SIGKILL, no goodbye: the task in hand is neither finished nor acknowledged."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None


class Load:
    """Each step: one application submitted; the oldest submitted one accepted (every seventh
    refused instead); the sub-cases of applications accepted `lag` steps ago or earlier and since
    dispatched by the worker decided (every fifth denied). Two matters per application, of two
    departments, one issuing a licence."""

    def __init__(self, *, lag: int = 4):
        self.lag, self.steps, self.errors = lag, 0, []
        self.clerk = ClerkFactory()
        licensed = MatterFactory(department=DepartmentFactory(), issues_licence=True, result_name="测试许可证")
        plain = MatterFactory(department=DepartmentFactory(), issues_licence=False)
        self.matters = [licensed, plain]
        self.reviewers = {m.department_id: ReviewerFactory(department=m.department) for m in self.matters}
        self.accepted_at_step: list[tuple[int, int]] = []  # (step, application id)
        self.decided = 0

    def step(self):
        self.steps += 1
        try:
            submitted_application(matters=self.matters)
            waiting = Application.objects.filter(state=Application.State.SUBMITTED).order_by("pk").first()
            if waiting is not None:
                if self.steps % 7 == 0:
                    services.application_refuse(application=waiting, clerk=self.clerk, reason="材料与申请事项不符")
                else:
                    services.application_accept(application=waiting, clerk=self.clerk)
                    self.accepted_at_step.append((self.steps, waiting.pk))
            ripe = [pk for step, pk in self.accepted_at_step if step <= self.steps - self.lag]
            for subcase in (SubCase.objects.filter(application_id__in=ripe, application__state=Application.State.IN_REVIEW,
                                                   state=SubCase.State.DISPATCHED).order_by("pk")[:4]):
                self.decided += 1
                approve = self.decided % 5 != 0
                services.subcase_decide(subcase=subcase, reviewer=self.reviewers[subcase.department_id],
                                        approve=approve, reason="" if approve else "不符合法定条件")
        except Exception as error:  # a request that failed: the test reports it
            self.errors.append(f"{type(error).__name__}: {error}")


@dataclass
class Kind:
    expected: int = 0
    missing: int = 0
    duplicated: int = 0


@dataclass
class Tally:
    kinds: dict[str, Kind] = field(default_factory=dict)
    pending_intents: int = 0

    @property
    def missing(self) -> int:
        return sum(k.missing for k in self.kinds.values())

    @property
    def duplicated(self) -> int:
        return sum(k.duplicated for k in self.kinds.values())

    def line(self, label: str) -> str:
        parts = ", ".join(f"{name} {k.expected} (missing {k.missing}, duplicated {k.duplicated})"
                          for name, k in self.kinds.items())
        return f"{label}: {self.missing} missing, {self.duplicated} duplicated — {parts}; pending intents {self.pending_intents}"


def _kind(expected: set, made: Counter, *logged: Counter) -> Kind:
    duplicated = sum(n - 1 for n in made.values() if n > 1)
    for log in logged:
        duplicated += sum(n - 1 for n in log.values() if n > 1)
    return Kind(expected=len(expected), missing=len(expected - set(made)), duplicated=duplicated)


def _logged(action: str, by: str = "application_id") -> Counter:
    return Counter(CaseLog.objects.filter(action=action).values_list(by, flat=True))


def _notices(kind: str, by: str = "application_id") -> Counter:
    return Counter(Notice.objects.filter(kind=kind).values_list(by, flat=True))


def tally() -> Tally:
    accepted = set(Application.objects.filter(accepted_at__isnull=False).values_list("pk", flat=True))
    refused = set(Application.objects.filter(state=Application.State.NOT_ACCEPTED).values_list("pk", flat=True))
    concluded = set(Application.objects.filter(concluded_at__isnull=False).values_list("pk", flat=True))
    subcases = SubCase.objects.filter(application_id__in=accepted)
    numbers = set(subcases.values_list("number", flat=True))
    approved = subcases.filter(state=SubCase.State.APPROVED)
    denied = set(subcases.filter(state=SubCase.State.DENIED).values_list("pk", flat=True))
    licensed = set(approved.filter(matter__issues_licence=True).values_list("number", flat=True))
    made_dispatches = Counter(ExchangeMessage.objects.filter(kind=ExchangeMessage.Kind.DISPATCH)
                              .values_list("case_ref", flat=True))
    made_licences = Counter(ElectronicLicence.objects.values_list("case_ref", flat=True))
    return Tally(kinds={
        "acceptance notices": _kind(accepted, _notices("acceptance")),
        "refusal notices": _kind(refused, _notices("refusal")),
        "dispatches": _kind(numbers, made_dispatches, _logged("workflow.application.dispatched")),
        "approval notices": _kind(set(approved.values_list("pk", flat=True)), _notices("approval", "subcase_id")),
        "denial notices": _kind(denied, _notices("denial", "subcase_id")),
        "licences": _kind(licensed, made_licences, _logged("workflow.subcase.licence_issued", "subcase_id")),
        "results": _kind(concluded, _notices("conclusion"), _logged("workflow.application.result_ready")),
    }, pending_intents=Intent.objects.filter(status=Intent.Status.PENDING).count())


def supervisor(*processes):
    """What the deployment's supervisor does for each process (compose `restart: unless-stopped`),
    as a callable to run between steps: start it again when it exited. Celery's worker exits on
    some broker losses (kombu's "Unrecoverable error: … 'NoneType' object has no attribute
    'hostname'" while it closes the lost channel), seen once in a full run."""
    def supervise(*_elapsed):
        for process in processes:
            if process.restart_if_exited():
                print(f"{process.role} exited and was started again")
    return supervise


def settle(*, seconds: float, each=None) -> Tally:
    """Wait until nothing is missing and no intent is pending (or the time is up); says how long."""
    began = time.monotonic()
    deadline = began + seconds
    while True:
        if each is not None:
            each()
        counted = tally()
        if (counted.missing == 0 and counted.pending_intents == 0) or time.monotonic() > deadline:
            print(f"\nsettled for {time.monotonic() - began:.0f} s")
            return counted
        time.sleep(1)


def wait(predicate, *, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def running_intent_since(moment) -> int | None:
    """An intent a worker took after `moment` and has not finished: a run in progress."""
    return (Intent.objects.filter(status=Intent.Status.PENDING, taken_at__gt=moment)
            .order_by("-taken_at").values_list("pk", flat=True).first())
