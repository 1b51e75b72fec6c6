"""The reference department system as a real process on a free port, for tests and the bench."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from exchange import signing

ROOT = Path(__file__).resolve().parents[2]


class RefProcess:
    """`python -m refsys` with its own SQLite file. `stop()`/`start()` keep port and storage, so
    a test can take the system down and bring it back as it was."""

    def __init__(self, *, db: Path, department: str, keys: dict[str, str], portal: str = "http://127.0.0.1:9",
                 port: int = 0, extra: tuple[str, ...] = ()):
        self.db, self.department, self.keys, self.portal = db, department, dict(keys), portal
        self.port, self.extra = port, extra
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> RefProcess:
        args = [sys.executable, "-m", "refsys", "--port", str(self.port), "--db", str(self.db),
                "--department", self.department, "--portal", self.portal, "--max-backoff", "1",
                "--log-level", "WARNING", *self.extra]
        for key_id, secret in self.keys.items():
            args += ["--key", f"{key_id}:{secret}"]
        log = open(self.db.with_suffix(".log"), "ab")  # noqa: SIM115 - kept open with the process
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, env=os.environ.copy())
        line = self.proc.stdout.readline().decode()
        if not line.startswith("READY port="):
            self.proc.kill()
            raise RuntimeError(f"refsys did not start: {line!r}; see {self.db.with_suffix('.log')}")
        self.port = int(line.strip().split("=", 1)[1])
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    # the loopback control and operator endpoints
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

    def decide(self, case_ref: str, kind: str, **data) -> dict:
        return self._local("POST", f"/_operator/decide/{case_ref}/", {"kind": kind, **data})

    def publish_catalog(self, matters: list) -> int:
        return self._local("POST", "/_control/catalog/", {"matters": matters})["version"]

    # the signed API, as the portal calls it
    def call(self, method: str, path: str, payload=None, *, key_id=None, headers=None, raw: bytes | None = None):
        """(status, answer) of a signed request; `headers` overrides signed ones (forgeries)."""
        body = raw if raw is not None else (json.dumps(payload).encode() if payload is not None else b"")
        key_id = key_id or next(iter(self.keys))
        signed = signing.sign_headers(department=self.department, key_id=key_id, secret=self.keys[key_id],
                                      method=method, path=path, body=body)
        request = urllib.request.Request(self.url + path, data=body if method != "GET" else None, method=method,
                                         headers={**signed, "Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def wait_until(self, predicate, *, seconds=20.0, what="condition"):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")
