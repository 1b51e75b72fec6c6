"""The users of bench_load.py's load test, for locust (a helper module, not a benchmark: the
runner runs only bench_*.py; bench_load.py starts `python -m locust -f bench/_locustfile.py`
itself, once per phase, and reads what this file writes).

Everyone speaks to gunicorn as the proxy would (X-Forwarded-Proto: https from 127.0.0.1, a
trusted proxy): API clients with a knox token, staff pages with a session (signed in with a TOTP
device, as the hall's staff are). The classes (bench_load.py names those of a phase on the
command line):

- Submitter: a citizen's one-form submission of the 3-matter theme with 9 PDFs (multipart, as
  the API documents), no think time; in the mixed phase each number goes to the clerks' queue.
- MinimalInserter: the same request to the baseline's minimal insert (bench/_minimal_insert.py).
- Clerk: reads the hall's worklist (/hall/), accepts the next waiting application over the API;
  its three sub-cases go to their departments' reviewers. Nothing waiting: reads again after 1 s.
- Reviewer: reads 审批 待办 (/review/), approves the next sub-case of their department over the
  API. Nothing waiting: reads again after 1 s.
- Reader: a citizen following their cases: 我的办件 over the API and as a page, then one case;
  one second of think time between visits.

Every request is recorded (kind, start, end, status, outcome: ok / error / timeout) and written
with the numbers answered to BENCH_LOAD_OUT when locust quits. A request not answered within
BENCH_LOAD_TIMEOUT seconds (default 30: a proxy's patience) is a time-out.
"""

import base64
import itertools
import json
import os
import time
import uuid
from collections import deque

import gevent
from locust import FastHttpUser, constant, events, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"], encoding="utf-8").read())
OUT = os.environ["BENCH_LOAD_OUT"]
TIMEOUT = float(os.environ.get("BENCH_LOAD_TIMEOUT", "30"))
MIXED = os.environ.get("BENCH_LOAD_PHASE") == "mixed"
PDF = base64.b64decode(PLAN["pdf"])
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}

records = []  # [kind, start, end, status, outcome]
answered = {"submit": [], "accept": [], "decide": []}
marks = {}
waiting = deque(PLAN.get("waiting", []))  # applications for the clerks
to_decide = {department: deque() for department in PLAN["reviewers"]}
_serial = itertools.count()
# the mixed phase's 64: fixed counts; a phase of one class spawns every user of that class
MIX = {"Submitter": 28, "Clerk": 8, "Reviewer": 12, "Reader": 16} if MIXED else {}


def multipart(n: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []

    def field(name, value, filename=None, content_type=None):
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        if filename:
            head += f'; filename="{filename}"\r\nContent-Type: {content_type}'
        parts.append(head.encode() + b"\r\n\r\n" + (value if isinstance(value, bytes) else value.encode()) + b"\r\n")

    form = {key: template.replace("{n}", str(n)) for key, template in PLAN["form"]}
    field("theme", PLAN["theme"])
    field("form_data", json.dumps(form, ensure_ascii=False))
    field("name", f"陈志明{n}")
    for requirement, filename in PLAN["uploads"]:
        field(f"material_{requirement}", PDF, filename, "application/pdf")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def outcome_of(exception) -> str:
    if exception is None:
        return "ok"
    text = f"{type(exception).__name__} {exception}".lower()
    return "timeout" if isinstance(exception, (TimeoutError, gevent.Timeout)) or "timed out" in text or "timeout" in text else "error"


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, **_kw):
    end = time.time()
    status = getattr(response, "status_code", 0) or 0
    records.append([name, end - response_time / 1000, end, status, outcome_of(exception)])


@events.spawning_complete.add_listener
def _spawned(user_count, **_kw):
    marks["spawned"] = time.time()


@events.test_stopping.add_listener
def _stopping(**_kw):
    marks.setdefault("stopping", time.time())


@events.quitting.add_listener
def _write(**_kw):
    marks.setdefault("stopping", time.time())
    with open(OUT, "w", encoding="utf-8") as out:
        json.dump({"records": records, "answered": answered, "marks": marks, "left_waiting": len(waiting)}, out)


class _Base(FastHttpUser):
    abstract = True
    network_timeout = connection_timeout = TIMEOUT
    wait_time = constant(0)

    def api(self, method, path, name, expect, **kwargs):
        """One API call with the user's token; returns the answer's JSON when its status is `expect`."""
        headers = {**PROXY, "Authorization": f"Token {self.token}", **kwargs.pop("headers", {})}
        with self.client.request(method, path, name=name, headers=headers, catch_response=True, **kwargs) as response:
            if response.status_code != expect:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")
                return None
            try:
                return response.json()
            except ValueError:
                response.failure("not JSON")
                return None

    def page(self, path, name):
        """One page with the user's session; a redirect (to the sign-in) is a failure."""
        headers = {**PROXY, "Cookie": f"{PLAN['session_cookie']}={self.session}"}
        with self.client.get(path, name=name, headers=headers, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class Submitter(_Base):
    fixed_count = MIX.get("Submitter", 0)

    def on_start(self):
        n = next(_serial)
        self.token = PLAN["citizens"][n % len(PLAN["citizens"])]["token"]
        self.n = n * 100_000

    @task
    def submit(self):
        self.n += 1
        body, content_type = multipart(self.n)
        answer = self.api("POST", "/api/applications/", "submit", 201, data=body,
                          headers={"Content-Type": content_type})
        if answer and answer.get("number"):
            answered["submit"].append(answer["number"])
            if MIXED:
                waiting.append(answer["number"])


class MinimalInserter(_Base):
    fixed_count = MIX.get("MinimalInserter", 0)

    def on_start(self):
        n = next(_serial)
        self.token = PLAN["citizens"][n % len(PLAN["citizens"])]["token"]
        self.n = n * 100_000

    @task
    def insert(self):
        self.n += 1
        body, content_type = multipart(self.n)
        self.api("POST", "/bench/minimal-insert/", "minimal insert", 201, data=body,
                 headers={"Content-Type": content_type})


class Clerk(_Base):
    fixed_count = MIX.get("Clerk", 0)

    def on_start(self):
        me = PLAN["clerks"][next(_serial) % len(PLAN["clerks"])]
        self.token, self.session = me["token"], me["session"]

    @task
    def accept_next(self):
        self.page("/hall/", "list /hall/ (page)")
        if not waiting:
            gevent.sleep(1)
            return
        number = waiting.popleft()
        answer = self.api("POST", f"/api/applications/{number}/accept/", "accept", 200, json={})
        if answer:
            answered["accept"].append(number)
            for subcase in answer.get("subcases", []):
                if subcase["department"] in to_decide:
                    to_decide[subcase["department"]].append(subcase["number"])


class Reviewer(_Base):
    fixed_count = MIX.get("Reviewer", 0)

    def on_start(self):
        departments = sorted(PLAN["reviewers"])
        n = next(_serial)
        self.department = departments[n % len(departments)]
        people = PLAN["reviewers"][self.department]
        me = people[(n // len(departments)) % len(people)]
        self.token, self.session = me["token"], me["session"]

    @task
    def decide_next(self):
        self.page("/review/", "list /review/ (page)")
        queue = to_decide[self.department]
        if not queue:
            gevent.sleep(1)
            return
        number = queue.popleft()
        if self.api("POST", f"/api/subcases/{number}/approve/", "decide", 200, json={"reason": ""}):
            answered["decide"].append(number)


class Reader(_Base):
    fixed_count = MIX.get("Reader", 0)
    wait_time = constant(1)

    def on_start(self):
        me = PLAN["readers"][next(_serial) % len(PLAN["readers"])]
        self.token, self.session = me["token"], me["session"]

    @task
    def follow(self):
        answer = self.api("GET", "/api/applications/?page_size=20", "list /api/applications/", 200)
        self.page("/applications/", "list /applications/ (page)")
        mine = [row["number"] for row in (answer or {}).get("results", []) if not row["number"].startswith("MIN-")]
        if mine:  # a case of theirs (not one of the baseline's minimal rows)
            number = mine[0]
            self.api("GET", f"/api/applications/{number}/", "case /api/applications/<n>/", 200)
