"""Browser (issue 17): layout measured in Chromium. At 1366 px the citizen's menu is one line;
on a 390 px phone every link a finger must hit on the home page, in breadcrumbs, in tables
(下载 links) and in the footer is at least 44 × 44 px (WCAG 2.5.5, the MIIT 适老化 rules).
Links inside running text (a sentence in a paragraph) are exempt, as WCAG exempts them."""

from django.core.files.base import ContentFile

from tests.browser.test_smoke import PDF_BYTES, sign_in
from tests.factories import MatterFactory, UserFactory, concluded_application
from workflow.calendar_store import seed_calendar

# Every visible link (and small button) outside running text, with its box, as [text, w, h].
SMALL_TARGETS = """
() => Array.from(document.querySelectorAll("main a, .site-footer a, main button"))
  .filter(a => {
    const box = a.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(a).visibility === "hidden") return false;
    const p = a.closest("p, dd, .help, .lead, .alert, .errorlist");
    return !(p && p.textContent.trim().length > a.textContent.trim().length + 2);
  })
  .map(a => { const b = a.getBoundingClientRect(); return [a.textContent.trim().slice(0, 20), Math.round(b.width), Math.round(b.height)]; })
  .filter(([, w, h]) => w < 44 || h < 44)
"""


def test_citizen_menu_is_one_line_at_1366(transactional_db, live_server, page):
    citizen = UserFactory(real_name="陈志明")
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, base, citizen)
    page.goto(f"{base}/applications/")
    tops = page.eval_on_selector_all("#nav-list > li", "items => items.map(i => Math.round(i.getBoundingClientRect().top))")
    assert len(tops) >= 12 and len(set(tops)) == 1, tops
    assert page.eval_on_selector("#nav-list", "l => l.scrollWidth <= l.clientWidth + 1")


def test_tap_targets_on_a_phone_are_44_px(transactional_db, live_server, page):
    seed_calendar(years=[2026])
    matter = MatterFactory(name="城乡居民养老保险参保登记")
    requirement = matter.materials.get(name="申请表")
    requirement.blank_form.save("blank.pdf", ContentFile(PDF_BYTES))
    requirement.sample.save("sample.pdf", ContentFile(PDF_BYTES))
    citizen = UserFactory(real_name="陈志明")
    application = concluded_application(applicant=citizen, matters=[matter])
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    small = {}
    page.goto(base + "/")
    small["/"] = page.evaluate(SMALL_TARGETS)
    page.goto(f"{base}/guide/?q={matter.name}")
    small["/guide/"] = page.evaluate(SMALL_TARGETS)
    page.locator("main a", has_text=matter.name).first.click()
    page.wait_for_load_state()
    small[page.url] = page.evaluate(SMALL_TARGETS)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, citizen)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/", "/applications/", f"/applications/{application.number}/", "/licences/"):
        page.goto(base + path)
        small[path + " (signed in)"] = page.evaluate(SMALL_TARGETS)
    small = {k: v for k, v in small.items() if v}
    page.goto(base + "/")
    page.screenshot(path="/tmp/tongban-home-390.png", full_page=True)
    assert not small, small
