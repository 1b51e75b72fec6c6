"""Browser (issue 13, 适老化): the 大字版 switch on a phone — bigger text, black on white, no
sideways scrolling, no serious axe-core violation — and the apply form used with the keyboard
alone, from the skip link to the submitted case, every focused control showing its focus."""

import re

from tests.browser.test_accessibility import axe_violations
from tests.browser.test_smoke import PDF_BYTES, sign_in
from tests.factories import MatterFactory, UserFactory
from workflow.calendar_store import seed_calendar
from workflow.models import Application

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def test_large_print_on_a_phone_is_bigger_plain_and_accessible(transactional_db, live_server, page):
    seed_calendar(years=[2026])
    matter = MatterFactory()
    citizen = UserFactory(real_name="林桂英")
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/guide/")
    standard = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    toggle = page.get_by_role("button", name="大字版")
    assert toggle.get_attribute("aria-pressed") == "false"
    box = toggle.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    with page.expect_navigation():
        toggle.click()
    assert page.url == f"{base}/guide/"
    assert "large-print" in page.evaluate("() => document.documentElement.className")
    assert page.get_by_role("button", name="大字版").get_attribute("aria-pressed") == "true"
    large = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert standard == 16 and large == 20
    assert page.evaluate("() => getComputedStyle(document.body).color") == "rgb(0, 0, 0)"

    found = {}
    for path in ("/", "/guide/", f"/guide/matters/{matter.code}/", "/progress/", "/accounts/login/"):
        page.goto(base + path)
        found[path] = (page.evaluate(OVERFLOW), axe_violations(page))
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, citizen)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/applications/", f"/apply/matter/{matter.code}/", "/licences/"):
        page.goto(base + path)
        assert "large-print" in page.evaluate("() => document.documentElement.className"), path
        found[path] = (page.evaluate(OVERFLOW), axe_violations(page))
    assert {p: f for p, f in found.items() if f != (0, [])} == {}
    citizen.refresh_from_db()
    assert citizen.display == ""  # chosen before signing in: the device's choice, not the account's


FOCUSED = """() => { const e = document.activeElement; const s = getComputedStyle(e);
  return {id: e.id, tag: e.tagName, type: e.type || "", text: (e.textContent || "").trim().slice(0, 20),
          ring: (parseFloat(s.outlineWidth) > 0 && s.outlineStyle !== "none") || s.boxShadow !== "none"}; }"""


def test_the_apply_form_with_the_keyboard_alone(transactional_db, live_server, page):
    seed_calendar(years=[2026])
    matter = MatterFactory()
    upload = matter.materials.get(name="申请表")
    citizen = UserFactory(real_name="林桂英")
    base = live_server.url
    sign_in(page, base, citizen)
    page.goto(f"{base}/apply/matter/{matter.code}/")

    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "跳到正文"
    page.keyboard.press("Enter")
    values = {"id_field_applicant_name": "林桂英", "id_field_contact_phone": "13912345678"}
    filled, chosen, unringed = set(), False, []
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused["ring"]:
            unringed.append(focused)
        if focused["id"] in values:
            page.keyboard.press("Control+A")
            page.keyboard.type(values[focused["id"]])
            filled.add(focused["id"])
        elif focused["id"] == f"id_material_{upload.pk}":
            with page.expect_file_chooser() as chooser:
                page.keyboard.press("Space")
            chooser.value.set_files(files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
            chosen = True
        elif focused["tag"] == "BUTTON" and focused["text"] == "提交申请":
            break
    else:
        raise AssertionError("the submit button was never reached with Tab")
    assert filled == set(values) and chosen
    assert unringed == []
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/applications/[^/]+/(#main)?$"))  # the skip link's #main stays
    application = Application.objects.get(applicant=citizen)
    assert application.form_data["contact_phone"] == "13912345678"
    assert application.materials.get(name="申请表").original_name == "申请表.pdf"
