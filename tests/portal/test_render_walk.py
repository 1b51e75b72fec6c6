"""Every page of every role, walked like a person clicking through the demo district: no server
error, and no template syntax ({# … #}, {% … %}, {{ … }}) left on screen.

The demo district is loaded once (the same command as `make demo`); each demo user signs in and
follows every link the pages show, from the home page, the workbench and every page of the portal
that takes no argument. Links of one shape (the same path with other numbers) are visited a few
times, not all; downloads (PDF, XLSX) are not parsed.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User

pytestmark = pytest.mark.django_db

SYNTAX = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}")
SKIP = ("/admin/", "/api/", "/accounts/logout", "/static/", "/media/")
PER_SHAPE = 2
PER_ROLE = 400
# One demo user of every kind: citizens, an enterprise's staff, the clerks of the centre (natural,
# legal, delivery) and of a township hall, reviewers of three departments and a leader, the
# supervisor and the administrator.
ROLES = ["citizen", "citizen2", "enterprise", "clerk", "clerk_legal", "clerk_taihe", "clerk_delivery", "reviewer_scjg",
         "reviewer_ga", "reviewer_yb", "leader_ga", "supervisor", "admin"]


class _Page(HTMLParser):
    """The text a person sees (script and style left out), the attribute values a screen reader
    reads, and the links."""

    def __init__(self):
        super().__init__()
        self.links, self.text, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("title", "placeholder", "value", "aria-label", "alt", "data-confirm"):
            if attrs.get(name):
                self.text.append(attrs[name])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden = max(0, self._hidden - 1)

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"[0-9A-Fa-f-]{8,}|\d+", "N", parts.path) + "?" + "&".join(keys)


def _plain_pages():
    """Every page of the site that takes no argument."""
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and "<" not in str(p.pattern):
                found.append("/" + prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "")
    return [u for u in found if not u.startswith(SKIP) and "export" not in u]


def _walk(client: Client, check=None):
    """(url, problem) for every page reached from the starting points; `check(url, text)` (the
    text a person sees) may name more problems (tests/security/test_masking.py)."""
    queue = deque(["/", "/workbench/", *_plain_pages()])
    seen, shapes, problems = set(), {}, []
    while queue and len(seen) < PER_ROLE:
        url = queue.popleft()
        if url in seen or url.startswith(SKIP) or re.search(r"\.(pdf|xlsx|png|csv)$|/export/|/(pdf|xlsx|png)/$", url):
            continue
        shape = _shape(url)
        if shapes.get(shape, 0) >= PER_SHAPE:
            continue
        seen.add(url)
        shapes[shape] = shapes.get(shape, 0) + 1
        try:
            response = client.get(url, follow=True)
        except Exception as error:  # the test client re-raises what would be a 500
            problems.append((url, f"500: {error!r}"))
            continue
        if response.status_code >= 500:
            problems.append((url, f"status {response.status_code}"))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = _Page()
        page.feed(response.content.decode())
        text = " ".join(page.text)
        hit = SYNTAX.search(text)
        if hit:
            problems.append((url, f"template syntax on screen: …{text[max(0, hit.start() - 60):hit.end() + 60]}…"))
        if check is not None:
            problems += [(url, problem) for problem in check(url, text)]
        for link in page.links:
            link = link.split("#")[0]
            if link.startswith("/") and not link.startswith("//"):
                queue.append(link)
            elif link.startswith("?"):
                queue.append(urlsplit(url).path + link)
    return seen, problems


def test_every_page_of_every_role_renders_without_template_syntax_or_error():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    problems, visited, everything = [], 0, set()
    for role in [None, *ROLES]:
        client = Client()
        if role:
            client.force_login(User.objects.get(username=role))
        seen, found = _walk(client)
        visited += len(seen)
        everything |= seen
        problems += [(role or "anonymous", *p) for p in found]
    assert visited > 300
    paths = {u.split("?")[0] for u in everything}
    assert {"/hall/walk-in/", "/supervision/"} <= paths
    for section in ("/applications/", "/review/"):  # case pages, not only the lists, were read
        assert any(p.startswith(section) and p != section for p in paths), section
    assert not problems, "\n".join(" ".join(p) for p in problems)
