"""Time the worklists at 1,000,000 applications / 3,000,000 sub-cases on PostgreSQL, at page 1
and page 2,000, against the API's sub-case list in the same run (issue 15: every worklist page
≤ 30 ms at page 1 and page 2,000).

Data: bench_dashboard's generator (imported, not copied: 40 departments, 1,000 matters, 5 halls,
100 clerks, 3,000 applicants; 1M applications and 3M sub-cases by INSERT … SELECT
generate_series) in its own database (BENCH_DB, default tongban_bench_worklists; BENCH_KEEP /
--keep keeps it, BENCH_REUSE / --reuse runs on a kept one without generating); then, so that
every list is deep enough for page 2,000: the first department gets extra open sub-cases (copies
of decided ones, still examining), and as many applications wait for pre-review (submitted, no
pre-review due, so nothing is deemed accepted on read).

Timed (Django's test client, warm; RUNS rounds, each timing every page once; the figure is the
slowest page's p95):
the reviewer's /review/ (待办, 20 a page) and ?tab=decided (已办, 20 a page), the clerk's /hall/
(待预审, 20 a page, her hall's district first: the composite cursor the page makes), the
supervisor's drill-down /supervision/figures/cases/ (received this year, applications; concluded
this year, sub-cases; 50 a page), each at page 1 and at page 2,000
(the cursor of the last row of page 1,999, encoded as the page's own links are); the citizen's
我的办件 (333 applications: page 1 and its last page); the supervisor's /supervision/cards/ (the open
cards, 50 a page, the composite cursor of their mixed order: deepen() adds open cards, every
seventh with no due); /api/applications/ for the reviewer (the
EXISTS filter) at page 1 and page 2,000 (DRF's cursor); /api/cards/ for the supervisor and the clerk (50 a page);
the clerk's card list (deepen() adds the
windows' own cards: 300 open pre-review cards on waiting applications, 20,000 closed), /api/applications/
and /api/subcases/ at page 1. Baseline: /api/subcases/ page 1 for the reviewer, timed in
alternation with every page. Checks: every page answers 200; each deep
page's rows equal what an OFFSET query returns at that position; the reviewer's pages hold only
her department's sub-cases.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban .venv/bin/python bench/bench_worklists.py
     (BENCH_SIZE=quick: 20,000 applications and page 50 instead of 2,000; APPLICATIONS=… another size)
"""

import base64
import gc
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_DB", "tongban_bench_worklists")

import bench_dashboard as data  # noqa: E402 (creates or reuses BENCH_DB and sets Django up)
from _contract import QUICK, Result, sized  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Department, User  # noqa: E402
from core.web.paging import encode_cursor, encode_cursor_of  # noqa: E402
from supervision.cards import selectors as card_selectors  # noqa: E402
from supervision.cards.views import OPEN_ORDER  # noqa: E402
from supervision.figures import services as figures  # noqa: E402
from supervision.figures.filters import figure_filters  # noqa: E402
from supervision.models import Card  # noqa: E402
from windows.models import ClerkAuthorisation  # noqa: E402
from windows.selectors import QUEUE_KEYS, own_district_first, seats_today  # noqa: E402
from workflow import selectors as workflow_selectors  # noqa: E402
from workflow.models import Application, SubCase  # noqa: E402

DEPTH = sized(full=2000, quick=50, env="DEPTH")  # the deep page
# runs of each page: the p95 of 15 was their second slowest, which one busy moment of a shared
# box decided; of 100 it is the sixth slowest (a busy second of the box costs each page about
# three runs, the round-robin timing every page about once in 0.8 s)
RUNS = sized(full=100, quick=5)
BUDGET_MS = 30
CLERK_OPEN_CARDS, CLERK_CLOSED_CARDS = 300, 20_000  # the windows' own cards deepen() adds
say = data.say


def deepen():
    """Enough rows for page DEPTH of every list: open sub-cases for the first department, and
    applications waiting for pre-review. Adds only what is missing, so it also readies a database
    kept by bench_dashboard (BENCH_REUSE with its BENCH_DB, or a copy of it)."""
    department = Department.objects.order_by("pk").first()
    wanted = DEPTH * 50 + 100
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workflow_subcase WHERE department_id = %s AND state IN "
                       "('dispatched', 'examining', 'suspended')", [department.pk])
        extra = max(0, wanted - cursor.fetchone()[0])
        cursor.execute("SELECT count(*) FROM workflow_subcase WHERE department_id = %s AND state NOT IN "
                       "('dispatched', 'examining', 'suspended')", [department.pk])
        decided = cursor.fetchone()[0]
        columns = [f.column for f in SubCase._meta.concrete_fields if not f.primary_key]
        chosen = {"number": "s.number || '-o' || n", "state": "'examining'", "decided_at": "NULL", "decided_on": "NULL",
                  "reviewer_id": "NULL", "decision_reason": "''", "licence_due": "NULL"}
        cursor.execute(
            f"INSERT INTO workflow_subcase ({', '.join(columns)}) SELECT "
            f"{', '.join(chosen.get(c, f's.{c}') for c in columns)} FROM workflow_subcase s "
            f"CROSS JOIN generate_series(1, %s) n "  # as many copies as the department needs
            f"WHERE s.department_id = %s AND s.state NOT IN ('dispatched', 'examining', 'suspended') "
            f"ORDER BY n, s.id LIMIT %s", [1 + extra // max(1, decided), department.pk, extra])
        cursor.execute("SELECT count(*) FROM workflow_application WHERE state = 'submitted'")
        waiting = max(0, wanted - cursor.fetchone()[0])
        cursor.execute("UPDATE workflow_application SET state = 'submitted', pre_review_due = NULL "
                       "WHERE id IN (SELECT id FROM workflow_application WHERE state = 'in_review' "
                       "ORDER BY id LIMIT %s)", [waiting])
        # open cards for the card list's deep page: one on each open sub-case that has none, both
        # levels, every seventh with no due (the composite cursor's NULL branch)
        cursor.execute(f"SELECT count(*) FROM {Card._meta.db_table} WHERE closed_at IS NULL")
        cards = max(0, wanted - cursor.fetchone()[0])
        cursor.execute(
            f"INSERT INTO {Card._meta.db_table} (application_id, subcase_id, department_id, trigger, level, due, "
            f"reason, opened_at, close_reason, review, review_reason) "
            f"SELECT s.application_id, s.id, s.department_id, 'decision', "
            f"CASE WHEN s.id %% 3 = 0 THEN 'red' ELSE 'yellow' END, CASE WHEN s.id %% 7 = 0 THEN NULL ELSE s.deadline END, "
            f"'基准', now(), '', '', '' FROM workflow_subcase s WHERE s.state IN ('dispatched', 'examining') "
            f"AND NOT EXISTS (SELECT 1 FROM {Card._meta.db_table} c WHERE c.subcase_id = s.id AND c.closed_at IS NULL) "
            f"ORDER BY s.id LIMIT %s", [cards])
        # the windows' own cards, which the clerk's card list shows (the generator makes none):
        # open pre-review cards on waiting natural-person applications, and many more closed ones
        # on accepted applications (her hall's, so hers to read: the closed tab's depth)
        cursor.execute(f"SELECT count(*) FILTER (WHERE closed_at IS NULL), count(*) FROM {Card._meta.db_table} "
                       f"WHERE subcase_id IS NULL AND application_id IS NOT NULL")
        open_own, own = cursor.fetchone()
        for state, wanted_own, closed in (("submitted", CLERK_OPEN_CARDS - open_own, "NULL"),
                                          ("in_review", CLERK_CLOSED_CARDS - (own - open_own), "now()")):
            cursor.execute(
                f"INSERT INTO {Card._meta.db_table} (application_id, trigger, level, due, reason, opened_at, "
                f"closed_at, close_reason, review, review_reason) "
                f"SELECT a.id, 'pre_review', CASE WHEN a.id %% 4 = 0 THEN 'red' ELSE 'yellow' END, "
                f"a.submitted_at::date + 5, '基准', now(), {closed}, '', '', '' FROM workflow_application a "
                f"WHERE a.state = %s AND a.category = 'natural' AND NOT EXISTS (SELECT 1 FROM "
                f"{Card._meta.db_table} c WHERE c.application_id = a.id AND c.subcase_id IS NULL) "
                f"ORDER BY a.id DESC LIMIT %s", [state, max(0, wanted_own)])
        cursor.execute("VACUUM ANALYZE workflow_subcase")
        cursor.execute("VACUUM ANALYZE workflow_application")
        cursor.execute(f"VACUUM ANALYZE {Card._meta.db_table}")


def _date_field(count, period):
    return figures.cases_behind(count=count, period=period)[2]


def p95(times):
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def time_round_robin(pages, baseline):
    """({label: runs}, the baseline's runs, {label: response}) of `pages` [(label, client, url)]
    after one warm-up each: RUNS rounds, each timing every page once with the baseline after
    it. A busy moment of the shared box then weighs on one run of several pages, not on a
    string of runs of one page (timed page after page, a page whose median was 16 ms had its
    five slowest runs at 26–32 ms). `baseline`: (the reviewer's client, its URL): the same
    reference whoever reads the page."""
    baseline_client, baseline_url = baseline
    responses = {}
    for label, client, url in pages:
        responses[label] = client.get(url, secure=True)
        assert responses[label].status_code == 200, url
    baseline_client.get(baseline_url, secure=True)
    # as portal/wsgi.py does in a worker: what is loaded by now is frozen out of the cyclic
    # collector's reach (a full collection took 140 ms, one run in 40 of a page, or two)
    gc.collect()
    gc.freeze()
    runs, base = {label: [] for label, _client, _url in pages}, []
    for _ in range(RUNS):
        for label, client, url in pages:
            start = time.perf_counter()
            client.get(url, secure=True)
            runs[label].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            baseline_client.get(baseline_url, secure=True)
            base.append((time.perf_counter() - start) * 1000)
    return runs, base, responses


def deep_cursor(qs, key, descending, per_page, depth):
    """The cursor of page `depth`, made as the pages make theirs: the last row of page depth - 1;
    and the rows an OFFSET query returns at page `depth`, to compare. `key` a list of
    core.web.paging.Key: a composite order (the open cards)."""
    if isinstance(key, list):
        ordered = qs.order_by(*(k.ordering() for k in key))
    else:
        ordered = qs.order_by(*([f"-{key}", "-pk"] if descending else [key, "pk"]))
    start = (depth - 1) * per_page
    last = ordered[start - 1:start].get()
    expected = [getattr(row, "number", None) or row.target_number for row in ordered[start:start + per_page]]
    if isinstance(key, list):
        return encode_cursor_of(last, key), expected
    return encode_cursor(getattr(last, key), last.pk), expected


NUMBER = re.compile(r"441803-2026-BJ-\d{7}(?:-\d+(?:-o\d+)?)?")


def numbers_shown(response):
    """The case numbers a page shows, in order, each once (the pages are read as a user reads
    them: the test client keeps no context outside a test run)."""
    return list(dict.fromkeys(NUMBER.findall(response.content.decode())))


def main():
    say(f"PostgreSQL database {data.DB_NAME}: migrating")
    call_command("migrate", verbosity=0)
    if data.REUSE:
        say("reusing the data generated by an earlier run (--reuse)")
        User.objects.filter(username__startswith="bench-wl-").delete()
        data.timed(f"deepened for page {DEPTH:,} where short (open sub-cases, applications waiting)", deepen)
    else:
        say(f"generating {data.APPLICATIONS:,} applications and {data.SUBCASES:,} sub-cases (bench_dashboard)")
        data.timed("generated (INSERT … SELECT generate_series), vacuumed and analysed", data.generate)
        data.timed(f"deepened for page {DEPTH:,} (open sub-cases, applications waiting)", deepen)
    say(f"  applications {Application.objects.count():,}, sub-cases {SubCase.objects.count():,}")
    os.system("uptime")

    department = Department.objects.order_by("pk").first()
    reviewer = User.objects.create(username="bench-wl-reviewer", real_name="审批", role=User.Role.REVIEWER,
                                   department=department)
    supervisor = User.objects.create(username="bench-wl-supervisor", real_name="督查", role=User.Role.SUPERVISOR)
    clerk = User.objects.get(username="clerk1")  # seated since 2024 at a natural-person window
    ClerkAuthorisation.objects.get_or_create(clerk=clerk, all_matters=True, defaults={"starts_on": data.FIRST})
    citizen = User.objects.get(username="bench7")
    clients = {}
    for user in (reviewer, supervisor, clerk, citizen):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    baseline = (clients[reviewer.pk], "/api/subcases/")

    # each list's queryset as its view builds it (the OFFSET comparison reads the same rows)
    open_ = workflow_selectors.subcases_for(reviewer).filter(state__in=SubCase.OPEN_STATES)
    decided = workflow_selectors.subcases_for(reviewer).exclude(state__in=SubCase.OPEN_STATES)
    # the clerk's queue in the page's order: her hall's district first (同城通办), composite cursor
    hall = seats_today(clerk, timezone.localdate()).first().window.hall
    waiting = own_district_first(workflow_selectors.clerk_queue(clerk), hall)
    year = "period=custom&first=2026-01-01&last=2026-11-20&dim=all&key=0"
    period = figure_filters(QueryDict(year))["period"]
    _model, received, _field = figures.cases_behind(count="received", period=period)
    _model, concluded, _field = figures.cases_behind(count="concluded", period=period)
    mine = workflow_selectors.applications_for(citizen)
    open_cards = card_selectors.filter_cards(card_selectors.cards_for(supervisor), state="open")
    mine_pages = (mine.count() + 19) // 20
    lists = [  # (label, user, url, queryset in the list's order, key, descending, per page, deep page)
        ("/review/ 待办", reviewer, "/review/?", open_, "deadline", False, 20, DEPTH),
        ("/review/ 已办", reviewer, "/review/?tab=decided&", decided, "decided_at", True, 20, DEPTH),
        ("/hall/ 待预审", clerk, "/hall/?", waiting, QUEUE_KEYS, False, 20, DEPTH),
        ("办件明细 received", supervisor, f"/supervision/figures/cases/?count=received&{year}&", received,
         _date_field("received", period), True, 50, DEPTH),
        ("办件明细 concluded", supervisor, f"/supervision/figures/cases/?count=concluded&{year}&", concluded,
         _date_field("concluded", period), True, 50, DEPTH),
        ("我的办件", citizen, "/applications/?", mine, "submitted_at", True, 20, mine_pages),
        ("红黄牌 未撤牌", supervisor, "/supervision/cards/?", open_cards, OPEN_ORDER, False, 50, DEPTH),
    ]
    pages, later = [], []  # the pages to time; the checks of their answers, made after the timing
    for label, user, url, qs, key, descending, per_page, deep in lists:
        client = clients[user.pk]
        pages.append((f"{label} p.1", client, url.rstrip("?&")))
        if deep < 2:
            later.append(lambda answers, label=label: [(f"{label}: page 1 answers", bool(numbers_shown(answers[f"{label} p.1"])))])
            continue
        cursor, expected = deep_cursor(qs, key, descending, per_page, deep)
        pages.append((f"{label} p.{deep:,}", client, f"{url}{urlencode({'after': cursor})}"))

        def deep_checks(answers, label=label, user=user, deep=deep, expected=expected, per_page=per_page):
            page1, shown = numbers_shown(answers[f"{label} p.1"]), numbers_shown(answers[f"{label} p.{deep:,}"])
            listed = set(expected)
            found = [(f"{label}: page {deep:,} shows the {len(expected)} rows of OFFSET {(deep - 1) * per_page:,}",
                      [n for n in shown if n in listed] == expected and bool(expected))]
            if user is reviewer:
                departments = set(SubCase.objects.filter(number__in=page1 + shown).values_list("department_id", flat=True))
                found.append((f"{label}: only the reviewer's department on pages 1 and {deep:,}",
                              departments == {department.pk}))
            return found

        later.append(deep_checks)

    # the API: applications for the reviewer (EXISTS), 20 a page (75,000 of them at 1M: page 2,000
    # of 50 would not exist), page 1 and page DEPTH by DRF's cursor over -pk
    api = Client()
    api.force_login(reviewer)
    theirs = workflow_selectors.applications_for(reviewer).order_by("-pk")
    start = (DEPTH - 1) * 20
    position = theirs.values_list("pk", flat=True)[start - 1:start].get()
    expected_api = list(theirs.values_list("number", flat=True)[start:start + 20])
    token = base64.b64encode(urlencode({"p": position}).encode()).decode()
    deep_api = f"/api/applications/ reviewer p.{DEPTH:,}"
    pages += [("/api/applications/ reviewer p.1", api, "/api/applications/?page_size=20"),
              (deep_api, api, f"/api/applications/?{urlencode({'page_size': 20, 'cursor': token})}")]
    later.append(lambda answers: [(f"/api/applications/ page {DEPTH:,} equals OFFSET {start:,} LIMIT 20",
                                   [row["number"] for row in answers[deep_api].json()["results"]] == expected_api)])

    # the clerk's other lists, page 1: what she may read is a condition on the application's
    # columns (workflow.selectors.clerk_readable_q), her queue the city's 100,000 waiting
    clerk_pages = [("红黄牌 clerk p.1", clients[clerk.pk], "/supervision/cards/"),
                   ("/api/applications/ clerk p.1", clients[clerk.pk], "/api/applications/?page_size=20"),
                   ("/api/subcases/ clerk p.1", clients[clerk.pk], "/api/subcases/?page_size=20"),
                   ("/api/cards/ clerk p.1", clients[clerk.pk], "/api/cards/")]
    pages += [*clerk_pages, ("/api/cards/ supervisor p.1", clients[supervisor.pk], "/api/cards/")]
    # her live cards by id (live_cards) show what her whole condition reads
    her_cards = [card.target_number for card in card_selectors.filter_cards(
        card_selectors.cards_for(clerk), state="open").order_by(*(k.ordering() for k in OPEN_ORDER))[:50]]
    later.append(lambda answers: [
        *((f"{label} answers 200", answers[label].status_code == 200) for label, _client, _url in clerk_pages),
        (f"红黄牌 clerk p.1 shows the first 50 open cards her whole condition reads ({len(her_cards)})",
         bool(her_cards) and numbers_shown(answers["红黄牌 clerk p.1"]) == her_cards)])

    timed, base_runs, answers = time_round_robin(pages, baseline)
    rows = [(label, timed[label]) for label, _client, _url in pages]
    checks = [check for make in later for check in make(answers)]

    say("")
    os.system("uptime")
    say(f"{'page':<34} {'median':>8} {'p95':>8}   fastest; five slowest (ms)")
    for label, runs in rows:
        say(f"{label:<34} {statistics.median(runs):8.1f} {p95(runs):8.1f}   {min(runs):.0f}; {', '.join(f'{t:.0f}' for t in sorted(runs)[-5:])}")
    say(f"{'baseline /api/subcases/ p.1':<34} {statistics.median(base_runs):8.1f} {p95(base_runs):8.1f}   "
        f"({len(base_runs)} runs, alternating)")

    connections.close_all()
    if not data.KEEP:
        import psycopg

        with psycopg.connect(data.ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{data.DB_NAME}"')
        say(f"database {data.DB_NAME} dropped (--keep keeps it)")

    worst_label, worst = max(((label, p95(runs)) for label, runs in rows), key=lambda x: x[1])
    # depth independence: each list's deep page against its page 1 (medians, same run)
    pages = {}
    for label, runs in rows:
        pages.setdefault(label.rpartition(" p.")[0], []).append(statistics.median(runs))
    depth_ratio, depth_label = max((deep / first, name) for name, (first, *more) in pages.items() for deep in more)
    result = Result("bench_worklists", f"the slowest worklist page's p95 ({worst_label}), "
                                       f"{data.APPLICATIONS:,} applications, page 1 and page {DEPTH:,}")
    result.measured(figure=worst, baseline=statistics.median(base_runs), unit="ms",
                    baseline_label="/api/subcases/ page 1, median")
    result.value_at_most(f"deep page / page 1 (medians; worst: {depth_label})", depth_ratio, 2, "×",
                         why="keyset: page 2,000 costs what page 1 does")
    if not QUICK:
        result.at_most(BUDGET_MS, why="issue 15: every worklist page p95 ≤ 30 ms at 1M, page 1 and page 2,000")
    for text, ok in checks:
        result.check(text, ok)
    result.finish()


if __name__ == "__main__":
    main()
