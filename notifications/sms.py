"""The messaging platform's protocol (docs/sms-protocol.md) as the portal speaks it: a signed send
of a text that names our own reference and is answered with the gateway's message id, the check of
the gateway's signed delivery receipts, and a signed push of a notice to the mobile app on a
registered device (the platform's app channel, same account and keys). The signature is the exchange's (docs/exchange-protocol.md:
HMAC-SHA256 over method, path, timestamp, nonce and the body's SHA-256) with the gateway's
header names; it is written out here because `notifications` sits below `exchange`.

`SmsProvider` is the interface the service speaks to; `HttpSmsGateway` is the one adapter (the
sandbox `python -m smssim` plays the gateway in the demo and the tests). The phone number goes
only into the request body: never into a log line or an error text of ours.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

H_ACCOUNT, H_KEY, H_TS, H_NONCE, H_SIG = (
    "X-Sms-Account",
    "X-Sms-Key",
    "X-Sms-Timestamp",
    "X-Sms-Nonce",
    "X-Sms-Signature",
)
TIMESTAMP_WINDOW = 300


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    lines = "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]).encode()
    return hmac.new(secret.encode(), lines, hashlib.sha256).hexdigest()


class GatewayError(Exception):
    """The gateway could not be reached or refused. `status` 0 when unreachable; `final` when the
    same send can never succeed (a malformed number, a reference reused for another text)."""

    def __init__(self, message: str, status: int = 0, code: str = ""):
        super().__init__(message)
        self.status, self.code = status, code

    @property
    def final(self) -> bool:
        return self.status in (400, 409) and self.code != "replayed_nonce"


class SmsProvider(Protocol):
    def send(self, *, client_ref: str, phone: str, text: str, receipt_url: str) -> str:
        """Hand the text over; returns the provider's message id. Raises GatewayError."""

    def push(self, *, client_ref: str, token: str, title: str, body: str, link: str) -> str:
        """Push a notice to the mobile app on the device of `token`; returns the provider's push id.
        Raises GatewayError."""

    def receipt_is_authentic(self, *, path: str, headers, body: bytes) -> bool:
        """The provider signed this delivery receipt, recently."""


@dataclass(frozen=True)
class HttpSmsGateway:
    url: str
    account: str
    key_id: str
    secret: str
    timeout: float = 5.0

    @classmethod
    def configured(cls) -> HttpSmsGateway | None:
        if not (settings.SMS_GATEWAY_URL and settings.SMS_SECRET):
            return None
        return cls(
            url=settings.SMS_GATEWAY_URL.rstrip("/"),
            account=settings.SMS_ACCOUNT,
            key_id=settings.SMS_KEY_ID,
            secret=settings.SMS_SECRET,
            timeout=float(settings.SMS_TIMEOUT_SECONDS),
        )

    def _call(self, method: str, path: str, payload: dict | None = None) -> dict:
        body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
        ts, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            H_ACCOUNT: self.account,
            H_KEY: self.key_id,
            H_TS: ts,
            H_NONCE: nonce,
            H_SIG: signature(self.secret, method, path, ts, nonce, body),
            "Content-Type": "application/json",
        }
        request = urllib.request.Request(
            self.url + path, data=body if method != "GET" else None, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            try:
                answer = json.loads(error.read() or b"{}")
            except ValueError:
                answer = {}
            raise GatewayError(
                f"HTTP {error.code} {answer.get('code', '')}".strip(), error.code, str(answer.get("code", ""))
            ) from error
        except (OSError, ValueError) as error:  # refused, timed out, not JSON: the text is ours, no number
            raise GatewayError(type(error).__name__) from error

    def send(self, *, client_ref: str, phone: str, text: str, receipt_url: str) -> str:
        answer = self._call(
            "POST",
            "/api/messages/",
            {"client_ref": client_ref, "phone": phone, "text": text, "receipt_url": receipt_url},
        )
        msg_id = str(answer.get("msg_id", ""))
        if not msg_id:
            raise GatewayError("no msg_id in the answer")
        return msg_id

    def push(self, *, client_ref: str, token: str, title: str, body: str, link: str) -> str:
        answer = self._call("POST", "/api/pushes/",
                            {"client_ref": client_ref, "token": token, "title": title, "body": body, "link": link})
        push_id = str(answer.get("push_id", ""))
        if not push_id:
            raise GatewayError("no push_id in the answer")
        return push_id

    def receipt_is_authentic(self, *, path: str, headers, body: bytes) -> bool:
        account, key_id, ts, nonce, sig = (headers.get(h, "") for h in (H_ACCOUNT, H_KEY, H_TS, H_NONCE, H_SIG))
        if account != self.account or key_id != self.key_id:
            return False
        try:
            fresh = abs(time.time() - int(ts)) <= TIMESTAMP_WINDOW
        except (TypeError, ValueError):
            return False
        return fresh and hmac.compare_digest(signature(self.secret, "POST", path, ts, nonce, body), sig or "")


def provider() -> SmsProvider | None:
    return HttpSmsGateway.configured()
