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


# --- the colour of a running decision clock ---------------------------------------------------
#
# `supervision` owns the card policy (yellow lines per matter kind and step). Pages of `workflow`
# that colour sub-cases (the department's review list) ask it, so that the list and the cards
# agree; without a provider they fall back to the stored default `yellow_from`.

_clock_levels_provider: Callable[[list[int], dt.date], dict[int, str]] | None = None


def register_clock_levels(provider: Callable[[list[int], dt.date], dict[int, str]]) -> None:
    """`provider(subcase_ids, day)` → {sub-case id: "red" | "yellow"} for the running sub-cases
    among them that a card would flag on `day`; ids it leaves out are green."""
    global _clock_levels_provider
    _clock_levels_provider = provider


def clock_levels(subcase_ids: list[int], day: dt.date) -> dict[int, str] | None:
    if _clock_levels_provider is None:
        return None
    return _clock_levels_provider(subcase_ids, day)


# --- 同城通办: where an application a clerk may not accept can be taken ------------------------
#
# `windows` knows who sits where today and for which matters they are authorised (授权); a
# clerk opening an application she may not accept is told which halls can take it.


@dataclass(frozen=True)
class Referral:
    """A hall where someone seated on the day may accept every one of the matters."""

    hall_name: str
    address: str
    phone: str
    windows: tuple[str, ...]  # window numbers, e.g. ("A01", "A03")


_referral_provider: Callable[[frozenset[int], str, dt.date], list[Referral]] | None = None


def register_referral_provider(provider: Callable[[frozenset[int], str, dt.date], list[Referral]]) -> None:
    """`provider(matter_ids, category, day)` → the halls that can accept them on `day`."""
    global _referral_provider
    _referral_provider = provider


def referrals_for(matter_ids, category: str, day: dt.date) -> list[Referral]:
    if _referral_provider is None:
        return []
    return _referral_provider(frozenset(matter_ids), category, day)


# --- fees (缴) ----------------------------------------------------------------------------------
#
# `payments` owns fee lines and orders. `workflow` tells it when an application is accepted or its
# result is ready (inside the service's transaction, so the fee lines exist exactly when the
# state change does), and asks it before handing out a result whether a fee is still unpaid.

_fee_listener = None


def register_fee_listener(listener) -> None:
    """`listener` has `application_event(application, event)` (event: "accepted", "result_ready")
    and `delivery_refusal(application) -> str | None` (a Chinese message while a fee is unpaid)."""
    global _fee_listener
    _fee_listener = listener


def fee_event(application, event: str) -> None:
    if _fee_listener is not None:
        _fee_listener.application_event(application, event)


def fee_delivery_refusal(application) -> str | None:
    if _fee_listener is None:
        return None
    return _fee_listener.delivery_refusal(application)


# --- 中介服务成果: a delivered intermediary report reused as a material -----------------------------
#
# `market` keeps the contracts and their delivered reports. The apply pages, the API's submission
# and the supplement (补正) ask it once for the reports the applicant's side owns that fit the
# requirements; the chosen one is recorded as a material of source "intermediary" that refers to
# the delivered file (never copied: both are write-once) and names the contract.


@dataclass(frozen=True)
class ReportOffer:
    """A delivered, accepted report the owner may hand in for one of the requirements."""

    contract_id: int
    label: str  # "使用中介服务成果:<report>(<intermediary>,合同编号 …)"
    reference: str  # the contract's number (recorded on the material)
    file_name: str  # the report's storage name
    original_name: str
    size: int
    sha256: str
    content_type: str
    requirement_ids: frozenset[int]


_report_provider = None


def register_report_provider(provider) -> None:
    """`provider` has `offers(applicant, enterprise, requirements) -> {requirement id: [ReportOffer]}`
    (one query for all the requirements), `record_uses(materials, actor)` (called after the
    materials were written, in the same transaction) and `contract_url(reference) -> str`."""
    global _report_provider
    _report_provider = provider


def report_offers(*, applicant, enterprise, requirements) -> dict:
    if _report_provider is None or not requirements:
        return {}
    return _report_provider.offers(applicant=applicant, enterprise=enterprise, requirements=requirements)


def record_report_uses(materials, *, actor) -> None:
    if _report_provider is not None and materials:
        _report_provider.record_uses(materials, actor=actor)


def report_contract_url(reference: str) -> str:
    return _report_provider.contract_url(reference) if _report_provider is not None and reference else ""
