"""我的 (市民个人网页) and 企业主页 (issue 13): what each list holds and for whom, and 查 answered live
by the reference data-source program (`python -m refsys`, its own process) through
`exchange.data_access.query_for`, each query logged in 数据使用记录; a source that is slow or down
is said in Chinese on its card and the page still works."""

import json
import re

import pytest
from django.urls import reverse

from exchange.datasources import _clients
from exchange.demo_records import person_records
from exchange.models import DataQuery, ElectronicLicence
from matters.models import FeeItem
from notifications.models import Message
from portal.personal import QUERY_MATTER, ensure_query_matter
from tests.exchange.refsys_process import RefProcess
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    EnterpriseFactory,
    MatterFactory,
    UserFactory,
    accepted_application,
    password_sign_in,
    submitted_application,
)
from workflow.calendar_store import seed_calendar
from workflow.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])


@pytest.fixture
def citizen():
    return UserFactory(real_name="陈志明")


@pytest.fixture
def firm(citizen):
    return EnterpriseFactory(name="清远市清新区清心茶业有限公司", staff=[citizen])


@pytest.fixture
def source(tmp_path, citizen, firm, settings):
    """The data-source platform as its own process, holding the demo's records of the citizen and
    the enterprise."""
    DepartmentFactory()
    ensure_query_matter()
    records = {name: {citizen.id_number: fields} for name, fields in person_records(citizen).items()}
    records["qiye"] = {firm.credit_code: {"name": firm.name, "legal_representative": "陈志强",
                                          "address": "清新区太和镇新城大道8号", "status": "存续"}}
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    process = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                         extra=("--records", str(path))).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
    _clients.clear()
    yield process
    process.stop()
    _clients.clear()


def _card(html: str, source: str) -> str:
    match = re.search(rf'<article class="me-query[^"]*" id="data-{source}".*?</article>', html, re.S)
    assert match, f"no card for {source}"
    return match.group(0)


def test_the_page_lists_what_waits_for_the_citizen_and_nothing_of_anyone_else(client, citizen, firm):
    paying = MatterFactory(name="居民身份证换领")
    FeeItem.objects.create(matter=paying, name="证照工本费", amount_fen=2000, legal_basis="发改价格〔2003〕2322号")
    waiting = submitted_application(applicant=citizen)
    accepted = accepted_application(applicant=citizen, matters=[paying])
    ready = submitted_application(applicant=citizen, matters=[MatterFactory(name="社会保障卡申领")])
    Application.objects.filter(pk=ready.pk).update(state=Application.State.RESULT_READY)
    of_firm = submitted_application(applicant=citizen, matters=[MatterFactory(name="食品经营许可", target="legal")],
                                    enterprise=firm)
    stranger = UserFactory(real_name="李秀英")
    theirs = submitted_application(applicant=stranger, matters=[MatterFactory(name="独生子女父母光荣证")])
    Message.objects.create(recipient=citizen, kind="application", title="您的办件已受理", dedupe_key="t1")
    Message.objects.create(recipient=stranger, kind="application", title="李秀英的消息", dedupe_key="t2")

    assert password_sign_in(client, citizen.username)
    page = client.get(reverse("portal:personal"))
    html = page.content.decode()
    assert page.status_code == 200
    progress = html.split("data-in-progress", 1)[1].split("</ul>", 1)[0]
    assert waiting.number in progress and accepted.number in progress and ready.number not in progress
    assert "等待窗口审核受理" in progress and "等待部门审批" in progress
    assert ready.number in html.split("data-ready", 1)[1].split("</ul>", 1)[0]
    fees = html.split("data-fees", 1)[1].split("</ul>", 1)[0]
    assert "证照工本费" in fees and "20.00" in fees and "合计 20.00 元" in html
    unread = Message.objects.filter(recipient=citizen, read_at=None).count()  # ours and the acceptance's
    assert "您的办件已受理" in html.split("data-messages", 1)[1] and f"{unread} 条未读" in html and unread >= 2
    assert of_firm.number not in html  # the enterprise's case is on the enterprise's page
    assert reverse("portal:enterprise_home", args=[firm.credit_code]) in html
    assert theirs.number not in html and "李秀英" not in html
    assert 'href="/me/"' in html  # the masthead's name and the phone menu lead here
    assert 'new RegExp("^/me/$")' in client.get("/sw.js").content.decode()  # kept for reading offline

    client.logout()
    assert password_sign_in(client, stranger.username)
    html = client.get(reverse("portal:personal")).content.decode()
    assert theirs.number in html and waiting.number not in html and "您的办件已受理" not in html
    assert reverse("portal:enterprise_home", args=[firm.credit_code]) not in html


def test_who_is_refused(client, citizen, firm):
    url, enterprise_url = reverse("portal:personal"), reverse("portal:enterprise_home", args=[firm.credit_code])
    query = reverse("portal:personal_query", args=["shebao"])
    assert client.get(url).status_code == 302  # signed out: the sign-in page
    clerk = ClerkFactory()
    assert password_sign_in(client, clerk.username)
    assert client.get(url).status_code == 403
    assert client.post(query).status_code == 403
    assert client.get(enterprise_url).status_code == 403
    client.logout()
    outsider = UserFactory()
    assert password_sign_in(client, outsider.username)
    assert client.get(enterprise_url).status_code == 404
    assert client.post(reverse("portal:enterprise_query", args=[firm.credit_code, "qiye"])).status_code == 404
    assert client.get(query).status_code == 405  # a query writes a log row: POST only
    assert client.post(reverse("portal:personal_query", args=["huji"])).status_code == 404  # not a 查 of this page
    assert not DataQuery.objects.exists()


def test_shebao_and_dian_are_answered_live_and_logged(client, citizen, source):
    assert password_sign_in(client, citizen.username)
    html = client.get(reverse("portal:personal")).content.decode()
    assert "data-answer" not in _card(html, "shebao")  # nothing asked on opening the page
    answer = client.post(reverse("portal:personal_query", args=["shebao"]))
    assert answer.status_code == 302 and answer["Location"].endswith("/me/#data-shebao")
    client.post(reverse("portal:personal_query", args=["dian"]))
    html = client.get(reverse("portal:personal")).content.decode()
    record = person_records(citizen)
    shebao = _card(html, "shebao")
    assert "参保中" in shebao and str(record["shebao"]["months"]) in shebao and "由数据来源部门实时答复" in shebao
    assert shebao.count("<tr>") == 1 + 6 and record["shebao"]["recent"][0]["month"] in shebao  # six months
    dian = _card(html, "dian")
    assert record["dian"]["account"] in dian and record["dian"]["bill_amount"] in dian and "无欠费" in dian
    assert "data-answer" not in _card(html, "gongjijin")

    rows = list(DataQuery.objects.order_by("pk"))
    assert [(r.source, r.outcome, r.subject_id, r.asked_by_id, r.case_ref, r.matter.code) for r in rows] == [
        ("shebao", "found", citizen.pk, citizen.pk, "个人主页", QUERY_MATTER),
        ("dian", "found", citizen.pk, citizen.pk, "个人主页", QUERY_MATTER)]
    assert source.stats()["data_queries"] == 2
    assert client.get(reverse("portal:personal")) and source.stats()["data_queries"] == 2  # a reload asks nothing
    log = client.get(reverse("portal:my_data_use")).content.decode()
    assert "本人在个人主页查询本人信息" in log and "社保" in log and "电" in log


def test_a_source_down_or_slow_is_said_on_its_card_and_the_page_still_works(client, citizen, source, settings):
    assert password_sign_in(client, citizen.username)
    client.post(reverse("portal:personal_query", args=["gongjijin"]))
    source.stop()
    client.post(reverse("portal:personal_query", args=["shebao"]))
    page = client.get(reverse("portal:personal"))
    assert page.status_code == 200
    html = page.content.decode()
    shebao = _card(html, "shebao")
    assert "社保系统暂时无法连接,请稍后再试" in shebao and "查询未成功" in shebao
    assert "账户余额" in _card(html, "gongjijin")  # the answer given before the outage is still shown
    assert "办理中" in html and "待缴费" in html
    assert list(DataQuery.objects.order_by("pk").values_list("source", "outcome")) == [
        ("gongjijin", "found"), ("shebao", "failed")]

    source.start()
    settings.DATA_SOURCE_TIMEOUT_SECONDS = 0.3
    source.control(delay=2)
    client.post(reverse("portal:personal_query", args=["dian"]))
    dian = _card(client.get(reverse("portal:personal")).content.decode(), "dian")
    assert "电费系统响应太慢,这次没有等到答复" in dian
    assert DataQuery.objects.order_by("-pk").values_list("source", "outcome").first() == ("dian", "failed")


def test_the_enterprise_page_for_its_staff(client, citizen, firm, source):
    legal = MatterFactory(name="食品经营许可", target="legal")
    FeeItem.objects.create(matter=legal, name="许可证工本费", amount_fen=1500, legal_basis="粤价〔2017〕1号")
    case = accepted_application(applicant=citizen, matters=[legal], enterprise=firm,
                                clerk=ClerkFactory(window__category="legal"))
    mine = submitted_application(applicant=citizen)
    other_firm = EnterpriseFactory(staff=[UserFactory()])
    not_ours = submitted_application(applicant=other_firm.members.get(), matters=[legal], enterprise=other_firm)
    licence = ElectronicLicence.objects.create(
        number="DZZZ-441803-2026-000321", case_ref="S-1", application_number=case.number, name="食品经营许可证",
        matter=legal, department=legal.department, holder_name=firm.name, holder_enterprise=firm,
        issued_on="2026-03-02", valid_from="2026-03-02", valid_until="2031-03-01", sha256="a" * 64, digest="b" * 64)

    assert password_sign_in(client, citizen.username)
    url = reverse("portal:enterprise_home", args=[firm.credit_code])
    html = client.get(url).content.decode()
    assert case.number in html and mine.number not in html and not_ours.number not in html
    assert "许可证工本费" in html and licence.number in html and "2031-03-01" in html
    assert "陈志明" in html.split("data-staff", 1)[1]
    client.post(reverse("portal:enterprise_query", args=[firm.credit_code, "qiye"]))
    qiye = _card(client.get(url).content.decode(), "qiye")
    assert "清新区太和镇新城大道8号" in qiye and "存续" in qiye and "由数据来源部门实时答复" in qiye
    row = DataQuery.objects.get()
    assert (row.subject_enterprise_id, row.subject_id, row.asked_by_id, row.case_ref) == (firm.pk, None, citizen.pk,
                                                                                          "企业主页")
    assert "企业经办人在企业主页查询本企业登记信息" in client.get(
        reverse("portal:enterprise_data_use", args=[firm.credit_code])).content.decode()
    assert client.post(reverse("portal:enterprise_query", args=[firm.credit_code, "shebao"])).status_code == 404
    assert client.get(reverse("portal:enterprise_home", args=[other_firm.credit_code])).status_code == 404


def test_the_demo_shows_both_pages_answered(tmp_path, settings, client):
    """`make run`: load_demo makes the pages' catalog entry, demo_data_sources the records the
    reference program serves; the demo citizen's 社保 and 电费 and the demo enterprise's 企业登记 answer."""
    from exchange.demo_records import demo_records
    from portal.management.commands.load_demo import Command

    loader = Command()
    loader.load_organisations()
    loader.load_catalog()
    loader.load_people()
    ensure_query_matter()
    ensure_query_matter()  # idempotent (load_demo runs at every make run)
    path = tmp_path / "records.json"
    path.write_text(json.dumps(demo_records(), ensure_ascii=False), encoding="utf-8")
    process = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                         extra=("--records", str(path))).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
    _clients.clear()
    try:
        from accounts.models import User

        client.force_login(User.objects.get(username="citizen"))
        for name in ("shebao", "dian"):
            client.post(reverse("portal:personal_query", args=[name]))
        html = client.get(reverse("portal:personal")).content.decode()
        assert "参保中" in _card(html, "shebao") and "缴纳欠费 ¥" in _card(html, "dian")  # the demo citizen owes it
        staff = User.objects.get(username="enterprise")
        firm = staff.enterprises.get()
        client.force_login(staff)
        assert reverse("portal:enterprise_home", args=[firm.credit_code]) in client.get(
            reverse("portal:personal")).content.decode()
        client.post(reverse("portal:enterprise_query", args=[firm.credit_code, "qiye"]))
        qiye = _card(client.get(reverse("portal:enterprise_home", args=[firm.credit_code])).content.decode(), "qiye")
        assert firm.name in qiye and "存续" in qiye
    finally:
        process.stop()
        _clients.clear()
    assert DataQuery.objects.filter(outcome="found").count() == 3
