"""The reference terminal agent as a real process on a free port, for tests (like
tests/payments/paysim_process.py for the payment sandbox)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.reference_process import ROOT, ReferenceProcess


class TermSimProcess(ReferenceProcess):
    module = "termsim"

    def __init__(self, *, db: Path, portal: str, terminal: str, beat_seconds: float = 30.0, port: int = 0):
        super().__init__(db=db, port=port)
        self.portal, self.terminal, self.beat_seconds = portal, terminal, beat_seconds

    def public_key(self) -> str:
        """The device's public key (its key pair made on first use, kept in its own file)."""
        return subprocess.run(
            [sys.executable, "-m", "termsim", "--db", str(self.db), "--print-public-key"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()

    def arguments(self) -> list[str]:
        return [
            "--portal",
            self.portal,
            "--terminal",
            self.terminal,
            "--beat-seconds",
            str(self.beat_seconds),
            "--log-level",
            "WARNING",
        ]

    def insert(self, *, name: str, id_number: str) -> dict:
        """The resident puts their ID card on the reader."""
        return self._local("POST", "/_control/card/", {"name": name, "id_number": id_number})

    def remove(self) -> dict:
        return self._local("POST", "/_control/card/remove", {})

    def beat(self) -> dict:
        return self._local("POST", "/_control/beat", {})
