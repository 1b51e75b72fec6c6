"""The portal's own error answers: a Chinese page with a way back for people, the API's one error
shape `{"code", "message", "fields"}` for programs under /api/.

Django serves `handler404/403/500` only with DEBUG off; with DEBUG on (the demo, `make run`) it
shows its technical pages, which a citizen must never see and which leak settings. So
`ErrorPages` serves the same answers whatever DEBUG says: an address no URL matches, and a
view's Http404 / PermissionDenied / uncaught exception. An uncaught exception is still reported as
Django reports it (the `got_request_exception` signal, the `django.request` log with traceback).
"""

import logging
import sys

from django.core import signals
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.area import portal_name

logger = logging.getLogger("django.request")

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(code: str, message, status: int) -> JsonResponse:
    """The API's error shape for answers no DRF view gives (unknown address, crash)."""
    return JsonResponse({"code": code, "message": str(message), "fields": {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def back_link(request) -> str:
    """Where "返回上一页" leads: the page the person came from, when it is on this site."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return ""


def page_not_found(request, exception=None, message=""):
    if is_api(request):
        response = api_error("not_found", _("未找到该接口或对象。"), 404)
    else:
        response = render(request, "404.html", {"message": message, "back": back_link(request)}, status=404)
    response.portal_page = True  # ErrorPages leaves it as it is
    return response


def permission_denied(request, exception=None):
    if is_api(request):
        return api_error("forbidden", _("您无权进行此操作。"), 403)
    detail = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"exception": detail, "back": back_link(request)}, status=403)


def server_error(request):
    """Rendered without the site's context processors or base template: whatever failed (the
    database, a template) must not fail this page too."""
    if is_api(request):
        return api_error("server_error", _("系统繁忙,请稍后再试。"), 500)
    return HttpResponseServerError(loader.get_template("500.html").render({"back": back_link(request), "portal_name": portal_name()}))


class ErrorPages:
    """Serve the answers above with DEBUG on as with it off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No URL matched (Django's resolver 404, technical with DEBUG on): the request never
        # reached a view, so `resolver_match` is still unset. With DEBUG off Django has answered
        # with handler404, this module's page already (rendered once, not twice).
        if (response.status_code == 404 and request.resolver_match is None
                and not getattr(response, "portal_page", False)):
            return page_not_found(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        # As Django's own handler does, so error reports and the test client still see it.
        signals.got_request_exception.send(sender=self.__class__, request=request)
        logger.error("Internal Server Error: %s", request.path, exc_info=sys.exc_info(),
                     extra={"status_code": 500, "request": request})
        response = server_error(request)
        response._has_been_logged = True  # logged above, with the traceback
        return response
