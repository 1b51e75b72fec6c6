def navigation(request):
    """What the site shell needs on every page: the signed-in user's role flags, and whether the
    service worker that keeps progress pages readable offline may run here (portal.offline)."""
    from accounts.display import display_of
    from portal.offline import offline_pages_allowed

    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    unread = 0
    if signed_in:
        from notifications.services import unread_count

        unread = unread_count(user)
    return {"nav_role": getattr(user, "role", None) if signed_in else None,
            "offline_pages": offline_pages_allowed(request), "unread_messages": unread,
            "large_print": display_of(request) == "large"}


def area(request):
    """The deployment's area and the portal's name for the site's chrome (settings.PORTAL_AREA_NAME)."""
    from django.conf import settings

    from core.area import portal_name

    return {"area_name": settings.PORTAL_AREA_NAME, "area_full_name": settings.PORTAL_AREA_FULL_NAME,
            "portal_name": portal_name()}


def calendar_warning(request):
    """From 1 November, administrators and supervisors see a banner until next year's holidays
    are entered (deadlines reaching into it are provisional until then)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and (user.role in ("administrator", "supervisor") or user.is_superuser)):
        return {}
    from django.utils import timezone

    from workflow.calendar_views import next_year_missing

    return {"calendar_missing_year": next_year_missing(timezone.localdate())}
