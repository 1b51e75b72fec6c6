"""我的证照 on a phone (390 px): a card per licence, nothing wider than the screen, every button a
finger can hit, the QR code drawn and leading to the public verification page; offline, the copy
the service worker kept still shows the cards and their codes."""

from tests.browser.test_accessibility import axe_violations
from tests.browser.test_offline import wait_until
from tests.browser.test_smoke import sign_in
from tests.factories import LicenceTypeFactory, MatterFactory, ReviewerFactory, accepted_application
from workflow import services, tasks
from workflow.calendar_store import seed_calendar

# Anything in the wallet that sticks out of the 390 px screen, as [tag, class, right edge].
WIDER_THAN_SCREEN = """
() => Array.from(document.querySelectorAll("[data-wallet], [data-wallet] *"))
  .map(e => [e.tagName, e.className, Math.round(e.getBoundingClientRect().right)])
  .filter(([, , right]) => right > window.innerWidth)
"""
# Links and buttons of the cards smaller than 44 × 44 px, as [text, w, h].
SMALL_TARGETS = """
() => Array.from(document.querySelectorAll("[data-wallet] a, [data-wallet] button"))
  .map(a => { const b = a.getBoundingClientRect(); return [a.textContent.trim(), Math.round(b.width), Math.round(b.height)]; })
  .filter(([, w, h]) => w < 44 || h < 44)
"""
QR_DRAWN = """
() => Array.from(document.querySelectorAll(".licence-qr img"))
  .map(i => [i.complete && i.naturalWidth > 20, Math.round(i.getBoundingClientRect().width)])
"""


def test_the_wallet_on_a_phone_and_offline(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    kind = LicenceTypeFactory(  # a type with a data item and the codes of an identifier (made-up, valid check characters)
        name="食品经营许可证", code="11440000MB2D00014P001", issuer_code="11441803MB2C000133",
        data_items=[{"key": "operator", "name": "经营者名称", "type": "text", "required": True, "field": "applicant_name"}])
    matter = MatterFactory(name="食品经营许可", issues_licence=True, result_name="食品经营许可证", licence_type=kind)
    application = accepted_application(matters=[matter])
    services.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    services.subcase_decide(
        subcase=subcase, reviewer=ReviewerFactory(department=subcase.department), approve=True, reason=""
    )
    tasks.issue_licence(subcase.pk)
    licence = application.applicant.licences.get()
    base = live_server.url
    sign_in(page, base, application.applicant)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/licences/")

    card = page.locator(f'[data-licence="{licence.number}"]')
    expect(card).to_be_visible()
    expect(card.locator("h2")).to_have_text("食品经营许可证")
    expect(card).to_contain_text("有效")
    expect(card).to_contain_text(licence.number)
    expect(card).to_contain_text(licence.holder_name)
    expect(card).to_contain_text(licence.department.name)
    expect(card).to_contain_text("经营者名称")  # the type's data items
    expect(card.locator("[data-identifier]")).to_have_text(licence.identifier)  # 70 characters, wrapped
    assert licence.identifier.startswith("1.2.156.3005.2.")
    assert page.evaluate(WIDER_THAN_SCREEN) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate(QR_DRAWN) == [[True, 176]]  # drawn, and large enough to scan from a phone
    assert axe_violations(page) == []

    # the service worker keeps the page: offline, the cards and their codes are still there
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.goto(f"{base}/licences/")
    wait_until(page, "() => navigator.serviceWorker.controller !== null")
    wait_until(page, "() => caches.open('tongban-pages-v1').then(c => c.match('/licences/')).then(hit => !!hit)")
    page.context.set_offline(True)
    page.goto(f"{base}/licences/")
    expect(page.locator("[data-offline-banner]")).to_be_visible()
    expect(card).to_contain_text(licence.number)
    assert page.evaluate(QR_DRAWN) == [[True, 176]]
    page.context.set_offline(False)

    # in large print (大字版) the cards still fit the screen and pass axe
    with page.expect_navigation():
        page.get_by_role("button", name="大字版").click()
    assert "large-print" in page.evaluate("() => document.documentElement.className")
    assert page.evaluate(WIDER_THAN_SCREEN) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []

    # the code leads to the public verification page, which checks the signature
    with page.expect_navigation():
        card.locator(".licence-qr").click()
    expect(page.locator("main")).to_contain_text("核验通过")
    expect(page.locator("main")).to_contain_text("电子签名有效")
    expect(page.locator("main")).to_contain_text(licence.number)
