"""The Chromium fixture every browser test uses, defined here so that no test module imports a
fixture from another (which errors instead of running on a fresh machine).

Debian's own Chromium driven by Playwright for Python (no browser is ever downloaded); `make
test` installs it (scripts/system-deps.sh with WITH_BROWSER=1). A missing Chromium fails the
browser tests with that instruction rather than skipping them silently.

Every tab records the Content-Security-Policy violations the page reports
(`page.csp_violations`); the pages the tests visit must report none.
"""

import os

import pytest
from django.db import connections

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 15_000

# Listens for violations before any page script runs; the list lives on the window and is read
# back by the fixture (an init script is not an inline script: CSP does not apply to it).
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


def pytest_collection_modifyitems(items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


class CspLog:
    """Violations seen in a tab: from the console (any page load) and the page's own event list."""

    def __init__(self, tab):
        self.tab = tab
        self.console: list[str] = []
        tab.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(text)

    def all(self) -> list[str]:
        try:
            seen = self.tab.evaluate("window.__cspViolations || []")
        except Exception:  # noqa: BLE001 - the page is navigating or closed
            seen = []
        return self.console + list(seen)


@pytest.fixture
def page(monkeypatch):
    """A Chromium tab; the browser is closed whatever happens, and the test fails if any page it
    showed reported a Content-Security-Policy violation.

    Inside `sync_playwright()` the test's code runs in another context (Playwright switches
    greenlets through asyncio callbacks), so Django opens a second connection there; it is closed
    before leaving, or PostgreSQL refuses to drop the test database at the end of the session.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `WITH_BROWSER=1 scripts/system-deps.sh` (make test does) "
                    "or set CHROMIUM_PATH", pytrace=False)
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # plain synchronous calls, so Django's async guard is lifted for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            context.set_default_navigation_timeout(TIMEOUT_MS)
            context.add_init_script(WATCH_CSP)
            tab = context.new_page()
            tab.on("dialog", lambda dialog: dialog.accept())  # the 确认…? of data-confirm forms
            tab.csp = CspLog(tab)
            yield tab
            violations = tab.csp.all()
            assert not violations, f"Content-Security-Policy violations: {violations}"
        finally:
            connections.close_all()
            browser.close()
