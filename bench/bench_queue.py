"""Time the hall's queue on PostgreSQL: taking numbers, the wait estimate, the screen's JSON
query, and clerks calling concurrently, over a year of past tickets.

Data: its own database `tongban_bench_queue` on the server of DATABASE_URL (dropped, created,
migrated); 10 halls with 4 natural-person and 2 legal-person windows each and a clerk seated at
every window; 250 working days of history at 600 tickets per hall and day (1,500,000 finished
tickets, bulk inserted), then today's queue at one hall built through the services.

Timed: `ticket_take` (one number, with the wait estimate the page shows), `screen()` (what the
TV polls every 2 s), and 6 clerks in 6 threads calling and finishing until 600 waiting tickets
are served (SKIP LOCKED); checks that no ticket was called twice.

Contract (bench/_contract.py): figure = median ms of taking a number with its wait estimate;
baseline = a plain ORM INSERT of a ticket row (no sequence drawn, no lock, no estimate) at another
hall, alternating; budget at most 15× the baseline; checks: 6 concurrent clerks serve all 600
waiting tickets, none called twice, no error; the numbers taken are distinct.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban .venv/bin/python bench/bench_queue.py
     (BENCH_SIZE=quick: 10 days of history; DAYS=50 for another size)
"""

import datetime as dt
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from _contract import Result, alternating_ms, sized  # bench/ is on sys.path when a bench runs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ["MEDIA_ROOT"] = f"{tempfile.mkdtemp(prefix='tongban-bench-')}/media"
os.environ["CELERY_BROKER_URL"] = "memory://"

DAYS = sized(full=250, quick=10, env="DAYS")
PER_DAY = 600
DB_NAME = "tongban_bench_queue"

from _postgres import bench_database  # noqa: E402

bench_database(DB_NAME, script="bench_queue")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

call_command("migrate", verbosity=0)

from accounts.models import Hall, Region, User  # noqa: E402
from windows import clock  # noqa: E402
from windows import queue_selectors as selectors  # noqa: E402
from windows import queue_services as services  # noqa: E402
from windows.models import Seat, Ticket, Window  # noqa: E402

today = clock.today()
region = Region.objects.create(code="441803000000", name="清新区", level=Region.Level.DISTRICT)
halls, clerks = [], {}
for h in range(10):
    hall = Hall.objects.create(code=f"QX-H{h:02d}", name=f"第{h}政务服务中心", region=region)
    halls.append(hall)
    for number, category in [("A01", "natural"), ("A02", "natural"), ("A03", "natural"), ("A04", "natural"),
                             ("B01", "legal"), ("B02", "legal")]:
        window = Window.objects.create(hall=hall, number=number, name=number, category=category)
        clerk = User.objects.create(username=f"c{h}{number}", role=User.Role.CLERK, real_name="窗口")
        Seat.objects.create(clerk=clerk, window=window, starts_on=today - dt.timedelta(days=400))
        clerks.setdefault(hall.pk, []).append(clerk)

print(f"history: {DAYS} days × {PER_DAY} tickets × {len(halls)} halls …", flush=True)
started = time.perf_counter()
with connection.cursor() as cursor:
    cursor.execute("""
        INSERT INTO windows_ticket (token, hall_id, day, category, prefix, sequence, number, source, phone_masked,
                                    priority, state, issued_at, called_at, announced_at, called_by_id, window_id,
                                    recall_count, finished_at)
        SELECT gen_random_uuid(), w.hall_id, d.day, w.category, CASE w.category WHEN 'natural' THEN 'A' ELSE 'B' END,
               q.seq, CASE w.category WHEN 'natural' THEN 'A' ELSE 'B' END || lpad(q.seq::text, 3, '0'), 'terminal', '',
               0, CASE WHEN q.seq %% 20 = 0 THEN 'no_show' ELSE 'served' END,
               d.day + time '08:30' + s.n * interval '4 minutes' - interval '8 hours',
               d.day + time '08:45' + s.n * interval '4 minutes' - interval '8 hours',
               d.day + time '08:45' + s.n * interval '4 minutes' - interval '8 hours',
               st.clerk_id, w.id, 0,
               d.day + time '08:49' + s.n * interval '4 minutes' - interval '8 hours'
        FROM (SELECT (current_date - g)::date AS day FROM generate_series(1, %s) g) d
        CROSS JOIN windows_window w
        JOIN windows_seat st ON st.window_id = w.id
        CROSS JOIN generate_series(1, %s) s(n)
        CROSS JOIN LATERAL (SELECT (right(w.number, 2)::int - 1) * %s + s.n AS seq) q
    """, [DAYS, PER_DAY // 6, PER_DAY // 6])
    cursor.execute("ANALYZE windows_ticket")
print(f"  {Ticket.objects.count():,} tickets in {time.perf_counter() - started:.1f} s", flush=True)

hall = halls[0]
taken_numbers = []
takes_left = iter(range(600))
inserts_left = iter(range(1, 10_000))


def take():
    i = next(takes_left)
    ticket = services.ticket_take(hall=hall, category="natural" if i % 3 else "legal")
    selectors.estimate_wait(ticket)
    taken_numbers.append(ticket.number)


def plain_insert():
    n = next(inserts_left)
    Ticket.objects.create(token=uuid.uuid4(), hall=halls[1], day=today, category="natural", prefix="Z", sequence=n,
                          number=f"Z{n:03d}", source="terminal", issued_at=timezone.now(), state=Ticket.State.NO_SHOW)


take_ms, insert_ms = alternating_ms(take, plain_insert, 599)
screens = []
for _ in range(200):
    t0 = time.perf_counter()
    selectors.screen(hall)
    screens.append((time.perf_counter() - t0) * 1000)

called, errors = [], []


def work(clerk):
    try:
        while True:
            try:
                t = services.ticket_call_next(clerk=clerk)
            except services.Conflict:
                return
            called.append(t.pk)
            services.ticket_finish(clerk=clerk, ticket=t, outcome=Ticket.State.SERVED)
    except Exception as exc:  # noqa: BLE001
        errors.append(exc)
    finally:
        connections.close_all()


t0 = time.perf_counter()
threads = [threading.Thread(target=work, args=(c,)) for c in clerks[hall.pk]]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - t0


def p(values, q):
    return statistics.quantiles(values, n=100)[q - 1]


print(f"screen JSON query: median {statistics.median(screens):.1f} ms, p95 {p(screens, 95):.1f} ms")
print(f"6 clerks calling and finishing 600 tickets at once: {elapsed:.2f} s "
      f"({elapsed / 600 * 1000:.1f} ms per call+finish), none called twice")
result = Result("bench_queue", f"taking a number + wait estimate over {Ticket.objects.count():,} tickets, median")
result.measured(figure=take_ms, baseline=insert_ms, unit="ms",
                baseline_label="plain ORM INSERT of a ticket row, alternating")
result.ratio_at_most(15)
result.check(f"6 clerks served all 600 waiting tickets, none twice, no error ({errors[:1]})",
             not errors and len(called) == len(set(called)) == 600)
result.check("the 600 numbers taken are distinct", len(taken_numbers) == len(set(taken_numbers)) == 600)
result.finish()
