"""Browser: a clerk accepts a complete walk-in for a three-matter theme with situation questions
on one screen (issue 5's "done when"), with the figures behind the three-minute target: page
loads, fields typed, clicks. bench/bench_walk_in.py times the same flow."""

from tests.browser.test_smoke import page, sign_in  # noqa: F401  (the Chromium fixture)
from tests.browser.walk_in_flow import Counter, accept_walk_in, build_world
from workflow.models import Application, Notice

pytestmark = __import__("tests.browser.test_smoke", fromlist=["pytestmark"]).pytestmark


def test_clerk_accepts_a_three_matter_walk_in_on_one_screen(transactional_db, live_server, page):  # noqa: F811
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
