"""Data-source connectors (issue 10 B) against the reference program over real sockets: the
record comes back with only the fields asked for; a slow, failing, wrong or closed source gives a
clear Chinese message, and after a few failures the circuit opens and nothing more is sent."""

import json

import pytest

from exchange.datasources import CircuitBreaker, DataSourceClient, DataSourceError, DataSourceUnavailable

from .conftest import DEPARTMENT_CODE
from .refsys_process import RefProcess

SUBJECT = "110101199003071234"
RECORDS = {
    "huji": {SUBJECT: {"name": "陈晓明", "address": "北京市东城区和平里街道12号", "household_no": "H0001"}},
    "shebao": {SUBJECT: {"insured": True, "months": 86}},
}


@pytest.fixture
def source(tmp_path):
    records = tmp_path / "records.json"
    records.write_text(json.dumps(RECORDS, ensure_ascii=False), encoding="utf-8")
    process = RefProcess(db=tmp_path / "source.sqlite3", department=DEPARTMENT_CODE,
                         keys={"k1": "reference-secret-one"}, extra=("--records", str(records))).start()
    yield process
    process.stop()


def _client(source, **kwargs):
    kwargs = {"timeout": 1.0, "retries": 1, "backoff": 0.05} | kwargs
    return DataSourceClient(base_url=source.url, department=DEPARTMENT_CODE, key_id="k1",
                            secret="reference-secret-one", **kwargs)


def test_a_record_comes_back_with_only_the_fields_asked_for(source):
    record = _client(source).query("huji", SUBJECT, ["address"], purpose="户口迁移申请", case_ref="QX2026-000001")
    assert (record.found, record.fields) == (True, {"address": "北京市东城区和平里街道12号"})
    assert _client(source).query("huji", "110101200001010000", ["address"], purpose="测试").found is False
    assert source.stats()["data_queries"] == 2  # the source keeps its own log of what was asked


def test_a_wrong_key_is_refused_not_retried(source):
    client = DataSourceClient(base_url=source.url, department=DEPARTMENT_CODE, key_id="k1", secret="wrong")
    with pytest.raises(DataSourceError) as error:
        client.query("shebao", SUBJECT, ["months"], purpose="测试")
    assert error.value.code == "http_401" and "自行上传" in error.value.message
    assert source.stats()["behaviour"]["requests"] == 1


def test_a_failing_request_is_retried(source):
    source.control(fail=1)
    assert _client(source).query("shebao", SUBJECT, ["months"], purpose="测试").fields == {"months": 86}
    assert source.stats()["behaviour"]["requests"] == 2


def test_a_wrong_answer_is_not_taken_as_data(source):
    source.control(wrong=True)
    with pytest.raises(DataSourceError) as error:
        _client(source).query("huji", SUBJECT, ["address"], purpose="测试")
    assert error.value.code == "invalid_answer" and "有误" in error.value.message


def test_a_slow_source_times_out(source):
    source.control(delay=1.5)
    with pytest.raises(DataSourceUnavailable) as error:
        _client(source, timeout=0.3, retries=0).query("huji", SUBJECT, ["address"], purpose="测试")
    assert error.value.message == "户籍数据暂时无法获取,请您自行上传该材料,已填写的内容不会丢失。"


def test_a_source_that_is_down_opens_the_circuit_then_recovers(source):
    client = _client(source, breaker=CircuitBreaker(threshold=2, cooldown=60))
    source.control(fail=-1)
    for _ in range(2):
        with pytest.raises(DataSourceUnavailable):
            client.query("huji", SUBJECT, ["address"], purpose="测试")
    sent = source.stats()["behaviour"]["requests"]
    assert sent == 4 and client.breaker("huji").is_open
    with pytest.raises(DataSourceUnavailable):  # open: refused at once, nothing sent
        client.query("huji", SUBJECT, ["address"], purpose="测试")
    assert source.stats()["behaviour"]["requests"] == sent
    source.control(fail=0)
    client.breaker("huji").opened_at -= 60  # the cooldown has passed: one trial closes it again
    assert client.query("huji", SUBJECT, ["address"], purpose="测试").found
    assert not client.breaker("huji").is_open


def test_a_closed_port_is_unavailable(source):
    source.stop()
    with pytest.raises(DataSourceUnavailable):
        _client(source).query("huji", SUBJECT, ["address"], purpose="测试")


@pytest.mark.django_db
def test_demo_records_are_served_for_the_demo_citizens(tmp_path, settings):
    from django.core.management import call_command

    from tests.factories import EnterpriseFactory, UserFactory

    citizen, enterprise = UserFactory(real_name="陈志明"), EnterpriseFactory()
    out = tmp_path / "records.json"
    call_command("demo_data_sources", "--out", str(out))
    process = RefProcess(db=tmp_path / "demo.sqlite3", department="QXZWFWZX", keys={"d1": "demo-secret"},
                         extra=("--records", str(out))).start()
    try:
        settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:demo-secret"
        from exchange.datasources import client_from_settings

        client = client_from_settings()
        assert client.query("huji", citizen.id_number, ["name"], purpose="测试").fields == {"name": "陈志明"}
        company = client.query("qiye", enterprise.credit_code, ["name", "status"], purpose="测试")
        assert company.fields == {"name": enterprise.name, "status": "存续"}
    finally:
        process.stop()
