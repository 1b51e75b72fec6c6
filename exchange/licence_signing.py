"""Signatures of electronic licences (issue 10 B): Ed25519 (RFC 8032) over the licence's content
digest, by the issuing department's key (`IssuerKey`), with `cryptography`'s primitives. SM2/SM3
was the issue's first choice; no kept Python library does SM2 signatures well enough (gmssl's
is unmaintained and not constant-time), so Ed25519 — see docs/decisions.md.

The digest is the SHA-256 of the licence's canonical content (core.digests.content_digest), so
the signature covers everything the licence states; the verification page checks it with the
public key and shows whether it holds."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import transaction

from .models import IssuerKey

RAW = {"encoding": serialization.Encoding.Raw, "format": serialization.PublicFormat.Raw}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Signed:
    signature: str
    key: IssuerKey


def issuer_key(department) -> IssuerKey:
    """The department's signing key, made on first use (two first uses at once: one key each is
    harmless — the newest signs, both verify)."""
    key = IssuerKey.objects.filter(department=department, active=True).order_by("-created_at", "-pk").first()
    if key is not None:
        return key
    private = Ed25519PrivateKey.generate()
    with transaction.atomic():
        return IssuerKey.objects.create(
            department=department, key_id=f"{department.code}-{secrets.token_hex(4)}",
            public_key=_b64(private.public_key().public_bytes(**RAW)),
            private_key=_b64(private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                   serialization.NoEncryption())))


def sign(*, department, digest: str) -> Signed:
    key = issuer_key(department)
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key.private_key))
    return Signed(signature=_b64(private.sign(digest.encode("ascii"))), key=key)


def verify(licence) -> bool | None:
    """True: the signature over the licence's digest holds under its issuer's public key; False:
    it does not (the digest or the signature was changed); None: the licence was never signed."""
    if not licence.signature or licence.signing_key_id is None:
        return None
    key = licence.signing_key
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
        public.verify(base64.b64decode(licence.signature), licence.digest.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True
