def navigation(request):
    """What the site shell needs on every page: the signed-in user's role flags."""
    user = getattr(request, "user", None)
    return {"nav_role": getattr(user, "role", None) if user and user.is_authenticated else None}
