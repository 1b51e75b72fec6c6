"""A supervisor's scope (issue 15: one deployment runs a whole city's districts).

`User.district` null: the whole city (every department, hall, window, clerk and matter). Set: a
district supervisor, who sees only what lies in that district. A district is never stored on a
department or hall: it is derived from the GB/T 2260 code of its `region`
(`Region.district_code`, the code's first 6 digits), so a town's or village's region counts for
its district.

- departments: those whose region's code starts with the district's code;
- halls: likewise; windows: the windows of those halls; clerks: staff ever seated at one of those
  windows (`windows.Seat`); matters: the matters of those departments;
- a card or complaint: its responsible department's district; one answered by the windows (no
  department): its hall's district (the accepting hall, else the receiving one), and an online
  application's step with no hall at all: the district of the application's number (its first
  matter's department).

The dashboard filters the rollups by these key sets (`supervision.figures.services`); the
public disclosure pages stay city-wide and never read a scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from accounts.models import Department, Hall


@dataclass(eq=False)
class DistrictScope:
    code: str  # 6 digits
    name: str

    @cached_property
    def department_ids(self) -> frozenset[int]:
        return frozenset(Department.objects.filter(region__code__startswith=self.code).values_list("pk", flat=True))

    @cached_property
    def hall_ids(self) -> frozenset[int]:
        return frozenset(Hall.objects.filter(region__code__startswith=self.code).values_list("pk", flat=True))

    @cached_property
    def window_ids(self) -> frozenset[int]:
        from windows.models import Window

        return frozenset(Window.objects.filter(hall_id__in=self.hall_ids).values_list("pk", flat=True))

    @cached_property
    def clerk_ids(self) -> frozenset[int]:
        from windows.models import Seat

        return frozenset(Seat.objects.filter(window__hall_id__in=self.hall_ids).values_list("clerk_id", flat=True))

    @cached_property
    def matter_ids(self) -> frozenset[int]:
        from matters.models import Matter

        return frozenset(Matter.objects.filter(department_id__in=self.department_ids).values_list("pk", flat=True))

    def keys(self, dim: str) -> frozenset[int]:
        """The ids of a dashboard dimension that lie in the district."""
        return {"department": self.department_ids, "hall": self.hall_ids, "window": self.window_ids,
                "clerk": self.clerk_ids, "matter": self.matter_ids}[dim]

    def has(self, dim: str, key: int) -> bool:
        return key in self.keys(dim)

    @property
    def number_prefix(self) -> str:
        return f"{self.code}-"

    def hall_q(self, prefix: str = "") -> Q:
        """An application (`prefix` leading to it) handled at a hall of the district: accepted
        there, or received there and not yet accepted, or with no hall at all (online, not yet
        accepted) and numbered in the district."""
        halls = sorted(self.hall_ids)
        return (Q(**{f"{prefix}accepted_hall_id__in": halls})
                | Q(**{f"{prefix}accepted_hall__isnull": True, f"{prefix}received_hall_id__in": halls})
                | Q(**{f"{prefix}accepted_hall__isnull": True, f"{prefix}received_hall__isnull": True,
                       f"{prefix}number__startswith": self.number_prefix}))

    def card_q(self, prefix: str = "") -> Q:
        """A card (`prefix` leading to it) of the district: its responsible department's, or,
        answered by the windows (no department), its hall's or its application's hall's."""
        p = prefix
        windows = Q(**{f"{p}hall_id__in": sorted(self.hall_ids)}) | (
            Q(**{f"{p}hall__isnull": True, f"{p}application__isnull": False}) & self.hall_q(f"{p}application__"))
        return Q(**{f"{p}department_id__in": sorted(self.department_ids)}) | (
            Q(**{f"{p}department__isnull": True}) & windows)


def scope_of(user) -> DistrictScope | None:
    """None for the whole city (a supervisor without a district, a superuser); else the district's."""
    district_id = getattr(user, "district_id", None)
    if not district_id:
        return None
    district = user.district
    return DistrictScope(code=district.district_code, name=district.name)
