"""Browser: a clerk accepts a complete walk-in for a three-matter theme with situation questions
on one screen (issue 5's "done when"), with the figures behind the three-minute target: page
loads, fields typed, clicks. bench/bench_walk_in.py times the same flow."""

from tests.browser.test_smoke import sign_in
from tests.browser.walk_in_flow import Counter, accept_walk_in, build_world
from workflow.models import Application, Notice


def test_clerk_accepts_a_three_matter_walk_in_on_one_screen(transactional_db, live_server, page):
    world = build_world()
    base = live_server.url
    sign_in(page, base, world["clerk"])
    counter = Counter()
    counter.watch(page)

    number = accept_walk_in(page, base, world["applicant"].id_number, counter,
                            screenshot="/tmp/tongban-walk-in-screen.png")

    page.screenshot(path="/tmp/tongban-walk-in.png", full_page=True)
    # the walk-in page, the theme's screen, the screen with the answers, the result: 4 loads;
    # 3 fields typed (ID number, newborn's name, birth date) and one bank picked from a list
    assert counter.page_loads == 4, counter.summary()
    assert len(counter.typed) == 3 and len(counter.chosen) == 1, counter.summary()
    assert counter.clicks == 7, counter.summary()

    application = Application.objects.get(number=number)
    assert application.state == Application.State.ACCEPTED
    assert application.applicant == world["applicant"] and application.accepted_by == world["clerk"]
    assert sorted(s.matter.name for s in application.subcases.all()) == sorted(
        ["出生登记", "城乡居民医保参保登记", "社会保障卡申领"])
    assert application.form_data["applicant_name"] == "陈志明" and application.form_data["bank"] == "清远农商银行"
    assert [a["label"] for a in application.situation["answers"]] == ["是", "父母本人"]
    assert application.notices.filter(kind=Notice.Kind.ACCEPTANCE).count() == 1


def test_the_walk_in_screen_works_from_the_keyboard(transactional_db, live_server, page):
    """Autofocus where the clerk starts, arrow keys and Enter for the questions, Tab between
    fields, Enter in a field accepts; a missing material is named before and after Enter."""
    from playwright.sync_api import expect

    world = build_world()
    base = live_server.url
    sign_in(page, base, world["clerk"])
    page.goto(f"{base}/hall/walk-in/?theme={world['theme'].code}")
    first = page.get_by_role("radio", name="是", exact=True)
    expect(first).to_be_focused()
    page.keyboard.press("Space")  # 是
    page.keyboard.press("Tab")  # to the next question
    page.keyboard.press("Space")  # 父母本人
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("#applicant_id_number")).to_be_focused()
    page.keyboard.type(world["applicant"].id_number)
    expect(page.locator("#applicant_lookup")).to_contain_text("已登记申请人")
    page.locator("#id_field_newborn_name").focus()
    page.keyboard.type("陈小雨")
    page.keyboard.press("Tab")
    expect(page.locator("#id_field_newborn_birth_date")).to_be_focused()  # tab order follows the form
    page.fill("#id_field_newborn_birth_date", "2026-11-20")  # (the date picker's own keys are Chromium's)
    page.locator("#id_field_bank").select_option("清远农商银行")
    expect(page.locator("#missing-summary")).to_contain_text("尚缺 4 项")
    # Enter while a material is missing: the server refuses and names it, nothing saved
    page.locator("#id_field_newborn_name").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("材料不齐全,不能当场受理。尚缺 4 项")
    assert not Application.objects.exists()
    page.locator("#mark-all").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#missing-summary")).to_contain_text("必需材料已齐全")
    page.locator("#id_field_newborn_name").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".walk-in-state")).to_have_text("已受理")
    expect(page.get_by_role("link", name="继续收件(下一位)")).to_be_focused()
    assert Application.objects.get().state == Application.State.ACCEPTED
