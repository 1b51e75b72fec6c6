"""Time issuing an electronic licence (电子证照): number drawn, content digest, PDF rendered by
WeasyPrint with the notices' font configuration and QR helper, file stored, row saved — warm,
on an embedded SQLite, one licence per sub-case number.

Contract (bench/_contract.py): figure = median ms per licence; baseline = a one-line PDF without
CJK written by WeasyPrint in the same run, timed in alternation; budget at most 20× the
baseline; checks: every licence is stored as a PDF, their numbers are distinct.

Run: .venv/bin/python bench/bench_licence.py   (BENCH_SIZE=quick: fewer rounds)
"""

import os
import sys
import tempfile
from pathlib import Path

from _contract import sqlite_url  # bench/ is on sys.path when a bench runs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
workdir = tempfile.mkdtemp(prefix="tongban-bench-")
os.environ["DATABASE_URL"] = sqlite_url(workdir)
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["CELERY_BROKER_URL"] = "memory://"

import django  # noqa: E402
from _contract import Result, alternating_ms, sized  # noqa: E402 (bench/ is on sys.path when a bench runs)

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

import weasyprint  # noqa: E402

from accounts.models import Department, Region  # noqa: E402
from exchange.services import licence_issue  # noqa: E402
from matters.models import Matter  # noqa: E402

region = Region.objects.create(code="441803000000", name="清新区", level=Region.Level.DISTRICT)
department = Department.objects.create(code="QX-SCJG", name="清远市清新区市场监督管理局", short_name="区市场监管局",
                                       region=region)
matter = Matter.objects.create(code="441803-XK-0001", name="个体工商户设立登记", department=department, target="natural",
                               legal_days=3, promised_days=0, issues_licence=True, result_name="营业执照",
                               legal_basis="《促进个体工商户发展条例》;《中华人民共和国市场主体登记管理条例》第二条、第十九条")


def issue(i):
    return licence_issue(case_ref=f"441803-2026-XK-{i:06d}-01", application_number=f"441803-2026-XK-{i:06d}",
                         matter=matter, department=department, name="营业执照", holder_name="陈志明",
                         holder_id_number="441803198805140310")[0]


ROUNDS = sized(full=20, quick=5, env="ROUNDS")
counter = iter(range(1, 10_000))
issued = []


def one():
    issued.append(issue(next(counter)))


def baseline():
    weasyprint.HTML(string="<p>Tongban baseline</p>").write_pdf()


issue(0)  # warm: fonts, templates, imports
licence_ms, base_ms = alternating_ms(one, baseline, ROUNDS, warm=False)
size = issued[-1].file.size
result = Result("bench_licence", "issuing one e-licence (number, digest, PDF, file, row), warm median")
result.measured(figure=licence_ms, baseline=base_ms, unit="ms",
                baseline_label=f"one-line PDF without CJK, alternating, median of {ROUNDS}")
print(f"licence PDF {size / 1024:.0f} KiB")
result.ratio_at_most(20)
pdfs = all(lic.file.open("rb").read(5) == b"%PDF-" for lic in issued)
result.check("every licence stored as a PDF", pdfs)
result.check("licence numbers distinct", len({lic.number for lic in issued}) == len(issued) == ROUNDS)
result.finish()
