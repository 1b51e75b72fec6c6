"""A reference program of another organisation (refsys, paysim) as a real process on a free port,
for tests and benches: started with its own storage, it prints `READY port=N`; `stop()`/`start()`
keep port and storage, so a test can take it down and bring it back as it was. Subclasses name the
module and its own arguments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class ReferenceProcess:
    module = ""  # `python -m <module>`

    def __init__(self, *, db: Path, port: int = 0):
        self.db, self.port = db, port
        self.proc: subprocess.Popen | None = None

    def arguments(self) -> list[str]:
        """The program's own arguments besides --port and --db."""
        return []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        args = [sys.executable, "-m", self.module, "--port", str(self.port), "--db", str(self.db), *self.arguments()]
        log = open(self.db.with_suffix(".log"), "ab")  # noqa: SIM115 - kept open with the process
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, env=os.environ.copy())
        line = self.proc.stdout.readline().decode()
        if not line.startswith("READY port="):
            self.proc.kill()
            raise RuntimeError(f"{self.module} did not start: {line!r}; see {self.db.with_suffix('.log')}")
        self.port = int(line.strip().split("=", 1)[1])
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    # the loopback control endpoints
    def _local(self, method: str, path: str, data=None):
        body = json.dumps(data).encode() if data is not None else None
        request = urllib.request.Request(self.url + path, data=body, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def control(self, **settings) -> dict:
        return self._local("POST", "/_control/", settings)

    def stats(self) -> dict:
        return self._local("GET", "/_control/")

    def wait_until(self, predicate, *, seconds=20.0, what="condition"):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")
