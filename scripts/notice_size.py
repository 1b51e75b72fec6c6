"""Print the size of the acceptance notice (the one bench/bench_notice.py times) and the faces it
embeds. Budget: under 50 KB (issue 14).

Run: SECRET_KEY=x .venv/bin/python scripts/notice_size.py
"""

import io
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
workdir = tempfile.mkdtemp(prefix="tongban-size-")
os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/size.sqlite3"
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["CELERY_BROKER_URL"] = "memory://"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)

from pypdf import PdfReader  # noqa: E402

from tests.factories import MatterFactory, accepted_application  # noqa: E402
from workflow.calendar_store import seed_calendar  # noqa: E402
from workflow.documents import render_notice_pdf  # noqa: E402

seed_calendar(years=[2026])
food = MatterFactory(name="食品经营许可", legal_basis="《中华人民共和国食品安全法》第三十五条",
                     issues_licence=True, result_name="食品经营许可证")
application = accepted_application(matters=[food, MatterFactory(name="公章刻制备案"),
                                            MatterFactory(name="社会保险登记(单位)")])
data = render_notice_pdf(application, "acceptance")
faces = sorted({str(f.get_object()["/BaseFont"]) for page in PdfReader(io.BytesIO(data)).pages
                for f in page["/Resources"]["/Font"].values()})
print(f"faces: {', '.join(faces)}")
print(f"acceptance notice (3 sub-cases, CJK, QR): {len(data)} bytes = {len(data) / 1024:.1f} KB (budget 50 KB)")
sys.exit(0 if len(data) < 50 * 1024 else 1)
