"""The reference department system as a real process on a free port, for tests and the bench."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from exchange import signing
from tests.reference_process import ReferenceProcess


class RefProcess(ReferenceProcess):
    """`python -m refsys` with its own SQLite file."""

    module = "refsys"

    def __init__(self, *, db: Path, department: str, keys: dict[str, str], portal: str = "http://127.0.0.1:9",
                 port: int = 0, extra: tuple[str, ...] = ()):
        super().__init__(db=db, port=port)
        self.department, self.keys, self.portal, self.extra = department, dict(keys), portal, extra

    def arguments(self) -> list[str]:
        args = ["--department", self.department, "--portal", self.portal, "--max-backoff", "1",
                "--log-level", "WARNING", *self.extra]
        for key_id, secret in self.keys.items():
            args += ["--key", f"{key_id}:{secret}"]
        return args

    def decide(self, case_ref: str, kind: str, **data) -> dict:
        return self._local("POST", f"/_operator/decide/{case_ref}/", {"kind": kind, **data})

    def files(self, case_ref: str | None = None) -> list[dict]:
        """The materials' files it fetched from the portal (state, size, digests), from its own store."""
        return self._local("GET", "/_control/files/" + (f"?case={case_ref}" if case_ref else ""))["files"]

    def file_bytes(self, file_id: int) -> bytes:
        with urllib.request.urlopen(f"{self.url}/_operator/files/{file_id}/", timeout=10) as response:
            return response.read()

    def page(self) -> str:
        with urllib.request.urlopen(self.url + "/", timeout=10) as response:
            return response.read().decode()

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
