"""The commands `make run` uses to set up its demo department system (scripts/serve.sh)."""

import json

import pytest
from django.core.management import call_command

from exchange.models import DepartmentSystem
from tests.factories import DepartmentFactory, MatterFactory

pytestmark = pytest.mark.django_db


def test_demo_department_system_prints_what_refsys_is_started_with(capsys, tmp_path):
    department = DepartmentFactory(code="QX-WJJ", name="清远市清新区卫生健康局", short_name="区卫生健康局")
    MatterFactory(department=department, name="出生医学证明首次签发")
    seed = tmp_path / "catalog.json"
    call_command("demo_department_system", "--url", "http://127.0.0.1:8701", "--print-args", "--catalog-seed", str(seed))
    code, key, name = capsys.readouterr().out.split()
    system = DepartmentSystem.objects.get()
    assert (code, name, system.active, system.base_url) == ("QX-WJJ", "区卫生健康局审批系统", True, "http://127.0.0.1:8701")
    assert key == f"k1:{system.keys.get().secret}"
    assert [m["name"] for m in json.loads(seed.read_text(encoding="utf-8"))] == ["出生医学证明首次签发"]
    call_command("demo_department_system", "--print-args")  # run again (every make run): same key
    assert capsys.readouterr().out.split()[1] == key
