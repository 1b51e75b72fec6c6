"""Issue 13 (适老化 and accessibility): every citizen page passes axe-core — installed from npm at
set-up (package.json), never from a CDN — with no serious or critical violation of WCAG 2.1 A/AA,
on a desktop and on a 390 px phone. axe runs through the DevTools protocol (page.evaluate), so the
pages' Content-Security-Policy stays as strict as in production."""

from pathlib import Path

import pytest
from django.conf import settings

from tests.browser.test_smoke import sign_in
from tests.factories import MatterFactory, UserFactory, submitted_application
from workflow.calendar_store import seed_calendar

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PUBLIC = ["/", "/guide/", "/themes/", "/progress/", "/verify/", "/disclosure/", "/queue/", "/accounts/login/",
          "/accounts/signup/", "/accounts/claim/", "/no-such-page/", "/civic/", "/civic/ask/", "/market/", "/market/intermediaries/", "/market/demands/"]
BLOCKING = ("serious", "critical")


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make test` (npm ci installs axe-core from package.json)", pytrace=False)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})""")
    return [f"{v['impact']} {v['id']}: {v['help']} — " + "; ".join(" ".join(n["target"]) + " " + n.get("failureSummary", "")[-160:].replace(chr(10), " ") for n in v["nodes"][:5])
            for v in result["violations"] if v["impact"] in BLOCKING]


def check(page, base, paths):
    failures = {}
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("load")
        found = axe_violations(page)
        if found:
            failures[path] = found
    assert failures == {}


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone"])
def test_citizen_pages_have_no_serious_accessibility_violation(transactional_db, live_server, page, viewport):
    seed_calendar(years=[2026])
    page.set_viewport_size(viewport)
    matter = MatterFactory()
    citizen = UserFactory()
    application = submitted_application(applicant=citizen, matters=[matter])
    base = live_server.url
    check(page, base, PUBLIC + [f"/guide/matters/{matter.code}/"])
    page.set_viewport_size({"width": 1280, "height": 900})  # the sign-in helper reads the name shown in the header
    sign_in(page, base, citizen)
    page.set_viewport_size(viewport)
    check(page, base, ["/applications/", f"/applications/{application.number}/", f"/apply/matter/{matter.code}/",
                       "/me/agents/", "/appointments/book/", "/licences/", "/complaints/", "/complaints/mine/",
                       "/civic/mine/", "/civic/ask/"])
