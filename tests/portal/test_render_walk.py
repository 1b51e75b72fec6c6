"""Every page of every role, walked like a person clicking through the demo district: no server
error, no template syntax ({# … #}, {% … %}, {{ … }}) left on screen, and none of another
person's full ID number or mobile (the one masking rule of issue 12 B,
accounts.identity.mask_value: a full number is shown only to the person it belongs to, and to the
clerk whose duty needs it whole).

The demo district is loaded once for the module (the same command as `make demo`, in the
module's transaction, tests/conftest.py `module_db`); each demo user signs in and follows every
link the pages show, from the home page, the workbench and every page of the portal that takes no
argument, then reads every API list and up to three detail answers each names. Links of one shape (the same path
with other numbers) are visited a few times, not all; downloads (PDF, XLSX) are not parsed. One
walk serves both tests: it was walked twice before, 40 % of a CI run's two slowest tests.
"""

import json
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User

# The tests read only what the module's walk gathered; the mark makes pytest-django set up the
# test database for them (it sets up only the databases marked tests use).
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


def _paths_without_arguments():
    """The path of every URL pattern of the site that takes no argument."""
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and "<" not in str(p.pattern) and "(?P" not in str(p.pattern):
                found.append("/" + prefix + str(p.pattern).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return found


def _plain_pages():
    """Every page of the site that takes no argument."""
    return [u for u in _paths_without_arguments() if not u.startswith(SKIP) and "export" not in u]


def _walk(client: Client, check=None):
    """(url, problem) for every page reached from the starting points; `check(url, text)` (the
    text a person sees) may name more problems (the masking rule)."""
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


def _api_lists():
    return sorted({u for u in _paths_without_arguments() if u.startswith("/api/") and "schema" not in u
                   and "docs" not in u and "\\" not in u and "format" not in u})


def _api_texts(client):
    """(url, body) of every API list the user can read and of up to 3 detail answers each names."""
    out = []
    for url in _api_lists():
        response = client.get(url)
        if response.status_code != 200 or "json" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        out.append((url, body))
        data = json.loads(body)
        rows = data.get("results", []) if isinstance(data, dict) else data if isinstance(data, list) else []
        for row in rows[:3]:
            key = next((row[k] for k in ("number", "id", "pk", "code") if isinstance(row, dict) and k in row), None)
            if key is None:
                continue
            detail = client.get(f"{url.rstrip('/')}/{key}/")
            if detail.status_code == 200 and "json" in detail.get("Content-Type", ""):
                out.append((f"{url}{key}/", detail.content.decode()))
    return out


def _duty(user) -> set[str]:
    """Numbers a role's duty needs whole, by the rule's two written exceptions: the delivery
    windows post results (the recipient's phone, workflow.selectors.sees_postal_details) and the
    clerk who owns an open consultation calls the asker back (windows.api); and the clerk who goes
    to an open home visit calls the person before (windows.home_visit_views)."""
    from windows.models import Consultation, HomeVisit
    from workflow.models import Application
    from workflow.selectors import sees_postal_details

    numbers = {a.post_phone for a in Application.objects.exclude(post_phone="") if sees_postal_details(user, a)}
    numbers |= {c.asker_phone for c in Consultation.objects.filter(owner=user) if c.is_open and c.asker_phone}
    # 上门办理: the clerk who goes calls the person before an open visit (windows.home_visit_views)
    numbers |= {v.phone for v in HomeVisit.objects.filter(clerk=user) if v.is_open}
    return numbers


FULL_NUMBER = "full number of user"


def _people_numbers() -> dict[str, int]:
    """Every demo person's full ID number and mobile → the person's id."""
    numbers = {}
    for person in User.objects.exclude(id_number=None).exclude(id_number=""):
        numbers[person.id_number] = person.pk
        if person.phone:
            numbers[person.phone] = person.pk
    return numbers


@pytest.fixture(scope="module")
def demo_walk(module_db):
    """The demo loaded and walked once for both tests, as each role: {role: (pages seen, problems
    of the rendering, problems of the masking, API answers read)}, in the module's transaction
    (tests/conftest.py `module_db`), rolled back after both."""
    call_command("load_demo", stdout=open("/dev/null", "w"))
    numbers = _people_numbers()
    pattern = re.compile("|".join(sorted(map(re.escape, numbers), key=len, reverse=True)))
    walked = {"numbers": len(numbers)}
    for role in [None, *ROLES]:
        user = User.objects.get(username=role) if role else None
        client = Client()
        if user:
            client.force_login(user)
        duty = _duty(user) if user else set()

        def check(url, text, user=user, duty=duty):
            return [f"{FULL_NUMBER} {numbers[hit]}" for hit in set(pattern.findall(text))
                    if (user is None or numbers[hit] != user.pk) and hit not in duty]

        seen, found = _walk(client, check)
        texts = _api_texts(client) if user else []
        masking = [(url, p) for url, p in found if p.startswith(FULL_NUMBER)]
        masking += [(url, p) for url, body in texts for p in check(url, body)]
        rendering = [(url, p) for url, p in found if not p.startswith(FULL_NUMBER)]
        walked[role or "anonymous"] = (seen, rendering, masking, len(texts))
    return walked


def _roles(walked):
    return [(role, found) for role, found in walked.items() if role != "numbers"]


def test_every_page_of_every_role_renders_without_template_syntax_or_error(demo_walk):
    problems, visited, everything = [], 0, set()
    for role, (seen, rendering, _, _) in _roles(demo_walk):
        visited += len(seen)
        everything |= seen
        problems += [(role, *p) for p in rendering]
    assert visited > 300
    paths = {u.split("?")[0] for u in everything}
    assert {"/hall/walk-in/", "/supervision/"} <= paths
    for section in ("/applications/", "/review/"):  # case pages, not only the lists, were read
        assert any(p.startswith(section) and p != section for p in paths), section
    assert not problems, "\n".join(" ".join(p) for p in problems)


def test_no_role_sees_another_persons_full_id_number_or_mobile(demo_walk):
    assert demo_walk["numbers"] > 10
    assert sum(api_read for _, (_, _, _, api_read) in _roles(demo_walk)) > 30
    problems = [(role, *p) for role, (_, _, masking, _) in _roles(demo_walk) for p in masking]
    assert problems == [], "\n".join(" ".join(map(str, p)) for p in problems)
