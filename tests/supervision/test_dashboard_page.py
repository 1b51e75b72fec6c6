"""The dashboard page, its drill-down and its API: what a supervisor sees, who is refused, the
JSON contract, and the live-cards endpoint that lets new cards appear without reload."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from supervision.figures import services as figures
from supervision.models import Card
from tests.factories import PASSWORD, ClerkFactory, ReviewerFactory, UserFactory, password_sign_in
from workflow.models import SubCase

from .figures_data import make_district

QUERY = "period=custom&first=2026-09-01&last=2026-10-31"


@pytest.fixture
def district(db):
    data = make_district(applications=60)
    figures.refresh_all()
    return data


def signed_in(client, user):
    assert password_sign_in(client, user.username, PASSWORD)
    return client


def test_the_page_shows_the_figures_of_the_rollups(client, district):
    signed_in(client, district["supervisor"])
    period = figures.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    data = figures.dashboard_figures(period=period, group_by="department")
    response = client.get(f"/supervision/?{QUERY}&group_by=department")
    assert response.status_code == 200
    html = response.content.decode()
    assert "统计期间 2026-09-01 — 2026-10-31" in html
    assert "部门排名" in html and "每日收件与办结" in html and "各部门按时办结率" in html
    for department in district["departments"]:
        assert department.name in html
    assert f">{data['total']['concluded']}</a>" in html
    assert "数据更新于" in html
    assert "vendor/chart.umd.min.js" in html and "cdn" not in html.lower()
    # the ranking is in the stated order
    ranking = [r["label"] for r in data["ranking"]]
    positions = [html.index(name, html.index("部门排名")) for name in ranking]
    assert positions == sorted(positions)


@pytest.mark.parametrize("group_by", ["hall", "window", "clerk", "matter"])
def test_every_grouping_renders(client, district, group_by):
    signed_in(client, district["supervisor"])
    response = client.get(f"/supervision/?{QUERY}&group_by={group_by}&channel=window")
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") > 2


def test_wall_mode_and_bad_filters(client, district):
    signed_in(client, district["supervisor"])
    html = client.get(f"/supervision/?{QUERY}&wall=1").content.decode()
    assert 'class="dashboard-page wall"' in html and "退出大屏" in html
    response = client.get("/supervision/?period=nonsense&group_by=nonsense&channel=x&department=y")
    assert response.status_code == 200  # unknown filters fall back to this month by department


def test_drill_down_lists_the_counted_cases_and_pages_with_a_cursor(client, district):
    signed_in(client, district["supervisor"])
    period = figures.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    total = figures.dashboard_figures(period=period)["total"]
    assert total["concluded"] > 50
    url = f"/supervision/figures/cases/?{QUERY}&count=concluded&dim=all&key=0"
    seen = []
    page = client.get(url)
    assert f"共 {total['concluded']} 件" in page.content.decode()
    while True:
        html = page.content.decode()
        seen += re.findall(r'class="mono"><a href="/applications/[^"]+/">([^<]+)</a>', html)
        found = re.search(r'href="(\?[^"]*after=[^"]+)"', html)
        if not found:
            break
        page = client.get("/supervision/figures/cases/" + found.group(1).replace("&amp;", "&"))
    expected = SubCase.objects.filter(state__in=SubCase.DECIDED_STATES, decided_on__gte=period.first,
                                      decided_on__lte=period.last)
    assert sorted(seen) == sorted(expected.values_list("number", flat=True))
    assert len(seen) == len(set(seen))
    assert client.get("/supervision/figures/cases/?count=bogus").status_code == 400


def test_only_supervisors_see_the_figures(client, district):
    urls = [f"/supervision/?{QUERY}", f"/supervision/figures/cases/?{QUERY}&count=received"]
    for url in urls:
        assert client.get(url).status_code == 302  # to the login page
    for user in (UserFactory(), ClerkFactory(), ReviewerFactory()):
        client.logout()
        signed_in(client, user)
        for url in urls:
            assert client.get(url).status_code == 403
    api = APIClient()
    for path in ("/api/supervision/figures/", "/api/supervision/live-cards/"):
        assert api.get(path).status_code == 401
        api.force_authenticate(ClerkFactory())
        assert api.get(path).status_code == 403
        api.force_authenticate(None)


def test_api_contract(district):
    api = APIClient()
    api.force_authenticate(district["supervisor"])
    response = api.get(f"/api/supervision/figures/?{QUERY}&group_by=hall")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"period", "group_by", "channel", "department", "total", "rows", "ranking", "departments",
                         "trend", "cards", "complaints", "complaints_by_department", "refreshed_at", "rows_total"}
    assert body["rows_total"] == len(body["rows"])  # the API answers every row
    assert body["period"] == {"first": "2026-09-01", "last": "2026-10-31", "preset": "custom"}
    assert len(body["trend"]) == 61
    period = figures.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    expected = figures.dashboard_figures(period=period, group_by="hall", raw=True)
    assert body["total"] == expected["total"]
    assert [(r["key"], r["received"], r["concluded"]) for r in body["rows"]] == [
        (r["key"], r["received"], r["concluded"]) for r in expected["rows"]]
    assert body["departments"][0]["cards"] == {"red": 0, "yellow": 0}
    assert body["total"]["wait_avg"] > 0 and body["total"]["rated"] > 0 and body["total"]["satisfied_rate"] > 0
    assert body["complaints"] == expected["complaints"] and body["complaints"]["open"] > 0
    assert all(r["rated"] is None for r in api.get(f"/api/supervision/figures/?{QUERY}&group_by=window").json()["rows"])
    # the old all-time endpoint with figures of its own is gone (docs/api-changelog.md)
    assert api.get("/api/supervision/dashboard/").status_code == 404


def test_queue_wait_ratings_and_complaints_on_the_page_with_their_drill_down(client, district):
    from supervision.models import Rating
    from windows.models import Ticket

    signed_in(client, district["supervisor"])
    period = figures.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    data = figures.dashboard_figures(period=period, group_by="clerk")
    total = data["total"]
    html = client.get(f"/supervision/?{QUERY}&group_by=clerk").content.decode()
    assert "排队平均等候(分钟)" in html and "好差评满意率" in html and "投诉举报" in html
    assert f">{total['wait_avg']}</a>" in html and f"{total['satisfied_rate']}<small>%</small></a>" in html
    assert f"有效评价 {total['rated']} 条" in html and f">{data['complaints']['open']}</a>" in html
    clerk = district["clerks"][2]
    row = next(r for r in data["rows"] if r["key"] == clerk.pk)
    assert f"count=called&amp;dim=clerk&amp;key={clerk.pk}" in html
    page = client.get(f"/supervision/figures/cases/?{QUERY}&group_by=clerk&count=called&dim=clerk&key={clerk.pk}")
    text = page.content.decode()
    assert "被叫号的排队号" in text and f"共 {row['called']} 件" in text
    tickets = Ticket.objects.filter(called_by=clerk, state__in=["served", "no_show"], day__gte=period.first,
                                    day__lte=period.last)
    assert text.count('data-label="取号时间"') == min(50, row["called"]) and tickets.count() == row["called"]
    page = client.get(f"/supervision/figures/cases/?{QUERY}&count=bad_ratings&dim=all&key=0")
    text = page.content.decode()
    bad = Rating.objects.filter(is_valid=True, level__lte=2, rated_on__gte=period.first, rated_on__lte=period.last)
    assert f"共 {bad.count()} 件" in text and bad.count() == total["bad_ratings"]
    for rating in bad[:5]:
        assert rating.application.number in text
    invalid = Rating.objects.filter(is_valid=False, rated_on__gte=period.first, rated_on__lte=period.last).first()
    if invalid and not bad.filter(application=invalid.application).exists():
        assert invalid.application.number not in text


def test_live_cards_returns_only_newer_open_cards(district):
    api = APIClient()
    api.force_authenticate(district["supervisor"])
    subcases = list(SubCase.objects.order_by("pk")[:3])
    old = Card.objects.create(application=subcases[0].application, subcase=subcases[0], level="red",
                              department=subcases[0].department, reason="逾期未办结")
    body = api.get("/api/supervision/live-cards/?after=0").json()
    assert [c["id"] for c in body["cards"]] == [old.pk] and body["last_id"] == old.pk
    assert api.get(f"/api/supervision/live-cards/?after={old.pk}").json() == {"cards": [], "last_id": old.pk}
    new = Card.objects.create(application=subcases[1].application, subcase=subcases[1], level="yellow",
                              department=subcases[1].department, reason="剩余2个工作日")
    closed = Card.objects.create(application=subcases[2].application, subcase=subcases[2], level="yellow",
                                 reason="已撤", closed_at=timezone.now())
    body = api.get(f"/api/supervision/live-cards/?after={old.pk}").json()
    assert [c["id"] for c in body["cards"]] == [new.pk]
    card = body["cards"][0]
    assert card["number"] == subcases[1].number and card["level_label"] == "黄牌"
    assert card["department"] == subcases[1].department.name and card["url"] == f"/supervision/cards/{new.pk}/"
    assert body["last_id"] == new.pk and closed.pk > new.pk
    response = api.get("/api/supervision/live-cards/?after=abc")
    assert response.status_code == 400 and response.json()["code"] == "invalid_after"


def test_the_grouping_table_shows_the_most_concluded_rows_first_and_all_on_request(client, district, monkeypatch):
    """At 1,000 matters the page shows the first ROWS_SHOWN rows (most concluded first) and says how
    many there are; ?rows=all shows every row, with the same cells as the API's rows."""
    from supervision.figures import views

    monkeypatch.setattr(views, "ROWS_SHOWN", 2)
    signed_in(client, district["supervisor"])
    period = figures.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    rows = figures.dashboard_figures(period=period, group_by="matter")["rows"]
    assert len(rows) > 2
    html = client.get(f"/supervision/?{QUERY}&group_by=matter").content.decode()
    body = html.split('<table class="figure-table">', 1)[1].split("</tbody>", 1)[0]
    shown = re.findall(r'<td data-label="名称">([^<]*)</td>', body)
    assert shown == [r["label"] for r in rows[:2]]
    assert f"共 {len(rows)} 行,按办结量显示前 2 行" in html and "rows=all" in html
    everything = client.get(f"/supervision/?{QUERY}&group_by=matter&rows=all").content.decode()
    body = everything.split('<table class="figure-table">', 1)[1].split("</tbody>", 1)[0]
    assert re.findall(r'<td data-label="名称">([^<]*)</td>', body) == [r["label"] for r in rows]
    assert "按办结量显示前" not in everything
    first = rows[0]
    first_row = body.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    cells = dict(re.findall(r'<td data-label="([^"]+)" class="num">(.*?)</td>', first_row, re.S))
    assert re.sub(r"<[^>]+>", "", cells["办结"]) == str(first["concluded"])
    assert f"count=concluded&amp;dim=matter&amp;key={first['key']}" in cells["办结"]


@pytest.mark.parametrize("group_by", ["matter", "department", "clerk"])
def test_a_row_limit_finishes_the_first_rows_only_and_they_equal_the_whole_lists(district, group_by):
    """`rows_limit` (the page's 100 of 1,000 matters) gives the first rows of the whole list,
    figure for figure, from the rollups as from the case tables; the ranking and the departments'
    rows stay whole."""
    period = figures.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    whole = figures.dashboard_figures(period=period, group_by=group_by)
    assert whole["rows_total"] == len(whole["rows"]) > 2
    for raw in (False, True):
        cut = figures.dashboard_figures(period=period, group_by=group_by, rows_limit=2, raw=raw)
        assert cut["rows"] == whole["rows"][:2] and cut["rows_total"] == whole["rows_total"]
        assert (cut["ranking"], cut["departments"]) == (whole["ranking"], whole["departments"])


def test_the_page_lists_the_most_urgent_open_cards(client, district):
    from supervision.cards import selectors

    supervisor = district["supervisor"]
    Card.objects.all().delete()
    subcases = list(SubCase.objects.order_by("pk")[:4])
    today = timezone.localdate()
    for subcase, level, days in zip(subcases, ["yellow", "red", "red", "yellow"], [3, 5, 1, 1], strict=True):
        Card.objects.create(subcase=subcase, application=subcase.application, department=subcase.department,
                            trigger="decision", level=level, due=today + dt.timedelta(days=days), reason="测试")
    Card.objects.create(subcase=subcases[0], application=subcases[0].application, trigger="decision", level="red",
                        due=today, reason="已关闭", closed_at=timezone.now())
    chosen = list(selectors.open_cards(limit=3))
    assert [(c.level, (c.due - today).days) for c in chosen] == [("red", 1), ("red", 5), ("yellow", 1)]
    signed_in(client, supervisor)
    html = client.get(f"/supervision/?{QUERY}").content.decode()
    ids = [int(i) for i in re.findall(r'data-card-id="(\d+)"', html)]
    assert ids[:4] == [c.pk for c in selectors.open_cards(limit=4)]


def test_the_card_counts_on_the_page_are_those_of_the_card_list(client, district):
    """Red, yellow and contested are read with the figures (one query on partial indexes); they
    are the card list's counts, a contest on a closed card included."""
    from supervision.cards import selectors

    Card.objects.all().delete()
    subcases = list(SubCase.objects.order_by("pk")[:5])
    today = timezone.localdate()
    made = [("red", None, ""), ("yellow", None, "contested"), ("yellow", None, ""), ("red", timezone.now(), "contested"),
            ("yellow", timezone.now(), "voided")]
    for subcase, (level, closed_at, review) in zip(subcases, made, strict=True):
        Card.objects.create(subcase=subcase, application=subcase.application, department=subcase.department,
                            trigger="decision", level=level, due=today, reason="测试", closed_at=closed_at,
                            review=review)
    expected = selectors.card_counts(Card.objects.all())
    assert (expected["red"], expected["yellow"], expected["contested"]) == (1, 2, 2)
    data = figures.dashboard_figures(period=figures.period_for("month", today=today))
    assert data["cards"] == {"red": 1, "yellow": 2, "contested": 2}
    assert sum(r["cards"]["yellow"] for r in data["departments"] or data["rows"]) == 2
    signed_in(client, district["supervisor"])
    html = client.get(f"/supervision/?{QUERY}").content.decode()
    assert "2 张申诉待裁定" in html


def test_a_card_row_shows_its_case_department_dates_and_escapes_the_reason(client, district):
    Card.objects.all().delete()
    subcase = SubCase.objects.select_related("application", "matter", "department").order_by("pk").first()
    SubCase.objects.filter(pk=subcase.pk).update(deadline=dt.date(2027, 10, 8), deadline_provisional=True)
    card = Card.objects.create(subcase=subcase, application=subcase.application, department=subcase.department,
                               trigger="decision", level="red", due=dt.date(2027, 10, 8), reason="<b>逾期</b>")
    signed_in(client, district["supervisor"])
    html = client.get(f"/supervision/?{QUERY}").content.decode()
    row = re.search(rf'<tr class="row-red" data-card-id="{card.pk}">(.*?)</tr>', html, re.S).group(1)
    assert f'href="/supervision/cards/{card.pk}/"' in row and "红牌" in row and card.get_trigger_display() in row
    assert f'href="/applications/{subcase.application.number}/"' in row and subcase.matter.name in row
    assert subcase.department.name in row and "2027-10-08" in row and "暂定" in row  # 2027's notice not entered
    assert "&lt;b&gt;逾期&lt;/b&gt;" in row and "<b>" not in row
    assert timezone.localtime(card.opened_at).strftime("%Y-%m-%d %H:%M") in row
