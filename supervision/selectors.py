"""The supervisor's figures, computed from the case tables (issue 6 moves them to rollups)."""

from __future__ import annotations

from django.db.models import Count, F, Q

from accounts.models import Department
from workflow.models import Application, SubCase

from .models import Card


def subcase_counts_by_department():
    """Per department: sub-cases by state, decided on time, and open cards."""
    decided = Q(subcases__state__in=SubCase.DECIDED_STATES)
    rows = (
        Department.objects.annotate(
            total=Count("subcases"),
            open=Count("subcases", filter=Q(subcases__state__in=SubCase.OPEN_STATES)),
            decided=Count("subcases", filter=decided),
            approved=Count("subcases", filter=Q(subcases__state=SubCase.State.APPROVED)),
            denied=Count("subcases", filter=Q(subcases__state=SubCase.State.DENIED)),
        )
        .order_by("code")
        .values("pk", "name", "short_name", "total", "open", "decided", "approved", "denied")
    )
    on_time = dict(
        SubCase.objects.filter(state__in=SubCase.DECIDED_STATES, decided_on__lte=F("deadline"))
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )
    cards = {
        (r["subcase__department_id"], r["level"]): r["n"]
        for r in Card.objects.filter(closed_at__isnull=True)
        .values("subcase__department_id", "level")
        .annotate(n=Count("pk"))
    }
    result = []
    for row in rows:
        row = dict(row)
        row["on_time"] = on_time.get(row["pk"], 0)
        row["on_time_rate"] = round(100 * row["on_time"] / row["decided"], 1) if row["decided"] else None
        row["yellow"] = cards.get((row["pk"], Card.Level.YELLOW), 0)
        row["red"] = cards.get((row["pk"], Card.Level.RED), 0)
        result.append(row)
    return result


def application_counts_by_state():
    counts = dict(Application.objects.values_list("state").annotate(n=Count("pk")))
    return [(state, label, counts.get(state, 0)) for state, label in Application.State.choices]


def open_cards():
    return (
        Card.objects.filter(closed_at__isnull=True)
        .select_related("subcase", "subcase__department", "subcase__matter", "subcase__application")
        .order_by("level", "subcase__deadline")
    )


def dashboard():
    departments = subcase_counts_by_department()
    decided = sum(d["decided"] for d in departments)
    on_time = sum(d["on_time"] for d in departments)
    return {
        "departments": departments,
        "applications_by_state": application_counts_by_state(),
        "decided": decided,
        "on_time": on_time,
        "on_time_rate": round(100 * on_time / decided, 1) if decided else None,
        "cards": open_cards(),
        "deemed_accepted": Application.objects.filter(deemed_accepted=True).count(),
    }
