"""Slow down guessing on public look-ups: count failed attempts per key in the cache.

A public page that answers "found / not found" to anonymous visitors (the progress look-up, the
notice verification page) lets a guesser try secrets one after another. `FailureThrottle`
counts failures per identifying value (an application number, a client address) for a window
of time, and the page refuses further attempts once any of them reached the limit. Successful
look-ups are not counted, so people who type correctly never notice it.

The counters live in Django's cache (Redis in production, so every web process shares them).
"""

from __future__ import annotations

import hashlib
import re

from django.core.cache import cache

_PLAIN = re.compile(r"[A-Za-z0-9.:_-]{1,64}")


def client_address(request) -> str:
    """The visitor's address as the web server saw it (the reverse proxy sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR", "")


def _safe(value: str) -> str:
    """Typed input as a cache key: kept when plain, hashed otherwise (spaces, CJK, long)."""
    value = str(value)
    return value if _PLAIN.fullmatch(value) else hashlib.sha256(value.encode()).hexdigest()[:32]


class FailureThrottle:
    """`limit` failures per key within `window` seconds; keys are `prefix:kind:value`."""

    def __init__(self, prefix: str, *, limit: int, window: int):
        self.prefix = prefix
        self.limit = limit
        self.window = window

    def _keys(self, idents: dict[str, str]) -> list[str]:
        return [f"{self.prefix}:{kind}:{_safe(value)}" for kind, value in idents.items()]

    def blocked(self, **idents: str) -> bool:
        """True when any of the given identities already failed `limit` times in the window."""
        return any((cache.get(key) or 0) >= self.limit for key in self._keys(idents))

    def fail(self, **idents: str) -> None:
        """Count one failure for each identity; the window starts at the first failure."""
        for key in self._keys(idents):
            if not cache.add(key, 1, self.window):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, self.window)
