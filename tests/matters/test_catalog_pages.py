"""Who may use the catalog's administrator pages and the catalog audit, administrators included
(tests/portal/test_pages.py has no administrator column, and its pages are HTML, not XLSX)."""

import pytest

from accounts.models import User
from tests.factories import ClerkFactory, MatterFactory, ReviewerFactory, SupervisorFactory, UserFactory

ROLES = ["anonymous", "citizen", "clerk", "reviewer", "supervisor", "administrator", "superuser"]
LOGIN = "login"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (method, url, expected per role in ROLES order)
CASES = [
    ("get", "/catalog/", [LOGIN, 403, 403, 403, 403, 200, 200]),
    ("get", "/catalog/export/", [LOGIN, 403, 403, 403, 403, 200, 200]),
    ("post", "/catalog/import/", [LOGIN, 403, 403, 403, 403, 400, 400]),  # 400: no file sent
    ("get", "/catalog/import/", [405] * 7),
    ("get", "/supervision/audit/", [LOGIN, 403, 403, 403, 200, 200, 200]),
    ("get", "/supervision/audit/export/", [LOGIN, 403, 403, 403, 200, 200, 200]),
    ("post", "/supervision/audit/", [405] * 7),
]


def make(role):
    return {
        "anonymous": lambda: None,
        "citizen": UserFactory,
        "clerk": ClerkFactory,
        "reviewer": ReviewerFactory,
        "supervisor": SupervisorFactory,
        "administrator": lambda: UserFactory(role=User.Role.ADMINISTRATOR),
        "superuser": lambda: UserFactory(role=User.Role.PUBLIC, is_superuser=True, is_staff=True),
    }[role]()


def _rows():
    for method, url, statuses in CASES:
        assert len(statuses) == len(ROLES), url
        for role, expected in zip(ROLES, statuses):
            yield pytest.param(role, method, url, expected, id=f"{role}-{method}-{url}")


@pytest.mark.parametrize("role,method,url,expected", list(_rows()))
def test_catalog_page_matrix(client, db, role, method, url, expected):
    MatterFactory()
    user = make(role)
    if user is not None:
        client.force_login(user)
    response = client.post(url, {}) if method == "post" else client.get(url)
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == expected
    if url.endswith("/export/") and expected == 200:
        assert response["Content-Type"] == XLSX
        assert response.content[:2] == b"PK"  # a zip: the workbook
    elif expected >= 400:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode())  # a Chinese page
