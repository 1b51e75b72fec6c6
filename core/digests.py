"""Digests of what a document states, and the verification code printed on it.

A notice (workflow) and an electronic licence (exchange) are both identified by the SHA-256 of
the canonical JSON of their content (sorted keys, no spaces, UTF-8, dates as ISO 8601); the
first 16 hex digits are printed as the verification code `1A2B-3C4D-5E6F-7A8B`, which the public
verification pages accept typed loosely (dashes, spaces, lower case, full-width characters).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import unicodedata

CODE_LENGTH = 16  # hex digits of the digest printed as the verification code (64 bits)

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−_.]+")
_CODE = re.compile(rf"[0-9a-f]{{{CODE_LENGTH}}}")


def _json_value(value):
    if isinstance(value, dt.date):  # datetimes too (a subclass)
        return value.isoformat()
    raise TypeError(f"not JSON serialisable in a document's content: {type(value).__name__}")


def canonical_json(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_value)


def content_digest(content: dict) -> str:
    """SHA-256 (hex) of the canonical JSON of `content`."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def format_code(digest: str) -> str:
    """The printed verification code: the digest's first 16 hex digits, upper case, in fours."""
    head = digest[:CODE_LENGTH].upper()
    return "-".join(head[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(raw: str | None) -> str | None:
    """`1a2b-3C4D 5e6f–7A8B` → `1a2b3c4d5e6f7a8b`; None unless exactly 16 hex digits remain."""
    code = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or "")[:100]).lower()
    return code if _CODE.fullmatch(code) else None


def code_matches(digest: str, code: str | None) -> bool:
    """Whether a normalised code is the head of `digest` (constant time)."""
    return code is not None and hmac.compare_digest(digest[:CODE_LENGTH], code)
