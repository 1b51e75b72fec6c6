"""The districts of a city deployment (issue 15). A department's or hall's district is derived from
its region's GB/T 2260 code (`Region.district_code`, the first 6 digits); a matter's is its
department's, a window's its hall's. Documents that belong to a case name that district; the site's
own chrome names the deployment's area (`settings.PORTAL_AREA_NAME`), which is also the fallback
when a district has no Region row."""

from __future__ import annotations

from django.conf import settings

from core.area import portal_name  # noqa: F401 - with the districts, for documents

from .models import Region


def district_region(district_code: str) -> Region | None:
    """The district-level Region whose 12-digit code is `district_code` + "000000" (or the bare
    6-digit code), with its parent (the city)."""
    if not district_code:
        return None
    code = district_code[:6]
    return (Region.objects.filter(level=Region.Level.DISTRICT, code__in=[code, code.ljust(12, "0")])
            .select_related("parent").order_by("code").first())


def district_name(district_code: str) -> str:
    """The district's short name (清城区), else the portal's area name."""
    region = district_region(district_code)
    return region.name if region is not None else settings.PORTAL_AREA_NAME


def district_full_name(district_code: str) -> str:
    """The district with its city (清远市清城区), else the portal's full area name."""
    region = district_region(district_code)
    if region is None:
        return settings.PORTAL_AREA_FULL_NAME
    city = region.parent.name if region.parent_id and region.parent.level == Region.Level.CITY else ""
    return f"{city}{region.name}"
