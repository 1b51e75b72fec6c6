"""Hooks that higher apps register on, so that `workflow` never imports them.

`windows` knows where a clerk sits today; `workflow` needs that to decide whether a clerk may
accept an application of a category or hand out a result. `windows` registers its provider in
its AppConfig.ready().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Desk:
    """Where a clerk works on a given day."""

    hall_id: int
    categories: frozenset[str]  # application categories they may accept: "natural", "legal"
    delivers: bool  # may hand out results (出件)
    # 授权: the matters they may accept today; None means every matter of their categories.
    matter_ids: frozenset[int] | None = None

    def authorised_for(self, matter_ids) -> bool:
        return self.matter_ids is None or set(matter_ids) <= self.matter_ids


_desk_provider: Callable[[object, dt.date], Desk | None] | None = None


def register_desk_provider(provider: Callable[[object, dt.date], Desk | None]) -> None:
    global _desk_provider
    _desk_provider = provider


def desk_for(user, day: dt.date) -> Desk | None:
    if _desk_provider is None or not getattr(user, "is_clerk", False):
        return None
    return _desk_provider(user, day)
