"""The walk-in of a three-matter theme with situation questions, driven in a browser: shared by
tests/browser/test_walk_in.py (asserts) and bench/bench_walk_in.py (times). The clerk is signed
in already (they are, all day); from the walk-in page the clerk picks the theme, answers the
situation questions, types the ID number and the fields of the one form nobody knows yet, marks
every original as checked and accepts, then opens the notice to print.

Every page load, typed field and click is counted through `Counter`, so the figures printed are
what the flow did, not what someone believes it does.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

THEME_NAME = "新生儿出生一件事"


@dataclass
class Counter:
    page_loads: int = 0
    typed: list[str] = field(default_factory=list)
    chosen: list[str] = field(default_factory=list)  # <select> picks (a click and a choice)
    clicks: int = 0

    def watch(self, page):
        page.on("load", lambda _page: setattr(self, "page_loads", self.page_loads + 1))

    def type(self, page, selector, text):
        page.fill(selector, text)
        self.typed.append(selector)

    def choose(self, page, selector, value):
        page.select_option(selector, value)
        self.chosen.append(selector)

    def click(self, locator, *, navigates=False):
        page = locator.page
        if navigates:
            with page.expect_navigation():
                locator.click()
        else:
            locator.click()
        self.clicks += 1

    def summary(self) -> str:
        return (f"{self.page_loads} page loads, {len(self.typed)} fields typed, "
                f"{len(self.chosen)} picked from a list, {self.clicks} clicks")


def build_world():
    """A seated clerk, the theme and an applicant already registered (by an earlier visit)."""
    from tests.factories import ClerkFactory, UserFactory, newborn_theme
    from workflow.calendar_store import seed_calendar

    seed_calendar(years=[2026])
    theme = newborn_theme()
    return {"theme": theme, "clerk": ClerkFactory(real_name="周晓红"), "applicant": UserFactory(real_name="陈志明")}


def accept_walk_in(page, base: str, applicant_id_number: str, counter: Counter, *, screenshot="") -> str:
    """Run the flow from the walk-in page to the printed notice; returns the application number."""
    from playwright.sync_api import expect

    page.goto(f"{base}/hall/walk-in/")
    counter.click(page.locator(".theme-card", has_text=THEME_NAME), navigates=True)
    expect(page.locator("h1")).to_have_text(f"窗口收件:{THEME_NAME}")
    counter.click(page.get_by_role("radio", name="是", exact=True))
    counter.click(page.get_by_role("radio", name="父母本人"))
    counter.click(page.get_by_role("button", name="确定情形"), navigates=True)

    # ② the applicant: the ID number is enough for a person registered before
    expect(page.locator("#applicant_id_number")).to_be_focused()
    counter.type(page, "#applicant_id_number", applicant_id_number)
    expect(page.locator("#applicant_lookup")).to_contain_text("已登记申请人")
    # ③ the one form: only what nobody knows yet (the applicant's name and phone are filled in)
    counter.type(page, "#id_field_newborn_name", "陈小雨")
    counter.type(page, "#id_field_newborn_birth_date", (dt.date.today() - dt.timedelta(days=6)).isoformat())
    counter.choose(page, "#id_field_bank", "清远农商银行")
    # ④ materials: every original checked
    summary = page.locator("#missing-summary")
    expect(summary).to_contain_text("尚缺 4 项")
    counter.click(page.get_by_role("button", name="全部原件已核"))
    expect(summary).to_contain_text("必需材料已齐全")
    if screenshot:
        page.screenshot(path=screenshot, full_page=True)
    # ⑤ decide
    counter.click(page.get_by_role("button", name="材料齐全,当场受理"), navigates=True)
    page.wait_for_url(re.compile(r"/hall/walk-in/[^/]+-\d{6}/$"))
    number = page.inner_text(".case-number").strip()
    expect(page.locator(".walk-in-state")).to_have_text("已受理")
    link = page.get_by_role("link", name="打印受理通知书")
    href = link.get_attribute("href")
    # printing: the clerk clicks the link, the PDF opens in a new tab
    with page.context.expect_page() as popup:
        counter.click(link)
    pdf = page.request.get(f"{base}{href}")  # the bytes the new tab shows
    popup.value.close()
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf", pdf.status
    assert pdf.body().startswith(b"%PDF")
    return number
