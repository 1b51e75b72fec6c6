"""Path converters of the portal's pages.

`<id:pk>` is Django's `<int:…>` bounded to 18 digits: a number that no database column holds
(SQLite's and PostgreSQL's bigint end at 2^63 − 1, 19 digits) is no page, so the URL does not
match and the visitor gets the Chinese 404, instead of the database driver's OverflowError
surfacing as a 500. Registered once at start-up (core.apps); every page URL takes it
(tests/portal/test_urls.py)."""

from django.urls import register_converter
from django.urls.converters import get_converters


class BoundedIntConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register() -> None:
    if "id" not in get_converters():
        register_converter(BoundedIntConverter, "id")
