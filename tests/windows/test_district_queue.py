"""Issue 15, 同城通办: a hall's online queue shows its own district's applications first, then the
rest of the city's (each part oldest first, paged by a keyset cursor); none is hidden, and a
walk-in for another district's matter stays allowed at any hall."""

import re

import pytest

from tests.factories import (
    PASSWORD,
    ClerkFactory,
    DepartmentFactory,
    HallFactory,
    MatterFactory,
    WindowFactory,
    password_sign_in,
    qingcheng_district,
    submitted_application,
    walk_in_application,
)
from windows import views

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tuesday_10_november_2026")]


qingcheng = qingcheng_district


def _numbers(html):
    return re.findall(r'<small class="mono muted">([0-9]{6}-[^<]+)</small>', html)


def _link(html, name):
    found = re.search(rf'href="(\?[^"]*{name}=[^"]+)"', html)
    return "/hall/" + found.group(1).replace("&amp;", "&") if found else None


def queue_numbers(client, url="/hall/"):
    """The application numbers of every page of a hall's queue, following the next links; and
    checked against the same pages read back from the last by the previous links (each part is
    read on its own: a page may span the two)."""
    pages, html = [], None
    while url:
        html = client.get(url).content.decode()
        pages.append(_numbers(html))
        url = _link(html, "after")
    back, url = [], _link(html, "before")
    while url:
        html = client.get(url).content.decode()
        back.insert(0, _numbers(html))
        url = _link(html, "before")
    assert back == pages[:-1], (back, pages)
    return [number for page in pages for number in page]


def test_each_hall_lists_its_own_district_first_then_the_city(client, time_machine, monkeypatch):
    monkeypatch.setattr(views, "QUEUE_PER_PAGE", 2)
    qx_matter = MatterFactory()  # 清新区 441803
    qc_matter = MatterFactory(department=DepartmentFactory(region=qingcheng()))
    submitted = []
    for i, matter in enumerate([qc_matter, qx_matter, qc_matter, qx_matter, qc_matter]):
        time_machine.move_to(f"2026-11-10 10:0{i} +08:00")
        submitted.append(submitted_application(matters=[matter]).number)
    time_machine.move_to("2026-11-10 11:00 +08:00")
    qingxin_clerk = ClerkFactory(window=WindowFactory(hall=HallFactory()))
    qingcheng_clerk = ClerkFactory(window=WindowFactory(hall=HallFactory(region=qingcheng(), name="清城区政务服务中心")))
    ours = [n for n in submitted if n.startswith("441803-")]
    theirs = [n for n in submitted if n.startswith("441802-")]
    assert password_sign_in(client, qingxin_clerk.username, PASSWORD)
    assert queue_numbers(client) == ours + theirs
    html = client.get("/hall/").content.decode()
    assert "外区办件" not in html.split("</table>")[0]  # the first page: 清新区's two
    client.logout()
    assert password_sign_in(client, qingcheng_clerk.username, PASSWORD)
    assert queue_numbers(client) == theirs + ours
    assert "外区办件" not in client.get("/hall/").content.decode()


def test_a_walk_in_for_another_districts_matter_stays_allowed():
    from windows.selectors import halls_authorised_for

    matter = MatterFactory(department=DepartmentFactory(region=qingcheng()))
    clerk = ClerkFactory(window=WindowFactory(hall=HallFactory()))  # at a 清新区 hall
    application = walk_in_application(clerk=clerk, matters=[matter])
    assert application.state == "accepted" and application.number.startswith("441802-")
    halls = halls_authorised_for(frozenset([matter.pk]), "natural", application.accepted_on)
    assert [h.hall_name for h in halls] == [clerk.seats.get().window.hall.name]
