"""Signatures of exchange messages (docs/exchange-protocol.md), pure functions.

A request is signed with HMAC-SHA256 under a department's shared key over five lines:

    METHOD \\n PATH-WITH-QUERY \\n TIMESTAMP \\n NONCE \\n hex(SHA-256(body))

and carries `X-Tongban-Department`, `X-Tongban-Key` (the key id), `X-Tongban-Timestamp` (Unix
seconds), `X-Tongban-Nonce` (16 random bytes in hex) and `X-Tongban-Signature` (hex).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

H_DEPARTMENT = "X-Tongban-Department"
H_KEY = "X-Tongban-Key"
H_TIMESTAMP = "X-Tongban-Timestamp"
H_NONCE = "X-Tongban-Nonce"
H_SIGNATURE = "X-Tongban-Signature"
TIMESTAMP_WINDOW = 300  # seconds either way; a nonce is remembered for twice as long


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join([method.upper(), path, timestamp, nonce, body_digest(body)]).encode()


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return hmac.new(secret.encode(), canonical(method, path, timestamp, nonce, body), hashlib.sha256).hexdigest()


def sign_headers(*, department: str, key_id: str, secret: str, method: str, path: str, body: bytes,
                 now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_hex(16)
    return {
        H_DEPARTMENT: department, H_KEY: key_id, H_TIMESTAMP: timestamp, H_NONCE: nonce,
        H_SIGNATURE: signature(secret, method, path, timestamp, nonce, body),
    }


def matches(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes, given: str) -> bool:
    return hmac.compare_digest(signature(secret, method, path, timestamp, nonce, body), given or "")


def is_fresh(timestamp: str, *, now: float | None = None) -> bool:
    try:
        return abs((time.time() if now is None else now) - int(timestamp)) <= TIMESTAMP_WINDOW
    except (TypeError, ValueError):
        return False


def new_secret() -> str:
    return secrets.token_urlsafe(32)
