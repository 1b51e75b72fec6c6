"""Every page URL with a number in it takes the bounded `<id:…>` converter: a number no database
column can hold is a Chinese 404, never the driver's OverflowError as a 500."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from core.web.converters import BoundedIntConverter
from tests.factories import SupervisorFactory, UserFactory


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def test_no_page_takes_an_unbounded_integer():
    unbounded = [route for route, entry in _patterns(get_resolver())
                 if not route.startswith("admin/")  # Django's and django-otp's admin: their own URLs
                 and any(type(c) is IntConverter for c in getattr(entry.pattern, "converters", {}).values())]
    assert unbounded == []
    bounded = [route for route, entry in _patterns(get_resolver())
               if any(isinstance(c, BoundedIntConverter) for c in getattr(entry.pattern, "converters", {}).values())]
    assert "supervision/cards/<id:pk>/" in bounded


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/supervision/cards/{n}/", "/supervision/complaints/{n}/",
                                  "/me/agents/{n}/revoke/", "/appointments/slots/{n}/book/"])
def test_a_number_too_large_for_any_column_is_not_found(client, path):
    client.force_login(SupervisorFactory() if path.startswith("/supervision/") else UserFactory())
    for n in ("9" * 19, "9" * 40):
        response = client.get(path.format(n=n))
        assert response.status_code == 404
        assert "页面不存在" in response.content.decode() or "未找到" in response.content.decode()
