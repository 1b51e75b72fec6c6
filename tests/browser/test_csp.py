"""Issue 12: the main pages of every role run under the Content-Security-Policy without a single
violation (the `page` fixture fails the test on any; the scripts must still run)."""

from tests.browser.test_smoke import sign_in
from tests.factories import ClerkFactory, MatterFactory, SupervisorFactory, UserFactory, submitted_application
from workflow.calendar_store import seed_calendar

PUBLIC = ["/", "/guide/", "/themes/", "/progress/", "/verify/", "/disclosure/", "/queue/", "/accounts/login/",
          "/accounts/signup/", "/accounts/claim/", "/no-such-page/"]


def visit(page, base, paths):
    for path in paths:
        page.goto(base + path)
        page.wait_for_load_state("load")
        # the early script ran: CSP allowed our own static script
        assert page.evaluate("document.documentElement.className") == "js", path
        assert not page.csp.all(), (path, page.csp.all())


def test_public_and_staff_pages_report_no_csp_violation(transactional_db, live_server, page):
    seed_calendar(years=[2026])
    matter = MatterFactory()
    citizen = UserFactory()
    application = submitted_application(applicant=citizen, matters=[matter])
    base = live_server.url

    visit(page, base, PUBLIC + [f"/guide/matters/{matter.code}/"])
    page.goto(base + "/api/docs/")  # Swagger UI: its start-up script is a file too (the split view)
    page.wait_for_selector(".swagger-ui .info")
    assert not page.csp.all(), page.csp.all()

    sign_in(page, base, citizen)
    visit(page, base, ["/applications/", f"/applications/{application.number}/", f"/apply/matter/{matter.code}/",
                       "/me/agents/", "/appointments/book/", "/licences/"])
    page.context.clear_cookies()

    clerk = ClerkFactory()
    sign_in(page, base, clerk)
    visit(page, base, ["/hall/", "/hall/walk-in/", "/hall/delivery/", f"/applications/{application.number}/"])
    page.context.clear_cookies()

    supervisor = SupervisorFactory()
    sign_in(page, base, supervisor)
    visit(page, base, ["/supervision/", "/supervision/cards/"])
