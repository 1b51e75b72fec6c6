"""What a terminal device signs (docs/terminal-protocol.md), pure functions.

The five lines of the exchange's signatures (`exchange.signing.canonical`: method, path with
query, Unix timestamp, nonce, SHA-256 of the body), signed with the device's Ed25519 key instead
of a shared secret, so that the portal holds nothing that could sign as a terminal. Headers:
`X-Tongban-Terminal` (the terminal's code), `X-Tongban-Timestamp`, `X-Tongban-Nonce`,
`X-Tongban-Signature` (Base64)."""

from __future__ import annotations

import base64
import binascii
import secrets
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from exchange.signing import H_NONCE, H_SIGNATURE, H_TIMESTAMP, TIMESTAMP_WINDOW, canonical, is_fresh  # noqa: F401 (the exchange's names, re-used by terminals.services)

H_TERMINAL = "X-Tongban-Terminal"


def new_key_pair() -> tuple[str, str]:
    """(private, public), both Base64 of the raw 32 bytes: what a device makes once at set-up."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()


def sign_headers(
    *,
    terminal: str,
    private_key: str,
    method: str,
    path: str,
    body: bytes,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_hex(16)
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    signed = private.sign(canonical(method, path, timestamp, nonce, body))
    return {
        H_TERMINAL: terminal,
        H_TIMESTAMP: timestamp,
        H_NONCE: nonce,
        H_SIGNATURE: base64.b64encode(signed).decode(),
    }


def matches(public_key: str, method: str, path: str, timestamp: str, nonce: str, body: bytes, given: str) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        public.verify(base64.b64decode(given or "", validate=True), canonical(method, path, timestamp, nonce, body))
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


def valid_public_key(value: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(value, validate=True))
    except (ValueError, binascii.Error):
        return False
    return True
