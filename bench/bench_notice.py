"""Time the acceptance notice (受理通知书) PDF, warm, against a baseline measured in the same run.

The baseline is a one-line PDF with no CJK text, so the ratio shows what the Chinese font and
the notice's layout cost on this (shared, noisy) machine. Needs `libharfbuzz-subset0`; without
it WeasyPrint falls back to fontTools subsetting and the notice takes seconds.

Run: .venv/bin/python bench/bench_notice.py   (last line: the notice's median in ms)
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
workdir = tempfile.mkdtemp(prefix="tongban-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["CELERY_BROKER_URL"] = "memory://"  # tasks queued on commit go nowhere

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

import weasyprint  # noqa: E402

from tests.factories import MatterFactory, accepted_application  # noqa: E402
from workflow.calendar_store import seed_calendar  # noqa: E402
from workflow.documents import render_notice_pdf  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "15"))


def median_ms(fn, rounds=ROUNDS):
    fn()  # warm: fonts loaded, templates compiled
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


seed_calendar(years=[2026])
application = accepted_application(matters=[MatterFactory(name="食品经营许可"), MatterFactory(name="公章刻制备案"),
                                            MatterFactory(name="社会保险登记(单位)")])
baseline = median_ms(lambda: weasyprint.HTML(string="<p>Tongban baseline</p>").write_pdf())
notice = median_ms(lambda: render_notice_pdf(application, "acceptance"))
print(f"baseline one-line PDF: {baseline:.1f} ms (median of {ROUNDS})")
print(f"ratio notice/baseline: {notice / baseline:.1f}x")
print(f"acceptance notice (3 sub-cases, CJK, QR): {notice:.1f} ms")
