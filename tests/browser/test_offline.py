"""Issue 13: on a phone (390 px) a citizen's progress page stays readable without a network — the
service worker kept it — with a banner saying it is the last saved copy; a page never opened shows
the offline page; signing out removes the worker and every kept copy."""

import time

from tests.browser.test_smoke import sign_in
from tests.factories import MatterFactory, UserFactory, submitted_application
from workflow.calendar_store import seed_calendar

KEPT_CACHES = "caches.keys().then(names => names.filter(n => n.startsWith('tongban-')))"


def wait_until(page, predicate: str, timeout: float = 15.0) -> None:
    """Poll `predicate` (a JavaScript function, may return a promise) from here. Not
    page.wait_for_function: its polling runs eval() in the page, which the pages' Content-Security-
    Policy forbids (it only showed when a slow worker made it poll); page.evaluate goes through the
    DevTools protocol, outside the CSP."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate}"
        time.sleep(0.1)


def test_the_progress_page_is_readable_offline_and_forgotten_at_sign_out(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    citizen = UserFactory()
    application = submitted_application(applicant=citizen, matters=[MatterFactory()])
    base = live_server.url
    sign_in(page, base, citizen)
    page.set_viewport_size({"width": 390, "height": 844})
    detail = f"{base}/applications/{application.number}/"
    page.goto(detail)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")  # installed and active
    page.goto(detail)  # a navigation after activation goes through the worker: a copy is kept
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    wait_until(page, f"() => caches.open('tongban-pages-v1')"
                           f".then(c => c.match('/applications/{application.number}/')).then(hit => !!hit)")

    page.context.set_offline(True)
    page.goto(detail)
    expect(page.locator("main")).to_contain_text(application.number)
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    expect(page.locator("[data-offline-banner]")).to_contain_text("离线")
    page.goto(f"{base}/appointments/book/")  # never opened: the offline page
    expect(page.locator("h1")).to_have_text("当前无法连接网络")

    page.context.set_offline(False)
    page.goto(detail)
    expect(page.locator("[data-offline-banner]")).to_be_hidden()
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_navigation():
        page.get_by_role("button", name="退出").click()
    wait_until(page, f"() => {KEPT_CACHES}.then(left => left.length === 0)")
    wait_until(page, "() => navigator.serviceWorker.getRegistrations().then(r => r.length === 0)")
