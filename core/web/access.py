"""Who may open a page, and how a page says "not there" or "refused"."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.errors import DomainError, NotFound
from core.web.errors import back_link


def role_required(*roles, allow_superuser=False):
    """Anonymous → the sign-in page; signed in with another role → the 403 page in Chinese.

    The refusal names the page's audience: the user model says it (`User.role_refusal`), so this
    module knows no role of its own."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            user = request.user
            if user.role not in roles and not (allow_superuser and user.is_superuser):
                message = get_user_model().role_refusal(roles[0]) if len(roles) == 1 else None
                raise PermissionDenied(str(message or _("您无权访问该页面。")))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def not_found_page(request, message=""):
    return render(request, "404.html", {"message": message or _("您访问的页面不存在。"), "back": back_link(request)},
                  status=404)


def not_found_pages(view):
    """What an `access_*` helper refuses to show is, for this user, not there (404)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return not_found_page(request, exc.message)

    return wrapper


def show_domain_error(request, exc: DomainError):
    """The one way a page tells a person why a service refused: its Chinese message."""
    messages.error(request, exc.message)
