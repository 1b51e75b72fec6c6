"""The dashboard's 免提交/免填 card: per matter, the materials not handed in and the form fields
not typed in the period (counted by exchange.selectors.exemption_counts from its ledger; not a
rollup: one grouped query over the period's rows)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from exchange.selectors import exemption_counts
from matters.models import Matter


def exemption_rows(period, *, department: int | None = None, scope=None) -> list[dict]:
    """[{"matter", "materials", "fields"}] for the matters with any, most first (`scope`: a
    district supervisor's, the district's matters alone)."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(period.first, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    matters = None if department is None else Matter.objects.filter(department_id=department).values("pk")
    if scope is not None:
        matters = (matters if matters is not None else Matter.objects.all()).filter(
            department_id__in=sorted(scope.department_ids)).values("pk")
    counts = exemption_counts(matters, since, until)
    names = dict(Matter.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    rows = [{"matter": names[pk], **figures} for pk, figures in counts.items()]
    return sorted(rows, key=lambda r: (-(r["materials"] + r["fields"]), r["matter"]))
