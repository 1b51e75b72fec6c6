"""The one masking rule (issue 12 B, accounts.identity.mask_value): a full ID number or mobile
number is shown only to the person it belongs to (and to the clerk at the identity check, where
the clerk types it). Every page each demo role reaches (the render walk) and every API list and
the detail answers they link to are read; none may hold another person's full number."""

import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from tests.portal.test_render_walk import ROLES, _walk

pytestmark = pytest.mark.django_db


def _api_lists():
    found = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and "<" not in str(p.pattern) and "(?P" not in str(p.pattern):
                found.append("/" + prefix + str(p.pattern).lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted({u for u in found if u.startswith("/api/") and "schema" not in u and "docs" not in u
                   and "\\" not in u and "format" not in u})


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


def test_no_role_sees_another_persons_full_id_number_or_mobile():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    people = list(User.objects.exclude(id_number=None).exclude(id_number=""))
    numbers = {}
    for person in people:
        numbers[person.id_number] = person.pk
        if person.phone:
            numbers[person.phone] = person.pk
    assert len(numbers) > 10
    pattern = re.compile("|".join(sorted(map(re.escape, numbers), key=len, reverse=True)))
    problems, api_read = [], 0
    for role in [None, *ROLES]:
        user = User.objects.get(username=role) if role else None
        client = Client()
        if user:
            client.force_login(user)

        duty = _duty(user) if user else set()

        def check(url, text, user=user, duty=duty):
            return [f"full number of user {numbers[hit]}" for hit in set(pattern.findall(text))
                    if (user is None or numbers[hit] != user.pk) and hit not in duty]

        _, found = _walk(client, check)
        problems += [(role or "anonymous", url, p) for url, p in found if not p.startswith(("500", "status", "template"))]
        if user:
            texts = _api_texts(client)
            api_read += len(texts)
            problems += [(role, url, p) for url, body in texts for p in check(url, body)]
    assert api_read > 30
    assert problems == [], "\n".join(" ".join(map(str, p)) for p in problems)
