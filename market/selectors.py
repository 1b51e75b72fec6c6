"""Reads of the market that pages and API share: the public directory with credit scores, the
demands, who may act on what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import EnterpriseMembership

from . import credit
from .models import Bid, Blacklisting, Contract, Demand, Intermediary, Qualification, ServiceItem


def today() -> dt.date:
    return timezone.localdate()


# --- who is who ---------------------------------------------------------------------------------


def is_centre(user) -> bool:
    """The centre checks intermediaries and keeps the blacklist: administrators and hall heads."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == user.Role.ADMINISTRATOR or user.is_superuser:
        return True
    if user.role != user.Role.CLERK:
        return False
    from windows.models import HallHead

    return HallHead.objects.filter(clerk=user).exists()


def member_enterprise_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False) or user.role != user.Role.PUBLIC:
        return set()
    return set(EnterpriseMembership.objects.filter(user=user).values_list("enterprise_id", flat=True))


def intermediaries_of(user):
    """The intermediaries this person acts for (as a member of their enterprise)."""
    return Intermediary.objects.filter(enterprise_id__in=member_enterprise_ids(user)).select_related("enterprise")


def is_owner(user, demand: Demand) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if demand.owner_department_id:
        return user.role == user.Role.REVIEWER and user.department_id == demand.owner_department_id
    return demand.owner_enterprise_id in member_enterprise_ids(user)


def acts_for(user, intermediary_id: int) -> bool:
    return intermediaries_of(user).filter(pk=intermediary_id).exists()


# --- the directory ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What the directory shows of an intermediary's record."""

    contracts: int
    late: int
    low_ratings: int
    blacklistings: int
    complaints: int
    score: int
    grade: str
    blacklisted_until: dt.date | None


def directory(*, service_item=None, q: str = "", day=None):
    """Approved intermediaries with their record counted in the query (credit score inputs)."""
    day = day or today()
    rows = (
        Intermediary.objects.approved()
        .select_related("enterprise")
        .annotate(
            n_contracts=Count("contracts", distinct=True),
            n_late=Count("contracts", filter=Q(contracts__late=True), distinct=True),
            n_low=Count("contracts", filter=Q(contracts__rating__lte=credit.LOW_RATING), distinct=True),
            n_black=Count("blacklistings", filter=Q(blacklistings__lifted_at__isnull=True), distinct=True),
            # complaints found true through supervision's complaint clocks (the reverse relation of
            # supervision.Complaint.intermediary; market does not import supervision)
            n_complaints=Count("complaints", filter=Q(complaints__upheld=True), distinct=True),
            is_blacklisted=Exists(Blacklisting.objects.in_force(day).filter(intermediary=OuterRef("pk"))),
        )
        .prefetch_related(
            Prefetch("qualifications", queryset=Qualification.objects.select_related("service_item")),
        )
        .order_by("enterprise__name")
    )
    if service_item is not None:
        rows = rows.filter(qualifications__service_item=service_item).distinct()
    if q:
        rows = rows.filter(Q(enterprise__name__icontains=q) | Q(enterprise__credit_code=q.upper()))
    return rows


def standing(intermediary, *, day=None) -> Standing:
    """The record of one intermediary (a `directory` row carries its counts already)."""
    day = day or today()
    if hasattr(intermediary, "n_contracts"):
        counts = (intermediary.n_contracts, intermediary.n_late, intermediary.n_low, intermediary.n_black,
                  intermediary.n_complaints)
    else:
        contracts = Contract.objects.filter(intermediary=intermediary)
        counts = (
            contracts.count(),
            contracts.filter(late=True).count(),
            contracts.filter(rating__lte=credit.LOW_RATING).count(),
            intermediary.blacklistings.filter(lifted_at__isnull=True).count(),
            intermediary.complaints.filter(upheld=True).count(),
        )
    entry = Blacklisting.objects.in_force(day).filter(intermediary=intermediary).order_by("-ends_on").first()
    score = credit.credit_score(late=counts[1], low_ratings=counts[2], blacklistings=counts[3], complaints=counts[4])
    return Standing(
        contracts=counts[0],
        late=counts[1],
        low_ratings=counts[2],
        blacklistings=counts[3],
        complaints=counts[4],
        score=score,
        grade=credit.grade(score),
        blacklisted_until=entry.ends_on if entry else None,
    )


def selectable(*, service_item, day=None):
    return Intermediary.objects.selectable(service_item=service_item, day=day or today())


def service_items():
    return ServiceItem.objects.filter(is_active=True).prefetch_related("matters").order_by("code")


# --- demands ------------------------------------------------------------------------------------


def public_demands(*, state: str = "", service_item=None):
    rows = (
        Demand.objects.exclude(number__isnull=True)
        .select_related(
            "service_item",
            "owner_enterprise",
            "owner_department",
            "winning_bid__intermediary__enterprise",
        )
        .annotate(n_bids=Count("bids"))
    )
    if state:
        rows = rows.filter(state=state)
    if service_item is not None:
        rows = rows.filter(service_item=service_item)
    return rows.order_by("-posted_at", "-pk")


def demand_by_number(number: str) -> Demand | None:
    return (
        Demand.objects.select_related(
            "service_item",
            "matter__department",
            "application",
            "owner_enterprise",
            "owner_department",
            "winning_bid__intermediary__enterprise",
        )
        .filter(number=number)
        .first()
    )


def bids_of(demand):
    return Bid.objects.filter(demand=demand).select_related("intermediary__enterprise").order_by("submitted_at", "pk")


def demands_owned_by(user):
    enterprises = member_enterprise_ids(user)
    owned = Q(owner_enterprise_id__in=enterprises)
    if getattr(user, "role", "") == "reviewer" and user.department_id:
        owned |= Q(owner_department_id=user.department_id)
    return Demand.objects.filter(owned).select_related("service_item").annotate(n_bids=Count("bids"))


def contracts_for(user):
    """Contracts the person may see: as the owner or as the serving intermediary."""
    enterprises = member_enterprise_ids(user)
    seen = Q(demand__owner_enterprise_id__in=enterprises) | Q(intermediary__enterprise_id__in=enterprises)
    if getattr(user, "role", "") == "reviewer" and user.department_id:
        seen |= Q(demand__owner_department_id=user.department_id)
    if is_centre(user) or getattr(user, "role", "") == "supervisor":
        seen = Q()
    return Contract.objects.filter(seen).select_related("demand__service_item", "intermediary__enterprise")


def examines_report(user, contract) -> bool:
    """Staff who examine an application that uses the contract's report as a material (the
    material card links the contract): a reviewer of a department deciding it, or a window clerk."""
    if not getattr(user, "is_authenticated", False):
        return False
    uses = contract.uses.all()
    if user.role == user.Role.REVIEWER and user.department_id:
        return uses.filter(material__application__subcases__department_id=user.department_id).exists()
    return user.role == user.Role.CLERK and uses.exists()


def bids_by(user):
    return Bid.objects.filter(intermediary__in=intermediaries_of(user)).select_related("demand__service_item")


# --- the guide page (matters.hooks) ---------------------------------------------------------------


@dataclass(frozen=True)
class GuideService:
    name: str
    report_name: str
    url: str
    selectable: int


def guide_services(matter) -> list[GuideService]:
    """The intermediary services a matter's guide names, each with a link to the market."""
    day = today()
    return [
        GuideService(
            name=item.name,
            report_name=item.report_name,
            url=reverse("market:service_item", args=[item.code]),
            selectable=Intermediary.objects.selectable(service_item=item, day=day).count(),
        )
        for item in ServiceItem.objects.filter(is_active=True, matters=matter).order_by("code")
    ]
