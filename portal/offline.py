"""The installable mobile hall (issue 13): the web app manifest, the service worker and the page
it shows when the network is gone.

The service worker keeps the citizen's progress pages (我的办件 and each application) and licences
readable offline: those pages are fetched from the network first and a copy is kept; without a
network the copy is shown with a banner saying so, and any other page shows `/offline/`. It is
registered only for a signed-in citizen or enterprise user, and never on a hall's shared computers
(`accounts.security.in_hall`); any page without the registration flag (every page after signing
out or being signed out) unregisters it and deletes its copies (static/js/portal.js), so a phone
passed on does not show the last person's cases.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from accounts.security import in_hall
from core.area import portal_name

# Pages kept for offline reading: path patterns as JavaScript regular expressions.
KEPT_PAGES = [r"^/applications/$", r"^/applications/[^/]+/$", r"^/licences/$", r"^/me/$"]  # /me/: 我的
SHELL = ["css/portal.css", "js/early.js", "js/portal.js", "js/personal.js", "img/emblem.svg", "img/icon-192.png"]


def offline_pages_allowed(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_public and not in_hall(request))


@cache_control(max_age=86400, public=True)
def manifest(request):
    return JsonResponse({
        "name": portal_name(),
        "short_name": _("通办"),
        "description": _("网上办事、进度查询、电子证照,一网通办。"),
        "lang": "zh-CN",
        "start_url": "/applications/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3a82",
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})


@cache_control(no_cache=True)
def service_worker(request):
    """The worker's script at the root, so that its scope is the whole site."""
    response = render(request, "portal/sw.js", {
        "kept_pages": KEPT_PAGES, "shell": [static(path) for path in SHELL], "offline_url": "/offline/",
    }, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request):
    return render(request, "portal/offline.html", {"title": _("当前无法连接网络")})

