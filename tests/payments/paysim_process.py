"""The sandbox payment provider as a real process on a free port, for tests (like
tests/exchange/refsys_process.py for the department system)."""

from __future__ import annotations

from pathlib import Path

from tests.reference_process import ReferenceProcess


class PaySimProcess(ReferenceProcess):
    module = "paysim"

    def __init__(self, *, db: Path, merchant: str, keys: dict[str, str], port: int = 0):
        super().__init__(db=db, port=port)
        self.merchant, self.keys = merchant, dict(keys)

    def arguments(self) -> list[str]:
        args = ["--merchant", self.merchant, "--max-backoff", "0.5", "--log-level", "WARNING"]
        for key_id, secret in self.keys.items():
            args += ["--key", f"{key_id}:{secret}"]
        return args

    def pay(self, out_trade_no: str) -> dict:
        """What the citizen's 确认支付 button does."""
        return self._local("POST", f"/_control/pay/{out_trade_no}", {})

    def plant(self, *, day: str, out_trade_no: str, amount_fen: int, type: str = "pay") -> dict:  # noqa: A002
        return self._local("POST", "/_control/statement/", {"day": day, "out_trade_no": out_trade_no,
                                                             "amount_fen": amount_fen, "type": type})
