"""Issue 13: on a phone (390 px) a citizen's progress page stays readable without a network — the
service worker kept it — with a banner saying it is the last saved copy; a page never opened shows
the offline page; signing out removes the worker and every kept copy."""

from tests.browser.test_smoke import sign_in
from tests.factories import MatterFactory, UserFactory, submitted_application
from workflow.calendar_store import seed_calendar

KEPT_CACHES = "caches.keys().then(names => names.filter(n => n.startsWith('tongban-')))"


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
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")  # clients.claim() took this tab
    page.goto(detail)  # through the worker now: a copy is kept
    page.wait_for_function(f"caches.open('tongban-pages-v1').then(c => c.match('/applications/{application.number}/'))"
                           ".then(hit => !!hit)")

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
    page.wait_for_function(f"{KEPT_CACHES}.then(left => left.length === 0)")
    page.wait_for_function("navigator.serviceWorker.getRegistrations().then(r => r.length === 0)")
