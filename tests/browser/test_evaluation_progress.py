"""The evaluation export's progress bar in Chromium: the supervisor asks for an export, the page
shows it queued without download links, the worker builds it, and the page (polling its status
with fetch) shows 100 % and the links without a reload."""


from supervision.models import ReportJob
from supervision.tasks import build_report
from tests.browser.test_smoke import sign_in
from tests.factories import MatterFactory, SupervisorFactory
from workflow.calendar_store import seed_calendar


def test_the_progress_bar_follows_the_worker(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    MatterFactory()
    supervisor = SupervisorFactory()
    sign_in(page, live_server.url, supervisor)
    page.goto(f"{live_server.url}/supervision/evaluation/?start=2026-10-01&end=2026-10-31")
    with page.expect_navigation():
        page.get_by_role("button", name="导出 PDF 和 XLSX").click()
    job = ReportJob.objects.get()
    expect(page.locator("[data-report-message]")).to_contain_text("已排队")
    expect(page.locator("[data-report-pdf]")).to_be_hidden()

    build_report(job.pk)  # the worker

    expect(page.locator("[data-report-message]")).to_contain_text("100%")
    expect(page.locator("[data-report-state]")).to_have_text("已完成")
    expect(page.locator("[data-report-pdf]")).to_be_visible()
    assert page.locator("[data-report-progress]").get_attribute("value") in ("100", None)
    assert page.evaluate("document.querySelector('[data-report-progress]').value") == 100
    href = page.locator("[data-report-pdf]").get_attribute("href")
    assert href == f"/supervision/evaluation/jobs/{job.pk}/pdf/"
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.body().startswith(b"%PDF")
