"""Browser test: the supervisor's dashboard draws its charts with the Chart.js installed at
set-up (served from static/vendor/), and a card opened after the page has loaded appears at the
top of the card list, highlighted, without a reload. Headless Debian Chromium, as the smoke test."""

import datetime as dt

from supervision.figures import services as figures
from supervision.models import Card
from tests.browser.test_smoke import sign_in
from tests.supervision.figures_data import make_district
from workflow.models import SubCase


def test_new_card_appears_without_reload(transactional_db, live_server, page):
    from playwright.sync_api import expect

    district = make_district(applications=40)
    figures.refresh_all()
    subcases = list(SubCase.objects.filter(state=SubCase.State.EXAMINING).order_by("pk")[:2])
    Card.objects.create(application=subcases[0].application, subcase=subcases[0], level="yellow",
                        department=subcases[0].department, reason="剩余2个工作日", due=dt.date(2026, 10, 20))
    base = live_server.url
    sign_in(page, base, district["supervisor"])
    page.goto(f"{base}/supervision/?period=custom&first=2026-09-01&last=2026-10-31")
    expect(page.locator("h1")).to_have_text("效能监督")
    # the charts are drawn by the library from static/vendor/, not a CDN
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-trend') && Chart.getChart('chart-departments')")
    assert page.evaluate("Chart.getChart('chart-trend').data.datasets[0].data.reduce((a, b) => a + b, 0)") == 40
    rows = page.locator("[data-live-cards-body] tr")
    expect(rows).to_have_count(1)
    page.evaluate("window.__sameDocument = true")

    card = Card.objects.create(application=subcases[1].application, subcase=subcases[1], level="red",
                               department=subcases[1].department, reason="已超过办结期限", due=dt.date(2026, 10, 9))
    first = rows.first
    expect(first).to_have_attribute("data-card-id", str(card.pk), timeout=15_000)
    expect(first).to_have_class("row-red live-new")
    expect(first).to_contain_text("已超过办结期限")
    expect(first).to_contain_text(subcases[1].number)
    expect(rows).to_have_count(2)
    expect(page.locator("[data-live-status]")).to_contain_text("新亮牌 1")
    assert page.evaluate("window.__sameDocument === true")  # no reload happened
