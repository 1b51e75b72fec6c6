"""Issue 17's dashboard facts: every card says what it counts and since when its figures were
refreshed; an event queues the refresh of its day's rollups on commit; a card's number is the
number of cases on the list it links to."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.db import transaction
from django.utils import timezone

from core.models import Intent
from supervision.figures import services as figures
from supervision.figures import tasks as figure_tasks
from tests.factories import PASSWORD, password_sign_in, submitted_application

from .figures_data import make_district

QUERY = "period=custom&first=2026-09-01&last=2026-10-31"


@pytest.fixture
def district(db):
    data = make_district(applications=60)
    figures.refresh_all()
    return data


def _dashboard(client, district, query=QUERY):
    assert password_sign_in(client, district["supervisor"].username, PASSWORD)
    return client.get(f"/supervision/?{query}").content.decode()


def _stats(html):
    """The summary cards: each from `<div class="stat…">` up to the next one or the section's end."""
    parts = re.split(r'<div class="stat(?: \w+)?"><div class="stat-label">', html)[1:]
    return [p.split("</div>\n</div>", 1)[0] for p in parts]


def test_every_card_says_what_it_counts_and_since_when(client, district):
    html = _dashboard(client, district)
    refreshed = timezone.localtime(figures.refreshed_at()).strftime("%Y-%m-%d %H:%M")
    stats = _stats(html)
    assert len(stats) == 7
    for stat in stats:
        fact = re.search(r'<p class="stat-fact" data-fact="(period|live)">(.*?)</p>', stat, re.S)
        assert fact, stat[:120]
        kind, text = fact.groups()
        assert "统计" in text or "当前" in text, text  # what it counts
        if kind == "period":
            assert "2026-09-01 至 2026-10-31" in text and f"数据更新于 {refreshed}" in text, text
        else:
            assert "实时" in text, text
    # the card that once read 收件/受理 44/45 says why 受理 may exceed 收件
    assert "可多于收件" in stats[0]


def test_an_event_queues_the_refresh_of_its_day(client, district, calendar_2026, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    period = figures.Period(today, today)
    before = figures.dashboard_figures(period=period)["total"]["received"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submitted_application()
    queued = [c for c in callbacks if getattr(c, "figures_day", None)]
    assert [c.figures_day for c in queued] == [today]  # once per transaction and day
    assert figures.dashboard_figures(period=period, raw=True)["total"]["received"] == before + 1
    assert figures.dashboard_figures(period=period)["total"]["received"] == before  # not yet refreshed
    figure_tasks.refresh_figure_days(today.isoformat(), today.isoformat())  # what the callback queues
    assert figures.dashboard_figures(period=period)["total"]["received"] == before + 1


def test_an_event_dated_before_the_beats_window_records_its_days_refresh_as_an_intent(
        db, calendar_2026, django_capture_on_commit_callbacks):
    old = timezone.localdate() - dt.timedelta(days=figures.RECENT_DAYS + 5)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            figures.touch(old)
            raise RuntimeError("the change is rolled back")
    assert not Intent.objects.exists()  # nothing asked for by a change that did not happen
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        figures.touch(old)
        figures.touch(old)  # once per transaction and day
    intent = Intent.objects.get()
    assert (intent.key, intent.task, intent.args, intent.status) == (
        f"supervision.figures:{old.isoformat()}", "supervision.tasks.refresh_figure_days", [old.isoformat()] * 2,
        "pending")
    assert len(callbacks) == 2  # the intent's wake-up and the day's marker
    figure_tasks.refresh_figure_days(*intent.args, intent_id=intent.pk)
    assert Intent.objects.get().status == "done"


def test_a_cards_count_is_the_number_of_cases_on_the_list_it_links_to(client, district):
    html = _dashboard(client, district)
    links = re.findall(r'<a href="([^"]*count=(\w+)&amp;dim=all&amp;key=0)">([^<]*)</a>', "".join(_stats(html)))
    counted = {count for _url, count, _text in links}
    assert {"received", "accepted", "concluded", "rated", "bad_ratings"} <= counted
    for url, count, text in links:
        shown = re.search(r"\d+(?:\.\d+)?", text).group(0)
        if count in figures.DRILL_KINDS and "." not in shown and not text.strip().endswith("%"):
            page = client.get(html_lib.unescape(url)).content.decode()
            assert f"共 {shown} 件" in page, (count, shown)
    # the ratings card counts what the ratings page lists as valid, for the same period
    total = figures.dashboard_figures(period=figures.Period(dt.date(2026, 9, 1), dt.date(2026, 10, 31)))["total"]
    page = client.get("/supervision/ratings/?start=2026-09-01&end=2026-10-31&valid=1").content.decode()
    assert f"有效评价 {total['rated']} 条" in html
    assert re.search(rf"共\s*{total['rated']}\s*条", page) or f'data-total="{total["rated"]}"' in page
