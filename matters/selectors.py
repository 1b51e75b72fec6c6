"""Catalog reads shared by the guide pages, the apply form and the API."""

from accounts.models import Department
from core.db_router import version_token

from .models import CatalogVersion, Matter, Theme, ThemeMatter
from .search import MatterQuery


def active_matters():
    return Matter.objects.filter(is_active=True).select_related("department__region")


def search_matters(*, q: str = "", target: str = "", department: str = "", level: str = "", theme: str = ""):
    """Active matters matching `q` (Chinese words, pinyin initials or full pinyin, a code),
    best first (see matters.search for the ranking), narrowed by the filters: target (自然人/法人),
    department code, level (区/镇/村) and theme code. Without `q`: by department and code."""
    qs = active_matters()
    if target:
        qs = qs.filter(target=target)
    if department:
        qs = qs.filter(department__code=department)
    if level:
        qs = qs.filter(level=level)
    if theme:
        qs = qs.filter(theme_links__theme__code=theme, theme_links__theme__is_active=True)
    query = MatterQuery.parse(q)
    if query is None:
        return qs.order_by("department__code", "code")
    return query.ranked(qs)


def catalog_departments():
    """Departments that implement at least one active matter, for the guide's filter."""
    return Department.objects.filter(matters__is_active=True).distinct().order_by("code")


def matter_by_code(code: str) -> Matter | None:
    return (active_matters().select_related("licence_type").prefetch_related("materials", "fields", "themes")
            .filter(code=code).first())


def active_themes():
    return Theme.objects.filter(is_active=True).order_by("code")


def theme_by_code(code: str) -> Theme | None:
    return active_themes().filter(code=code).first()


def theme_matters(theme) -> list[Matter]:
    """The theme's matters in their order, with fields and materials prefetched."""
    return list(
        Matter.objects.filter(theme_links__theme=theme, is_active=True)
        .select_related("department__region")
        .prefetch_related("fields", "materials")
        .order_by("theme_links__order", "theme_links__pk")
    )


def theme_and_matters(code: str) -> tuple[Theme | None, list[Matter]]:
    """`theme_by_code` and `theme_matters` in one query (and one each for fields and materials):
    the theme is read through its links. (None, []) when no active theme has this code; a theme
    without an active matter is read on its own."""
    from django.db.models import Prefetch, prefetch_related_objects

    links = list(ThemeMatter.objects.filter(theme__code=code, theme__is_active=True, matter__is_active=True)
                 .select_related("theme", "matter__department__region").order_by("order", "pk"))
    if not links:
        return theme_by_code(code), []
    matters = [link.matter for link in links]
    prefetch_related_objects(matters, Prefetch("fields"), Prefetch("materials"))
    return links[0].theme, matters


# (catalog version token, {theme code: (theme, matters)}) as this process last read them
_submission_catalog: tuple[str, dict] | None = None


def theme_for_submission(code: str) -> tuple[Theme | None, list[Matter]]:
    """`theme_and_matters(code)` kept per process while the catalog's version stays the same:
    one small query (the `CatalogVersion` token) instead of five (the theme's links, fields and
    materials here, and the data sources that `exchange.exemptions` keeps on the first matter
    object). The matters are shared by the requests of the process until the next change:
    callers read them and never change them. Without a version row nothing is kept."""
    global _submission_catalog
    token = version_token(CatalogVersion)
    if not token:
        return theme_and_matters(code)
    kept = _submission_catalog
    if kept is None or kept[0] != token:
        kept = (token, {})
    if code not in kept[1]:
        kept[1][code] = theme_and_matters(code)  # read after the token: never older than it
    _submission_catalog = kept
    return kept[1][code]
