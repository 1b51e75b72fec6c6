"""Catalog reads shared by the guide pages, the apply form and the API."""

from django.db.models import Q

from .models import Matter, Theme


def active_matters():
    return Matter.objects.filter(is_active=True).select_related("department")


def search_matters(*, q: str = "", target: str = "", department: str = ""):
    """Plain substring search for now; issue 3 brings ranking and pinyin initials."""
    qs = active_matters()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(department__name__icontains=q))
    if target:
        qs = qs.filter(target=target)
    if department:
        qs = qs.filter(department__code=department)
    return qs.order_by("department__code", "code")


def matter_by_code(code: str) -> Matter | None:
    return active_matters().prefetch_related("materials", "fields", "themes").filter(code=code).first()


def active_themes():
    return Theme.objects.filter(is_active=True).order_by("code")


def theme_by_code(code: str) -> Theme | None:
    return active_themes().filter(code=code).first()


def theme_matters(theme) -> list[Matter]:
    """The theme's matters in their order, with fields and materials prefetched."""
    return list(
        Matter.objects.filter(theme_links__theme=theme, is_active=True)
        .select_related("department")
        .prefetch_related("fields", "materials")
        .order_by("theme_links__order", "theme_links__pk")
    )
