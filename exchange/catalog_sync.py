"""Synchronising the catalog from the province catalog feed (docs/exchange-protocol.md).

The feed publishes numbered versions, each the whole list of matters the district implements.
Every version we have not applied is fetched (signed GET) and applied once, in order, in one
transaction: a matter new to us is created, a matter whose standard differs is updated and gets
a new guide version (`matters.versioning`, so running applications keep theirs), a matter the
previous feed version had and this one lacks is withdrawn (`is_active` off, never deleted). The
report of what changed is kept with the version (`CatalogFeedVersion.report`).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import Department
from matters import versioning
from matters.models import MaterialRequirement, Matter, Target

from .models import CatalogFeedVersion
from .relay import signed_get

logger = logging.getLogger(__name__)

SCALARS = ("name", "kind", "target", "legal_days", "promised_days", "fee_fen", "legal_basis", "conditions",
           "issues_licence", "result_name")


class FeedError(Exception):
    pass


def _fetch(path: str) -> dict:
    key_id, _sep, secret = settings.CATALOG_FEED_KEY.partition(":")
    status, answer, error = signed_get(settings.CATALOG_FEED_URL, path, department=settings.CATALOG_FEED_CLIENT,
                                       key_id=key_id, secret=secret, timeout=settings.EXCHANGE_HTTP_TIMEOUT_SECONDS)
    if status != 200:
        raise FeedError(f"{path}: {status or ''} {error}".strip())
    return answer


def sync_catalog() -> dict | None:
    """Apply every new feed version; None when no feed is configured."""
    if not settings.CATALOG_FEED_URL:
        return None
    last = CatalogFeedVersion.objects.order_by("-version").values_list("version", flat=True).first() or 0
    listed = sorted(int(v["version"]) for v in _fetch("/api/catalog/versions/").get("versions", []))
    applied = {}
    for number in (n for n in listed if n > last):
        feed = _fetch(f"/api/catalog/versions/{number}/")
        version = apply_version(number=number, published_on=str(feed.get("published_at", ""))[:10],
                                matters=feed.get("matters") or [])
        applied[number] = summary(version.report)
    return {"applied": applied, "last": max([last, *applied])}


def summary(report: dict) -> str:
    return "新增 %d 项,变更 %d 项,撤销 %d 项,未变 %d 项,拒收 %d 项" % (
        len(report.get("added", [])), len(report.get("changed", [])), len(report.get("withdrawn", [])),
        report.get("unchanged", 0), len(report.get("refused", [])))


def _check(item, departments) -> str:
    if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
        return "缺少实施编码或事项名称"
    if item.get("department") not in departments:
        return f"实施部门 {item.get('department')!r} 未登记"
    if item.get("target") not in Target.values:
        return f"服务对象 {item.get('target')!r} 不正确"
    if item.get("kind", Matter.Kind.LICENSING) not in Matter.Kind.values:
        return f"事项类型 {item.get('kind')!r} 不正确"
    try:
        legal, promised = int(item.get("legal_days", 20)), int(item["promised_days"])
    except (KeyError, TypeError, ValueError):
        return "办结时限不是整数"
    if not 0 <= promised <= legal:
        return "承诺时限不能长于法定时限"
    return ""


def _values(item) -> dict:
    return {
        "name": str(item["name"])[:128], "kind": item.get("kind", Matter.Kind.LICENSING), "target": item["target"],
        "legal_days": int(item.get("legal_days", 20)), "promised_days": int(item["promised_days"]),
        "fee_fen": int(item.get("fee_fen", 0)), "legal_basis": str(item.get("legal_basis", "")),
        "conditions": str(item.get("conditions", "")), "issues_licence": bool(item.get("issues_licence", False)),
        "result_name": str(item.get("result_name", ""))[:128],
    }


@transaction.atomic
def apply_version(*, number: int, published_on: str, matters: list) -> CatalogFeedVersion:
    existing = CatalogFeedVersion.objects.select_for_update().filter(version=number).first()
    if existing is not None:  # applied meanwhile
        return existing
    previous = CatalogFeedVersion.objects.order_by("-version").first()
    departments = {d.code: d for d in Department.objects.all()}
    report = {"added": [], "changed": [], "withdrawn": [], "unchanged": 0, "refused": []}
    today = timezone.localdate()
    codes = set()
    for item in matters:
        problem = _check(item, departments)
        if problem:  # kept as it was, not withdrawn
            if isinstance(item, dict) and item.get("code"):
                codes.add(str(item["code"])[:48])
            report["refused"].append({"code": str(item.get("code", "")) if isinstance(item, dict) else "",
                                      "reason": problem})
            continue
        code = str(item["code"])[:48]
        codes.add(code)
        values = _values(item)
        department = departments[item["department"]]
        wanted_materials = [str(m["name"])[:128] for m in item.get("materials", []) if isinstance(m, dict) and m.get("name")]
        matter = Matter.objects.select_for_update().filter(code=code).first()
        if matter is None:
            matter = Matter.objects.create(code=code, department=department, published_on=today, **values)
            for order, m in enumerate(item.get("materials", [])):
                if isinstance(m, dict) and m.get("name"):
                    MaterialRequirement.objects.create(matter=matter, name=str(m["name"])[:128], order=order,
                                                       required=bool(m.get("required", True)))
            versioning.freeze_current(matter)
            report["added"].append({"code": code, "name": matter.name})
            continue
        standing = versioning.snapshot(matter)
        changes = {f: {"from": getattr(matter, f), "to": v} for f, v in values.items() if getattr(matter, f) != v}
        if matter.department_id != department.pk:
            changes["department"] = {"from": matter.department.code, "to": department.code}
        have = {r.name: r for r in matter.materials.all()}
        added = [n for n in wanted_materials if n not in have]
        removed, kept = [], []
        for name, requirement in have.items():
            if name in wanted_materials:
                continue
            try:
                with transaction.atomic():
                    requirement.delete()
                removed.append(name)
            except ProtectedError:  # named by materials of applications: kept, for a person to look at
                kept.append(name)
        for name in added:
            MaterialRequirement.objects.create(matter=matter, name=name, order=len(have) + len(added))
        reactivated = not matter.is_active
        if changes or added or removed or kept or reactivated:
            for f, v in values.items():
                setattr(matter, f, v)
            matter.department = department
            matter.is_active = True
            matter.save()
            version = versioning.publish_imported(matter=matter, standing=standing)
            report["changed"].append({
                "code": code, "name": matter.name, "fields": changes, "materials_added": added,
                "materials_removed": removed, "materials_to_check": kept, "reactivated": reactivated,
                "guide_version": version.number if version is not None else matter.version,
            })
        else:
            report["unchanged"] += 1
    if previous is not None:
        gone = sorted({str(m.get("code")) for m in previous.matters if isinstance(m, dict)} - codes)
        for matter in Matter.objects.filter(code__in=gone, is_active=True):
            matter.is_active = False
            matter.save(update_fields=["is_active"])
            report["withdrawn"].append({"code": matter.code, "name": matter.name})
    version = CatalogFeedVersion.objects.create(version=number, published_on=published_on, matters=matters,
                                                report=report)
    logger.warning("catalog feed v%s applied: %s", number, summary(report))
    return version
