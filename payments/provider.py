"""The payment provider's protocol (docs/payment-protocol.md) as the portal speaks it: signed
requests to create, query and refund orders and read the day's statement, and the check of the
provider's signed notifications. Signatures are the exchange's (exchange.signing) under the
merchant key, with the provider's header names."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from exchange import signing

H_MERCHANT, H_KEY, H_TS, H_NONCE, H_SIG = (
    "X-Pay-Merchant", "X-Pay-Key", "X-Pay-Timestamp", "X-Pay-Nonce", "X-Pay-Signature",
)


class ProviderError(Exception):
    """The provider could not be reached or refused; `status` 0 when unreachable."""

    def __init__(self, message: str, status: int = 0, answer: dict | None = None):
        super().__init__(message)
        self.status, self.answer = status, answer or {}


@dataclass(frozen=True)
class Provider:
    url: str
    merchant: str
    key_id: str
    secret: str
    timeout: float = 10.0

    @classmethod
    def configured(cls) -> Provider | None:
        if not (settings.PAYMENT_PROVIDER_URL and settings.PAYMENT_SECRET):
            return None
        return cls(url=settings.PAYMENT_PROVIDER_URL.rstrip("/"), merchant=settings.PAYMENT_MERCHANT,
                   key_id=settings.PAYMENT_KEY_ID, secret=settings.PAYMENT_SECRET)

    def _call(self, method: str, path: str, payload: dict | None = None) -> dict:
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        ts, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {H_MERCHANT: self.merchant, H_KEY: self.key_id, H_TS: ts, H_NONCE: nonce,
                   H_SIG: signing.signature(self.secret, method, path, ts, nonce, body),
                   "Content-Type": "application/json"}
        request = urllib.request.Request(self.url + path, data=body if method != "GET" else None, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read() or b"{}")
            except ValueError:
                answer = {}
            raise ProviderError(answer.get("message") or f"HTTP {error.code}", error.code, answer) from error
        except (OSError, ValueError) as error:
            raise ProviderError(str(error)) from error

    def create_order(self, *, out_trade_no: str, amount_fen: int, subject: str, notify_url: str,
                     return_url: str) -> dict:
        return self._call("POST", "/api/orders/", {"out_trade_no": out_trade_no, "amount_fen": amount_fen,
                                                   "subject": subject, "notify_url": notify_url,
                                                   "return_url": return_url})

    def query(self, out_trade_no: str) -> dict:
        return self._call("GET", f"/api/orders/{out_trade_no}/")

    def refund(self, *, out_trade_no: str, out_refund_no: str, amount_fen: int, reason: str) -> dict:
        return self._call("POST", "/api/refunds/", {"out_trade_no": out_trade_no, "out_refund_no": out_refund_no,
                                                    "amount_fen": amount_fen, "reason": reason})

    def statement(self, day: str) -> dict:
        return self._call("GET", f"/api/statements/{day}/")


def notification_is_authentic(*, path: str, headers, body: bytes) -> bool:
    """The provider signed this notification with our merchant key, recently."""
    secret = settings.PAYMENT_SECRET
    merchant, key_id, ts, nonce, sig = (headers.get(h, "") for h in (H_MERCHANT, H_KEY, H_TS, H_NONCE, H_SIG))
    if not secret or merchant != settings.PAYMENT_MERCHANT or key_id != settings.PAYMENT_KEY_ID:
        return False
    return signing.is_fresh(ts) and signing.matches(secret, "POST", path, ts, nonce, body, sig)
