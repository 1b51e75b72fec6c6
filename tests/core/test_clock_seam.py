"""One clock seam: every service reads django.utils.timezone.now(); tests move it with
time-machine. No module keeps its own `_now` to patch."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.factories import MatterFactory, submitted_application
from workflow.calendar_store import seed_calendar

BEIJING = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]


def test_no_module_keeps_a_private_clock():
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "node_modules", "tests"}:
            continue
        if re.search(r"^def _(now|today_override)\(", path.read_text(encoding="utf-8"), flags=re.M):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.django_db
def test_moving_the_clock_moves_what_the_services_write(time_machine):
    seed_calendar(years=[2026])
    time_machine.move_to(dt.datetime(2026, 9, 29, 10, 0, tzinfo=BEIJING), tick=False)
    application = submitted_application(matters=[MatterFactory()])
    assert application.submitted_at.astimezone(BEIJING) == dt.datetime(2026, 9, 29, 10, 0, tzinfo=BEIJING)
    # 5 working days from Tuesday 29 September, across the National Day week.
    assert application.pre_review_due > dt.date(2026, 10, 8)
