"""Issue 13, 缴 of utility bills: the arrears the data source (the reference program, its own
process) reports for 电费 become a bill paid through the payment sandbox (its own process): once
even when the notification comes twice, with an electronic receipt; the amount is the source's,
never the page's; the bill is its owner's only."""

import io
import json

import pytest
from pypdf import PdfReader

from exchange.datasources import _clients
from exchange.demo_records import person_records
from payments.models import PaymentNotification, PaymentOrder, UtilityBill
from portal.personal import ensure_query_matter
from tests.exchange.refsys_process import RefProcess
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def citizen(transactional_db):
    return UserFactory(real_name="陈志明")


@pytest.fixture
def source(tmp_path, citizen, settings):
    DepartmentFactory()
    ensure_query_matter()
    records = {name: {citizen.id_number: fields} for name, fields in person_records(citizen).items()}
    records["dian"][citizen.id_number].update({"account": "D12345678", "bill_month": "2026-11", "arrears": "86.40"})
    records["shui"][citizen.id_number].update({"arrears": 0})
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    process = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                         extra=("--records", str(path))).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
    _clients.clear()
    yield process
    process.stop()
    _clients.clear()


def test_arrears_reported_by_the_source_are_paid_once_with_a_duplicated_notification(
        paysim, source, citizen, client):
    client.force_login(citizen)
    refused = client.post("/payments/bills/dian/pay/", follow=True)  # nothing asked yet
    assert "请先查询电费" in refused.content.decode() and not UtilityBill.objects.exists()

    client.post("/me/data/dian/")
    client.post("/me/data/shui/")
    page = client.get("/me/").content.decode()
    assert "缴纳欠费 ¥86.40" in page and page.count("data-bill-pay") == 1  # 水费 owes nothing
    none_owed = client.post("/payments/bills/shui/pay/", follow=True).content.decode()
    assert "水费没有欠费,无需缴纳" in none_owed

    paysim.control(notify="twice")
    answer = client.post("/payments/bills/dian/pay/", {"amount_fen": 1})  # a posted amount counts for nothing
    bill = UtilityBill.objects.get()
    assert answer.url == f"/payments/bills/{bill.pk}/"
    assert (bill.person, bill.account, bill.bill_month, bill.amount_fen) == (citizen, "D12345678", "2026-11", 8640)
    assert bill.data_query.source == "dian" and bill.data_query.subject == citizen
    order = PaymentOrder.objects.get()
    assert (order.bill, order.fee_line, order.amount_fen) == (bill, None, 8640)
    client.post("/payments/bills/dian/pay/")  # pressed again: the same bill and order
    assert UtilityBill.objects.count() == 1 and PaymentOrder.objects.count() == 1
    bill_page = client.get(answer.url).content.decode()
    assert order.pay_url in bill_page and "¥86.40" in bill_page

    paysim.pay(order.out_trade_no)
    paysim.wait_until(lambda: paysim.stats()["notifications_delivered"] == 2, what="both notifications")
    order.refresh_from_db()
    bill.refresh_from_db()
    assert (order.status, bill.status) == ("paid", "paid") and bill.paid_at is not None
    assert sorted(PaymentNotification.objects.values_list("outcome", flat=True)) == ["duplicate", "settled"]
    statement = paysim.stats()
    assert statement["notifications_delivered"] == 2

    again = client.post("/payments/bills/dian/pay/", follow=True).content.decode()
    assert "欠费已缴纳" in again and PaymentOrder.objects.count() == 1  # the source still says arrears
    assert "欠费已缴纳" in client.get("/me/").content.decode()
    pdf = client.get(f"/payments/orders/{order.out_trade_no}/receipt.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "")
    for expected in ("政务服务非税收入电子票据", order.receipt_number, "电费欠费", "D12345678", "¥86.40", "捌拾陆元肆角"):
        assert expected in text, expected
    api = client.get(f"/api/payment-orders/{order.out_trade_no}/").json()
    assert (api["bill"], api["fee"], api["status"]) == (bill.pk, None, "paid")

    other = UserFactory()
    client.force_login(other)
    assert client.get(f"/payments/bills/{bill.pk}/").status_code == 404
    assert client.post(f"/payments/bills/{bill.pk}/check/").status_code == 404
    assert client.get(f"/payments/orders/{order.out_trade_no}/receipt.pdf").status_code == 404
    assert client.get(f"/api/payment-orders/{order.out_trade_no}/").status_code == 404
    refused = client.post("/payments/bills/dian/pay/", follow=True).content.decode()
    assert "请先查询电费" in refused  # another person's answer is not theirs to pay
