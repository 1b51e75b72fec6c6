"""Hooks a higher app registers on, so that `terminals` never imports it.

Ratings (好差评) belong to `supervision`, above `terminals` in the chain; the kiosk's 办 lets a
resident rate what of their cases can be rated. `supervision` registers its provider in its
AppConfig.ready(): `open_ratings(application)` → [(token, label)] of the ratings still open, and
`rate(token, level, actor)` → the rating's label, raising a core.errors.DomainError when refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RatingProvider:
    open_ratings: Callable[[object], list[tuple[str, str]]]
    rate: Callable[..., str]
    levels: list[tuple[int, str]]


_ratings: RatingProvider | None = None


def register_ratings(provider: RatingProvider) -> None:
    global _ratings
    _ratings = provider


def ratings() -> RatingProvider | None:
    return _ratings
