"""Issue 13, 交通违章 per vehicle: the reference data-source program (`python -m refsys`, its own
process) holds a person's vehicles (plate, type) and their violations (time, place, act, fine in
fen, points, 未处理/已处理); 我的 shows one card per vehicle, 未处理 first, fines in yuan; the kiosk's
查 shows the same and prints it; each query is logged in 数据使用记录 like every other."""

import json
import re

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from exchange.datasources import _clients
from exchange.demo_records import person_records
from exchange.models import DataQuery, DataSourcePolicy
from exchange.traffic import vehicle_rows
from portal.personal import QUERY_MATTER, ensure_query_matter
from terminals.models import KioskReceipt
from tests.exchange.refsys_process import RefProcess
from tests.factories import DepartmentFactory, MatterFactory, UserFactory, password_sign_in
from tests.terminals.test_kiosk import enrolled_client, make_terminal, resident, signed_in

pytestmark = pytest.mark.django_db

CAR = {"plate": "粤R12345", "type": "小型汽车", "violations": [
    {"time": "2026-08-02 09:15", "place": "清新大道清城段", "act": "机动车行驶超过规定时速未达20%",
     "fine": 20000, "points": 3, "state": "已处理"},
    {"time": "2026-11-20 18:40", "place": "城关街道民生路与太和大道交叉口", "act": "机动车不按交通信号灯规定通行",
     "fine": 20000, "points": 6, "state": "未处理"},
]}
MOTORBIKE = {"plate": "粤R6789摩", "type": "普通二轮摩托车", "violations": []}
TRAFFIC = {"unpaid_violations": 1, "vehicles": [CAR, MOTORBIKE]}


@pytest.fixture
def source(tmp_path, settings):
    def start(person):
        path = tmp_path / "records.json"
        path.write_text(json.dumps({"jiaotong": {person.id_number: TRAFFIC}}, ensure_ascii=False), encoding="utf-8")
        process = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                             extra=("--records", str(path))).start()
        settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
        _clients.clear()
        started.append(process)
        return process

    started = []
    yield start
    for process in started:
        process.stop()
    _clients.clear()


def _card(html: str) -> str:
    match = re.search(r'<article class="me-query[^"]*" id="data-jiaotong".*?</article>', html, re.S)
    assert match, "no 交通违章 card"
    return match.group(0)


def test_each_vehicle_and_its_violations_on_the_personal_page_logged(client, source):
    citizen = UserFactory(real_name="陈志明")
    DepartmentFactory()
    ensure_query_matter()
    process = source(citizen)
    assert password_sign_in(client, citizen.username)
    answer = client.post(reverse("portal:personal_query", args=["jiaotong"]))
    assert answer.status_code == 302 and answer["Location"].endswith("/me/#data-jiaotong")
    card = _card(client.get(reverse("portal:personal")).content.decode())

    assert card.count("data-vehicle=") == 2
    car = card.split('data-vehicle="粤R12345"', 1)[1].split("</section>", 1)[0]
    assert "小型汽车" in car and "1 起未处理" in car and car.count("data-violation") == 2
    # 未处理 first, then the handled one; fines in yuan, points
    assert car.index("机动车不按交通信号灯规定通行") < car.index("机动车行驶超过规定时速未达20%")
    assert "2026-11-20 18:40" in car and "城关街道民生路与太和大道交叉口" in car
    assert "罚款 200.00 元,记 6 分" in car and "罚款 200.00 元,记 3 分" in car and "已处理" in car
    bike = card.split('data-vehicle="粤R6789摩"', 1)[1].split("</section>", 1)[0]
    assert "普通二轮摩托车" in bike and "无未处理违章" in bike and "这辆车没有违章记录" in bike
    assert "未处理违章(起)" in card and "20000" not in card  # the fen never shown

    row = DataQuery.objects.get()
    assert (row.source, row.outcome, row.subject, row.case_ref, row.matter.code) == (
        "jiaotong", "found", citizen, "个人主页", QUERY_MATTER)
    assert row.answer["vehicles"][0]["plate"] == "粤R12345" and process.stats()["data_queries"] == 1
    log = client.get(reverse("portal:my_data_use")).content.decode()
    assert "交通违章" in log and "本人在个人主页查询本人信息" in log


def test_an_older_policy_gains_the_vehicles_field():
    """A database made before the vehicles: the page's policy asked only the count."""
    DepartmentFactory()
    matter = ensure_query_matter()
    DataSourcePolicy.objects.filter(matter=matter, source="jiaotong").update(fields=["unpaid_violations"])
    ensure_query_matter()
    assert DataSourcePolicy.objects.get(matter=matter, source="jiaotong").fields == ["unpaid_violations", "vehicles"]


def test_the_kiosk_shows_and_prints_each_vehicle(source):
    person = resident(real_name="陈志明")
    matter = MatterFactory(code=django_settings.TERMINAL_QUERY_MATTER, name="个人数据自助查询", is_active=False)
    DataSourcePolicy.objects.create(matter=matter, source="jiaotong", fields=["unpaid_violations", "vehicles"],
                                    purpose="本人在市民之窗自助查询")
    source(person)
    terminal = make_terminal()
    client = enrolled_client(terminal)
    session = signed_in(client, terminal, person)
    html = client.post(f"/kiosk/{session.pk}/data/jiaotong/").content.decode()
    assert html.count('class="kvehicle"') == 2 and "粤R12345" in html and "粤R6789摩" in html
    assert html.index("机动车不按交通信号灯规定通行") < html.index("机动车行驶超过规定时速未达20%")
    assert "罚款 200.00 元,记 6 分" in html and "1 起未处理" in html and "这辆车没有违章记录" in html
    receipt = KioskReceipt.objects.get(session=session)
    lines = [tuple(line) for line in receipt.lines]
    assert ("粤R12345", "小型汽车") in lines and ("粤R6789摩", "普通二轮摩托车") in lines
    assert ("未处理 2026-11-20 18:40", "城关街道民生路与太和大道交叉口 机动车不按交通信号灯规定通行 罚款200.00元 记6分") in lines
    row = DataQuery.objects.get()
    assert (row.source, row.subject, row.case_ref) == ("jiaotong", person, f"终端{terminal.code}")


def test_malformed_vehicles_are_left_out():
    assert vehicle_rows("粤R1") == [] and vehicle_rows([{"type": "小型汽车"}, 3]) == []
    [car] = vehicle_rows([{"plate": "粤R1", "violations": [{"fine": -5, "points": "x"}, "bad"]}])
    assert car["violations"][0]["fine"] == "—" and car["violations"][0]["points"] == "—"


def test_the_demo_records_give_every_person_a_car_and_count_its_open_violations():
    person = UserFactory()
    traffic = person_records(person)["jiaotong"]
    assert traffic["vehicles"][0]["type"] == "小型汽车"
    opened = sum(v["state"] == "未处理" for car in traffic["vehicles"] for v in car["violations"])
    assert traffic["unpaid_violations"] == opened
    assert all(isinstance(v["fine"], int) for car in traffic["vehicles"] for v in car["violations"])
