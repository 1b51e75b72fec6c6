"""Hooks that higher apps register on, so that `matters` never imports them.

The catalog audit lists halls where nobody sits at a window of a category the hall's matters
need; who sits where is known above `matters` (`windows`), so `supervision` registers the
provider of those gaps in its AppConfig.ready().
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

_hall_gaps: Callable[[dt.date], list] | None = None


def register_hall_gaps(provider: Callable[[dt.date], list]) -> None:
    global _hall_gaps
    _hall_gaps = provider


def hall_gaps(day: dt.date) -> list:
    """Halls without a clerk today at a window of a needed category (objects with `hall`,
    `category_label` and `matters`); none when no provider is installed."""
    return _hall_gaps(day) if _hall_gaps is not None else []
