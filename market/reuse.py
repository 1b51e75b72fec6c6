"""A delivered report reused as a material (workflow.hooks' report provider).

For a requirement the applicant provides, of a matter whose guide names a service item (the
market's link of service items ↔ matters), the owner's delivered contracts for that service item
are offered: "使用中介服务成果:<report>(<intermediary>,合同编号 …)". The owner is the enterprise
the application is made for: the market's demands are owned by enterprises or departments, so a
person applying in their own name has no reports to reuse.

The material refers to the delivered file (never copied: a contract's report is written once at
delivery and neither it nor a material's file is ever replaced or deleted) with its digest and
the contract's number; `ReportUse` links the contract to every material made from it.
"""

from __future__ import annotations

import mimetypes
from collections import defaultdict

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from matters.models import MaterialRequirement
from workflow.hooks import ReportOffer

from .models import Contract, ReportUse

USABLE_STATES = (Contract.State.DELIVERED, Contract.State.CLOSED)


def offers(*, applicant, enterprise, requirements) -> dict[int, list[ReportOffer]]:
    """{requirement id: [ReportOffer]} in one query (one row per contract × linked matter)."""
    if enterprise is None:
        return {}
    by_matter = defaultdict(list)
    for requirement in requirements:
        if requirement.source == MaterialRequirement.Source.APPLICANT:
            by_matter[requirement.matter_id].append(requirement.pk)
    if not by_matter:
        return {}
    rows = (
        Contract.objects.filter(
            demand__owner_enterprise_id=enterprise.pk,
            state__in=USABLE_STATES,
            demand__service_item__matters__in=list(by_matter),
        )
        .exclude(report="")
        .annotate(
            matter_id=F("demand__service_item__matters"),
            number=F("demand__number"),
            report_title=F("demand__service_item__report_name"),
            intermediary_name=F("intermediary__enterprise__name"),
        )
        .values("pk", "matter_id", "number", "report_title", "intermediary_name", "report", "report_name",
                "report_size", "report_sha256", "delivered_on")
        .order_by("-delivered_on", "-pk")
    )
    found: dict[int, list[ReportOffer]] = defaultdict(list)
    for row in rows:
        offer = ReportOffer(
            contract_id=row["pk"],
            label=_("使用中介服务成果:%(report)s(%(who)s,合同编号 %(number)s,%(day)s 交付)") % {
                "report": row["report_title"], "who": row["intermediary_name"], "number": row["number"],
                "day": row["delivered_on"].isoformat() if row["delivered_on"] else "",
            },
            reference=row["number"],
            file_name=row["report"],
            original_name=row["report_name"] or f"{row['report_title']}.pdf",
            size=row["report_size"],
            sha256=row["report_sha256"],
            content_type=mimetypes.guess_type(row["report"])[0] or "application/octet-stream",
            requirement_ids=frozenset(by_matter[row["matter_id"]]),
        )
        for requirement_id in offer.requirement_ids:
            if all(o.contract_id != offer.contract_id for o in found[requirement_id]):
                found[requirement_id].append(offer)
    return dict(found)


def offer_of(contract: Contract, requirement_id: int) -> ReportOffer:
    """The offer of one delivered contract for one requirement (the 容缺 path from the contract page)."""
    name = contract.demand.service_item.report_name
    return ReportOffer(
        contract_id=contract.pk,
        label=_("使用中介服务成果:%(report)s(%(who)s,合同编号 %(number)s)") % {
            "report": name, "who": contract.intermediary.name, "number": contract.number},
        reference=contract.number,
        file_name=contract.report.name,
        original_name=contract.report_name or f"{name}.pdf",
        size=contract.report_size,
        sha256=contract.report_sha256,
        content_type=mimetypes.guess_type(contract.report.name)[0] or "application/octet-stream",
        requirement_ids=frozenset([requirement_id]),
    )


def record_uses(materials, *, actor) -> None:
    """One INSERT for the submission's reused reports (the material names its contract by number)."""
    uses = [ReportUse(contract_id=m.report_contract_id, material=m, used_by=actor)
            for m in materials if getattr(m, "report_contract_id", None)]
    if uses:
        ReportUse.objects.bulk_create(uses)


def contract_url(reference: str) -> str:
    return reverse("market:contract", args=[reference])
