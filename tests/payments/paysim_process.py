"""The sandbox payment provider as a real process on a free port, for tests (like
tests/exchange/refsys_process.py for the department system)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class PaySimProcess:
    def __init__(self, *, db: Path, merchant: str, keys: dict[str, str], port: int = 0):
        self.db, self.merchant, self.keys, self.port = db, merchant, dict(keys), port
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PaySimProcess:
        args = [sys.executable, "-m", "paysim", "--port", str(self.port), "--db", str(self.db),
                "--merchant", self.merchant, "--max-backoff", "0.5", "--log-level", "WARNING"]
        for key_id, secret in self.keys.items():
            args += ["--key", f"{key_id}:{secret}"]
        log = open(self.db.with_suffix(".log"), "ab")  # noqa: SIM115 - kept open with the process
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, env=os.environ.copy())
        line = self.proc.stdout.readline().decode()
        if not line.startswith("READY port="):
            self.proc.kill()
            raise RuntimeError(f"paysim did not start: {line!r}; see {self.db.with_suffix('.log')}")
        self.port = int(line.strip().split("=", 1)[1])
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

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

    def pay(self, out_trade_no: str) -> dict:
        """What the citizen's 确认支付 button does."""
        return self._local("POST", f"/_control/pay/{out_trade_no}", {})

    def plant(self, *, day: str, out_trade_no: str, amount_fen: int, type: str = "pay") -> dict:  # noqa: A002
        return self._local("POST", "/_control/statement/", {"day": day, "out_trade_no": out_trade_no,
                                                             "amount_fen": amount_fen, "type": type})

    def wait_until(self, predicate, *, seconds=20.0, what="condition"):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")
