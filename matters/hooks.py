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


# --- 中介服务: the services a matter needs before a department can decide --------------------------
#
# `market` knows which intermediary services (测绘, 环评 …) a matter needs; the guide page names
# them with a link to the market. `market` registers its provider in its AppConfig.ready().

_guide_services: Callable[[object], list] | None = None


def register_guide_services(provider: Callable[[object], list]) -> None:
    global _guide_services
    _guide_services = provider


def guide_services(matter) -> list:
    """Objects with `name`, `report_name`, `url` and `selectable` (how many intermediaries may be
    chosen today); none when no provider is installed or the matter is a past version."""
    if _guide_services is None or matter.pk is None:
        return []
    return _guide_services(matter)


# --- 常见问题: the matter's FAQ (questions the department answered and promoted) -------------------
#
# `civic` (政民互动) keeps the questions; it registers its provider in its AppConfig.ready().

_guide_faq: Callable[[object], list] | None = None


def register_guide_faq(provider: Callable[[object], list]) -> None:
    global _guide_faq
    _guide_faq = provider


def guide_faq(matter) -> list:
    """Objects with `public_subject`, `public_content` and `public_answer`; none without a provider."""
    if _guide_faq is None or matter.pk is None:
        return []
    return _guide_faq(matter)


# --- 证照类型 on local codes: licence types (exchange) whose national catalog codes are still to be
# entered; `exchange` registers its provider in its AppConfig.ready().

_licence_type_gaps: Callable[[], list] | None = None


def register_licence_type_gaps(provider: Callable[[], list]) -> None:
    global _licence_type_gaps
    _licence_type_gaps = provider


def licence_type_gaps() -> list:
    """Objects with `name`, `code`, `issuer_code`, `missing` (what to enter, in Chinese), `matters`
    (how many matters issue it) and `admin_url`; none without a provider."""
    return _licence_type_gaps() if _licence_type_gaps is not None else []
