"""The portal's URLs plus two views that fail as a bug would, for the error-page tests."""

from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from portal.urls import handler403, handler404, handler500  # noqa: F401
from portal.urls import urlpatterns as portal_urlpatterns


def page_that_fails(request):
    raise RuntimeError("a bug in a page")


@api_view(["GET"])
@permission_classes([AllowAny])
def api_that_fails(request):
    raise RuntimeError("a bug in the API")


urlpatterns = [
    path("api/test-crash/", api_that_fails),
    path("test-crash/", page_that_fails),
    *portal_urlpatterns,
]
