"""The catalog synchronised from the province feed served by the reference program: versions
arrive in order, once, with a report of what was added, changed and withdrawn."""

import pytest
from django.core.management import call_command

from exchange import catalog_sync
from exchange.models import CatalogFeedVersion
from matters.models import Matter
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _matter(code, name, **extra):
    return {"code": code, "name": name, "department": "QXSCJGJ", "kind": "licensing", "target": "legal",
            "legal_days": 20, "promised_days": 10, "legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "materials": [{"name": "食品经营许可申请书"}, {"name": "营业执照复印件"}], **extra}


@pytest.fixture
def feed(refsys, settings):
    settings.CATALOG_FEED_URL = refsys.url
    settings.CATALOG_FEED_KEY = "k1:" + refsys.keys["k1"]
    DepartmentFactory(code="QXSCJGJ", name="清远市清新区市场监督管理局")
    return refsys


def test_versions_add_change_and_withdraw_matters_with_a_report(feed, capsys):
    feed.publish_catalog([_matter("441803-XK-9001", "食品经营许可(新办)"),
                          _matter("441803-XK-9002", "小餐饮经营许可")])
    assert catalog_sync.sync_catalog() == {"applied": {1: "新增 2 项,变更 0 项,撤销 0 项,未变 0 项,拒收 0 项"}, "last": 1}
    first = Matter.objects.get(code="441803-XK-9001")
    assert (first.promised_days, first.version, [m.name for m in first.materials.order_by("order")]) == (
        10, 1, ["食品经营许可申请书", "营业执照复印件"])

    feed.publish_catalog([
        _matter("441803-XK-9001", "食品经营许可(新办)", promised_days=5,
                materials=[{"name": "食品经营许可申请书"}, {"name": "营业执照复印件"}, {"name": "食品安全管理制度"}]),
        _matter("441803-XK-9003", "食品生产许可", department="QXNOWHERE"),  # unknown department: refused
        _matter("441803-XK-9004", "食品小作坊登记"),
    ])
    call_command("sync_catalog")
    out = capsys.readouterr().out
    assert "第 2 版:新增 1 项,变更 1 项,撤销 1 项,未变 0 项,拒收 1 项" in out
    assert "撤销 441803-XK-9002 小餐饮经营许可" in out and "QXNOWHERE" in out
    report = CatalogFeedVersion.objects.get(version=2).report
    [changed] = report["changed"]
    assert changed["fields"] == {"promised_days": {"from": 10, "to": 5}}
    assert changed["materials_added"] == ["食品安全管理制度"] and changed["guide_version"] == 2
    first.refresh_from_db()
    assert (first.promised_days, first.version) == (5, 2)
    assert first.versions.get(number=1).snapshot["matter"]["promised_days"] == 10  # the old guide is kept
    assert not Matter.objects.get(code="441803-XK-9002").is_active
    assert not Matter.objects.filter(code="441803-XK-9003").exists()

    call_command("sync_catalog")
    assert "目录已是最新(第 2 版)" in capsys.readouterr().out
