"""Access policy per matter and the query log (issue 10 B) against the reference data-source
program over real sockets: only declared sources and fields are queried; every query, found or
failed, is logged and listed on the citizen's 数据使用记录 page and in its CSV export."""

import json

import pytest
from django.urls import reverse

from core.models import AppendOnlyError
from exchange.data_access import NotPermitted, query_for
from exchange.datasources import DataSourceError, _clients
from exchange.models import DataQuery, DataSourcePolicy
from tests.factories import MatterFactory, UserFactory, password_sign_in

from .refsys_process import RefProcess

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return UserFactory(real_name="陈志明")


@pytest.fixture
def source(tmp_path, citizen, settings):
    records = tmp_path / "records.json"
    records.write_text(json.dumps({"huji": {citizen.id_number: {"address": "城关街道民生路8号", "relation": "户主"}}},
                                  ensure_ascii=False), encoding="utf-8")
    process = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                         extra=("--records", str(records))).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
    _clients.clear()
    yield process
    process.stop()
    _clients.clear()


@pytest.fixture
def matter():
    matter = MatterFactory(name="户口迁移")
    DataSourcePolicy.objects.create(matter=matter, source="huji", fields=["address"], purpose="核验户籍地址")
    return matter


def test_only_declared_fields_are_queried_and_every_query_is_logged(source, citizen, matter, client):
    record = query_for(matter=matter, subject=citizen, asked_by=citizen, source="huji", fields=["address"],
                       case_ref="QX2026-000009")
    assert record.fields == {"address": "城关街道民生路8号"}
    with pytest.raises(NotPermitted):
        query_for(matter=matter, subject=citizen, asked_by=citizen, source="huji", fields=["address", "relation"])
    with pytest.raises(NotPermitted):
        query_for(matter=matter, subject=citizen, asked_by=citizen, source="shebao", fields=["months"])
    assert source.stats()["data_queries"] == 1  # refused ones were never sent
    source.stop()
    with pytest.raises(DataSourceError) as error:
        query_for(matter=matter, subject=citizen, asked_by=citizen, source="huji", fields=["address"])
    assert "自行上传" in error.value.message
    assert list(DataQuery.objects.values_list("outcome", flat=True).order_by("pk")) == ["found", "failed"]
    row = DataQuery.objects.first()
    with pytest.raises(AppendOnlyError):
        row.save()

    other = UserFactory()
    assert password_sign_in(client, other.username)
    assert "户口迁移" not in client.get(reverse("portal:my_data_use")).content.decode()
    client.logout()
    assert password_sign_in(client, citizen.username)
    page = client.get(reverse("portal:my_data_use")).content.decode()
    assert 'href="/my-data-use/"' in client.get(reverse("portal:licences")).content.decode()  # reached from 我的证照
    assert page.count("核验户籍地址") == 2 and "QX2026-000009" in page and "查询失败" in page and "户籍" in page
    export = client.get(reverse("portal:my_data_use") + "?format=csv")
    lines = export.content.decode("utf-8-sig").strip().splitlines()
    assert export["Content-Type"].startswith("text/csv") and len(lines) == 3
    assert "户籍" in lines[1] and "address" in lines[2] and "QX2026-000009" in export.content.decode()


def test_an_auditor_exports_the_data_use_log_and_no_one_else_does(client, matter):
    import datetime as dt

    from accounts.models import User
    from tests.factories import ClerkFactory, SupervisorFactory, valid_id_number

    beijing = dt.timezone(dt.timedelta(hours=8))
    person = UserFactory(real_name="王小明", id_number=valid_id_number("19800101"))
    clerk = ClerkFactory(real_name="李窗口")
    for day, source, case in ((dt.datetime(2026, 3, 2, 9, 30, tzinfo=beijing), "huji", "QX2026-000101"),
                              (dt.datetime(2026, 3, 9, 15, 0, tzinfo=beijing), "shebao", "QX2026-000102"),
                              (dt.datetime(2026, 4, 20, 10, 0, tzinfo=beijing), "huji", "QX2026-000103")):
        DataQuery.objects.create(subject=person, asked_by=clerk, matter=matter, case_ref=case, source=source,
                                 fields=["address"], purpose="核验户籍地址", outcome="found",
                                 answer={"address": "城关街道民生路8号"}, answer_digest="ab" * 32, asked_at=day)
    url = reverse("portal:data_use_export")
    query = {"from": "2026-03-01", "to": "2026-03-31"}
    for refused in (person, clerk):
        client.force_login(refused)
        assert client.get(url, query).status_code == 403
    for auditor in (SupervisorFactory(), UserFactory(role=User.Role.ADMINISTRATOR)):
        client.force_login(auditor)
        answer = client.get(url, query)
        assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
        text = answer.content.decode("utf-8-sig")
        lines = text.strip().splitlines()
        assert len(lines) == 3 and "QX2026-000101" in lines[1] and "QX2026-000102" in lines[2]
        assert "QX2026-000103" not in text  # outside the period
        assert "李窗口" in lines[1] and "户籍" in lines[1] and "ab" * 32 in lines[1] and "2026-03-02 09:30:00" in lines[1]
        assert person.id_number not in text and "城关街道" not in text  # masked subject, no answer values
    only = client.get(url, {**query, "source": "shebao"}).content.decode("utf-8-sig").strip().splitlines()
    assert len(only) == 2 and "QX2026-000102" in only[1]
    bad = client.get(url, {"from": "三月一日"})
    assert bad.status_code == 400 and "日期格式" in bad.content.decode()
