"""One way to cut a list into numbered pages for the HTML lists (the API pages with cursors,
portal.pagination)."""

from django.core.paginator import Page, Paginator


def page_of(request, items, per_page: int) -> Page:
    """The page `?page=` asks for; a page number out of range or not a number gives the nearest
    page rather than an error (Paginator.get_page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
