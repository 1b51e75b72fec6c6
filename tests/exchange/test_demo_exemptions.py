"""Issue 10's "done when" for 免提交: the demo matter 城乡居民基本养老保险参保登记, whose materials are
an ID card and a household register extract, asks for neither when the demo data sources (the
reference program serving `demo_records`) answer; the citizen's 数据使用记录 lists the query."""

import json

import pytest
from django.urls import reverse

from exchange.datasources import _clients
from exchange.demo_records import demo_records
from matters.models import Matter
from portal.demo.exchange_sources import load_exchange_sources
from portal.management.commands.load_demo import Command
from tests.factories import UserFactory, form_for
from workflow.models import Application, Material

from .refsys_process import RefProcess

pytestmark = pytest.mark.django_db


def test_demo_matter_asks_for_neither_id_card_nor_household_register(tmp_path, settings, client):
    loader = Command()
    loader.load_organisations()
    loader.load_catalog()
    assert load_exchange_sources() > 0 and load_exchange_sources() == 0  # idempotent
    citizen = UserFactory(real_name="陈志明")
    records = tmp_path / "records.json"
    records.write_text(json.dumps(demo_records(), ensure_ascii=False), encoding="utf-8")
    process = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                         extra=("--records", str(records))).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
    _clients.clear()
    try:
        matter = Matter.objects.get(name="城乡居民基本养老保险参保登记")
        client.force_login(citizen)
        url = reverse("portal:apply_matter", args=[matter.code])
        page = client.get(url).content.decode()
        address = demo_records()["huji"][citizen.id_number]["address"]
        assert page.count("已获取(免提交)") == 2 and f'value="{address}"' in page
        assert "请上传" not in page
        data = {f"field_{k}": v for k, v in form_for([matter], citizen).items()}
        data.update({"field_household_address": address, "delivery_method": "hall", "idempotency_key": "5" * 32})
        assert client.post(url, data).status_code == 302
    finally:
        process.stop()
        _clients.clear()
    application = Application.objects.get(applicant=citizen)
    sources = dict(application.materials.values_list("name", "source"))
    assert sources == {"申请人居民身份证": Material.Source.DATA_SOURCE, "居民户口簿": Material.Source.DATA_SOURCE}
    assert not application.materials.exclude(file="").exists()  # nothing was uploaded
    uses = client.get(reverse("portal:my_data_use")).content.decode()
    assert "核验参保人身份及户籍" in uses and "户籍" in uses


def test_demo_enterprise_matter_takes_the_business_licence_from_enterprise_registration(tmp_path, settings, client):
    from tests.factories import EnterpriseFactory

    loader = Command()
    loader.load_organisations()
    loader.load_catalog()
    load_exchange_sources()
    staff = UserFactory(real_name="李晓红")
    enterprise = EnterpriseFactory(name="清远市清新区太和粤香饮食有限公司", address="清远市清新区太和镇府前路12号",
                                   staff=[staff])
    records = tmp_path / "records.json"
    records.write_text(json.dumps(demo_records(), ensure_ascii=False), encoding="utf-8")
    process = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                         extra=("--records", str(records))).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
    _clients.clear()
    try:
        matter = Matter.objects.get(name="食品经营许可")
        client.force_login(staff)
        page = client.get(reverse("portal:apply_matter", args=[matter.code])).content.decode()
    finally:
        process.stop()
        _clients.clear()
    licence = matter.materials.get(name="营业执照")
    assert f'name="material_{licence.pk}"' not in page and "企业登记数据" in page
    assert f'value="{enterprise.address}"' in page and "已自企业登记数据获取(免填)" in page
    uses = client.get(reverse("portal:enterprise_data_use", args=[enterprise.credit_code])).content.decode()
    assert "核验申请单位的登记信息" in uses and "食品经营许可" in uses
