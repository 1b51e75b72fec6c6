"""The hash chains' anchor outside the database.

The chain (core/audit.py) shows a changed, inserted or removed log row, but someone who can
write the database can also rewrite a day's tail and recompute every hash after it (and the
chain head). So each Beijing day, after midnight, beat seals the day's end of every chained
table — its last position and hash (`AuditChainHead`) — into an anchor record signed with
Ed25519 and written as a file of its own in `AUDIT_ANCHOR_DIR`, outside the database:

    {AUDIT_ANCHOR_DIR}/2026-12-03.json
    {"body": {"day": "2026-12-03", "sealed_at": "…", "key_id": "…",
              "tables": {"windows.RosterLog": {"seq": 12, "last_hash": "…"}, …}},
     "signature": "<base64 Ed25519 over the canonical JSON of body>"}

A file is created once (O_EXCL) and made read-only; it is never rewritten, so running the task
twice is harmless. `core.audit.verify_table` compares each finished day's chain with its anchor
and names the table and day whose tail no longer matches, or the day that has no anchor.

The private key: `AUDIT_ANCHOR_KEY` (or `AUDIT_ANCHOR_KEY_FILE`), the base64 of a 32-byte
Ed25519 seed; keys retired by a rotation stay accepted through `AUDIT_ANCHOR_PUBLIC_KEYS`
(base64 public keys, space-separated). Without a key, DEBUG makes a demo key in var/ once;
otherwise sealing and verifying refuse (ImproperlyConfigured). The anchor only helps if its
copy cannot be rewritten by whoever can rewrite the database: the operator copies the
directory off the box every day (docs/decisions.md)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from .chained import chained_models


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def _demo_seed() -> bytes:
    path = Path(settings.VAR_DIR) / "audit-anchor-demo.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(base64.b64encode(os.urandom(32)).decode())
    return base64.b64decode(path.read_text().strip())


def signing_key() -> Ed25519PrivateKey:
    seed = settings.AUDIT_ANCHOR_KEY
    if not seed:
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                "AUDIT_ANCHOR_KEY (or AUDIT_ANCHOR_KEY_FILE) is not set: the audit chain "
                "cannot be anchored or its anchors checked (docs/decisions.md)."
            )
        raw = _demo_seed()
    else:
        raw = base64.b64decode(seed)
    if len(raw) != 32:
        raise ImproperlyConfigured("AUDIT_ANCHOR_KEY is not the base64 of a 32-byte Ed25519 seed.")
    return Ed25519PrivateKey.from_private_bytes(raw)


def accepted_keys() -> dict[str, Ed25519PublicKey]:
    keys = [signing_key().public_key()]
    keys += [Ed25519PublicKey.from_public_bytes(base64.b64decode(k)) for k in settings.AUDIT_ANCHOR_PUBLIC_KEYS]
    return {key_id(k): k for k in keys}


def anchor_dir() -> Path:
    return Path(settings.AUDIT_ANCHOR_DIR)


def path_for(day: dt.date) -> Path:
    return anchor_dir() / f"{day.isoformat()}.json"


def seal_day(day: dt.date) -> Path | None:
    """Write the signed anchor of `day` (a finished Beijing day) unless it exists; its path, or
    None when it was there already."""

    path = path_for(day)
    if path.exists():
        return None
    Head = apps.get_model("core", "AuditChainHead")
    heads = {h.table: h for h in Head.objects.filter(day=day)}
    tables = {}
    for model in chained_models():
        head = heads.get(model._meta.label)
        tables[model._meta.label] = {"seq": head.seq if head else 0, "last_hash": head.last_hash if head else ""}
    key = signing_key()
    body = {
        "day": day.isoformat(),
        "sealed_at": timezone.now().isoformat(timespec="seconds"),
        "key_id": key_id(key.public_key()),
        "tables": tables,
    }
    record = {"body": body, "signature": base64.b64encode(key.sign(_canonical(body))).decode()}
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        return None  # a concurrent run wrote it first
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True))
        f.flush()
        os.fsync(f.fileno())
    return path


def seal_finished_days(today: dt.date | None = None) -> list[dt.date]:
    """Beat, after midnight: anchor yesterday, and every earlier day with a chain that has no
    anchor yet (the first run after an upgrade, or after the worker was down)."""
    today = today or timezone.localdate()
    Head = apps.get_model("core", "AuditChainHead")
    days = set(Head.objects.filter(day__lt=today).values_list("day", flat=True).distinct())
    days.add(today - dt.timedelta(days=1))
    return [day for day in sorted(days) if seal_day(day) is not None]


@dataclass
class Anchor:
    day: dt.date
    tables: dict | None  # None: the file is there but unreadable or wrongly signed
    problem: str = ""


def load(since: dt.date | None = None) -> dict[dt.date, Anchor]:
    """Every anchor file (from `since` on), its signature checked against the accepted keys."""
    keys = accepted_keys()  # refuses (ImproperlyConfigured) without a key, files or not
    folder = anchor_dir()
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob("*.json")):
        try:
            day = dt.date.fromisoformat(path.stem)
        except ValueError:
            continue
        if since and day < since:
            continue
        try:
            record = json.loads(path.read_text())
            body = record["body"]
            key = keys.get(body.get("key_id"))
            if key is None:
                found[day] = Anchor(day, None, "unknown_key")
                continue
            key.verify(base64.b64decode(record["signature"]), _canonical(body))
            if body.get("day") != day.isoformat():
                raise ValueError("day")
            found[day] = Anchor(day, body["tables"])
        except InvalidSignature:
            found[day] = Anchor(day, None, "bad_signature")
        except (ValueError, KeyError, TypeError):
            found[day] = Anchor(day, None, "unreadable")
    return found


class NotConfigured(dict):
    """What `core.audit.verify` checks against when no signing key is set outside DEBUG: every
    finished day is reported as not checkable (never silently skipped)."""

    def get(self, day, default=None):
        return Anchor(day, None, "not_configured")
