"""The reference SMS gateway as a real process on a free port, for tests (like
tests/payments/paysim_process.py for the payment provider)."""

from __future__ import annotations

from pathlib import Path

from tests.reference_process import ReferenceProcess


class SmsSimProcess(ReferenceProcess):
    module = "smssim"

    def __init__(self, *, db: Path, account: str, keys: dict[str, str], port: int = 0):
        super().__init__(db=db, port=port)
        self.account, self.keys = account, dict(keys)

    def arguments(self) -> list[str]:
        args = ["--account", self.account, "--max-backoff", "0.5", "--deliver-delay", "0.1", "--log-level", "WARNING"]
        for key_id, secret in self.keys.items():
            args += ["--key", f"{key_id}:{secret}"]
        return args

    def messages(self) -> list[dict]:
        """What the gateway holds: one row per message (its `sends` counts the sends of it)."""
        return self._local("GET", "/_control/messages/")

    def pushes(self) -> list[dict]:
        """The notices pushed to the mobile app (one row per push; `sends` counts the sends of it)."""
        return self._local("GET", "/_control/pushes/")
