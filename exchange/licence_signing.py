"""Signatures of what the portal issues — electronic licences (电子证照) and notices (文书) — with
Ed25519 (RFC 8032) over the document's content digest, by the issuer's key (`IssuerKey`: a
department, a hall, or the service centre itself), with `cryptography`'s primitives. SM2/SM3 was
the issue's first choice; no kept Python library does SM2 signatures well enough (gmssl's is
unmaintained and not constant-time), so Ed25519 — see docs/decisions.md.

The digest is the SHA-256 of the document's canonical content (core.digests.content_digest), so
the signature covers everything the document states; the verification pages check it with the
public key and show whether it holds. `verify` takes any object with `digest`, `signature` and
`signing_key` (ElectronicLicence, workflow.Notice)."""

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
CENTRE_CODE = "ZWFWZX"  # the key prefix of the service centre itself (no department, no hall)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Signed:
    signature: str
    key: IssuerKey


def issuer_key(department=None, *, hall=None) -> IssuerKey:
    """The issuer's signing key — a department's, a hall's, or (neither given) the service
    centre's — made on first use (two first uses at once: one key each is harmless — the newest
    signs, both verify)."""
    if department is not None and hall is not None:
        raise ValueError("a key belongs to a department or a hall, not both")
    key = IssuerKey.objects.filter(department=department, hall=hall, active=True).order_by("-created_at", "-pk").first()
    if key is not None:
        return key
    with transaction.atomic():
        return _new_key(department, hall)


def _new_key(department, hall) -> IssuerKey:
    private = Ed25519PrivateKey.generate()
    prefix = department.code if department is not None else hall.code if hall is not None else CENTRE_CODE
    return IssuerKey.objects.create(
        department=department, hall=hall, key_id=f"{prefix}-{secrets.token_hex(4)}"[:32],
        public_key=_b64(private.public_key().public_bytes(**RAW)),
        private_key=_b64(private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                               serialization.NoEncryption())))


@transaction.atomic
def rotate(*, key: IssuerKey) -> IssuerKey:
    """A new key for `key`'s issuer becomes its signing key; the issuer's earlier keys stop
    signing but are kept, so everything they signed still verifies (a document names its key)."""
    earlier = list(IssuerKey.objects.select_for_update().filter(department_id=key.department_id, hall_id=key.hall_id))
    IssuerKey.objects.filter(pk__in=[k.pk for k in earlier]).update(active=False)
    return _new_key(key.department, key.hall)


def sign(*, digest: str, department=None, hall=None) -> Signed:
    key = issuer_key(department, hall=hall)
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key.private_key))
    return Signed(signature=_b64(private.sign(digest.encode("ascii"))), key=key)


def verify(document) -> bool | None:
    """True: the signature over the document's digest holds under its issuer's public key; False:
    it does not (the digest or the signature was changed); None: it was never signed."""
    if not document.signature or document.signing_key_id is None:
        return None
    key = document.signing_key
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
        public.verify(base64.b64decode(document.signature), document.digest.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True
