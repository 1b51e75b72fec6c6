"""Fees paid through the sandbox provider (its own process) over real sockets, its notifications
arriving at this test's live portal: a duplicated notification charges once, a bad signature is
refused, a payment never notified is settled by the query task, reconciliation lists a planted
difference, a refund shows on the statement, and the receipt PDF says what was paid."""

import io
import json
from unittest import mock

import pytest
from django.utils import timezone
from pypdf import PdfReader

from matters.models import FeeItem
from payments import services, tasks
from payments.models import FeeLine, PaymentNotification, PaymentOrder, Reconciliation
from tests.factories import MatterFactory, SupervisorFactory, UserFactory, accepted_application
from workflow.calendar_store import seed_calendar
from workflow.models import CaseLog

from .conftest import KEY_ID, MERCHANT


@pytest.fixture(autouse=True)
def _calendar(transactional_db):
    seed_calendar(years=[2026])


def fee_line(*, amount_fen=2500, citizen=None):
    matter = MatterFactory(name="建筑工程施工许可")
    FeeItem.objects.create(matter=matter, name="工本费", amount_fen=amount_fen, legal_basis="粤价〔2026〕1号",
                           charge_at=FeeItem.ChargeAt.ACCEPTANCE)
    application = accepted_application(applicant=citizen or UserFactory(), matters=[matter])
    return FeeLine.objects.get(application=application)


def start(line, live_server):
    return services.start_payment(fee_line_id=line.pk, user=line.application.applicant,
                                  return_url=live_server.url + "/payments/return/")


def test_a_fee_paid_with_a_duplicated_notification_is_charged_once(paysim, live_server, client):
    line = fee_line()
    assert (line.name, line.amount_fen, line.status) == ("工本费", 2500, "unpaid")
    paysim.control(notify="twice")
    order = start(line, live_server)
    assert order.pay_url.startswith(paysim.url + "/pay/")
    assert start(line, live_server).pk == order.pk  # 去缴费 again: the same order

    paysim.pay(order.out_trade_no)
    paysim.wait_until(lambda: paysim.stats()["notifications_delivered"] == 2, what="both notifications")

    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, order.settled_by, line.status) == ("paid", "notification", "paid")
    outcomes = sorted(PaymentNotification.objects.values_list("outcome", flat=True))
    assert outcomes == ["duplicate", "settled"]
    assert CaseLog.objects.filter(application=line.application, action="payments.fee.paid").count() == 1
    statement = services.Provider.configured().statement(timezone.localdate().isoformat())
    assert [(e["type"], e["amount_fen"]) for e in statement["entries"]] == [("pay", 2500)]

    client.force_login(line.application.applicant)
    page = client.get("/payments/").content.decode()
    assert "已缴费" in page and "去缴费" not in page and order.receipt_number in page
    pdf = client.get(f"/payments/orders/{order.out_trade_no}/receipt.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace(" ", "")
    for expected in ("政务服务非税收入电子票据", order.receipt_number, "工本费", "¥25.00", "贰拾伍元整",
                     line.application.number):
        assert expected in text, expected
    other = UserFactory()
    client.force_login(other)
    assert client.get(f"/payments/orders/{order.out_trade_no}/receipt.pdf").status_code == 404


def test_a_notification_with_a_bad_signature_is_refused_and_the_query_task_settles_the_order(
        paysim, live_server, client, settings):
    line = fee_line(amount_fen=1000)
    paysim.control(notify="bad_signature")
    order = start(line, live_server)
    paysim.pay(order.out_trade_no)
    paysim.wait_until(lambda: paysim.stats()["notifications_refused"] >= 1, what="a refused notification")
    order.refresh_from_db()
    assert order.status == "created"
    assert PaymentNotification.objects.filter(outcome="bad_signature").exists()
    assert not PaymentNotification.objects.exclude(outcome="bad_signature").exists()

    # a forged notification posted straight to the callback changes nothing either
    forged = json.dumps({"out_trade_no": order.out_trade_no, "amount_fen": 1000, "status": "paid"}).encode()
    answer = client.post("/payments/notify/", forged, content_type="application/json",
                         headers={"X-Pay-Merchant": MERCHANT, "X-Pay-Key": KEY_ID, "X-Pay-Timestamp": "1",
                                  "X-Pay-Nonce": "00", "X-Pay-Signature": "0" * 64})
    assert answer.status_code == 401 and answer.json() == {"result": "fail"}
    order.refresh_from_db()
    assert order.status == "created"

    settings.PAYMENT_QUERY_AFTER_SECONDS = 0
    with mock.patch("payments.enqueue.query_order") as queued:
        assert tasks.query_unsettled_orders() == [order.pk]
    assert [c.args for c in queued.call_args_list] == [(order.pk,)]
    assert tasks.query_order(order.pk) is True
    assert tasks.query_order(order.pk) is True  # again: nothing more happens
    order.refresh_from_db()
    assert (order.status, order.settled_by) == ("paid", "query")
    assert CaseLog.objects.filter(application=line.application, action="payments.fee.paid").count() == 1
    assert tasks.query_unsettled_orders() == []


def test_a_payment_never_notified_is_settled_by_the_query_task(paysim, live_server, settings):
    line = fee_line(amount_fen=800)
    paysim.control(notify="never")
    order = start(line, live_server)
    settings.PAYMENT_QUERY_AFTER_SECONDS = 0
    with mock.patch("payments.enqueue.query_order"):
        assert tasks.query_unsettled_orders() == [order.pk]
    assert tasks.query_order(order.pk) is False  # not paid yet at the provider
    paysim.pay(order.out_trade_no)
    assert tasks.query_order(order.pk) is True
    line.refresh_from_db()
    assert line.status == "paid"
    assert paysim.stats()["notification_attempts"] == 0
    assert not PaymentNotification.objects.exists()


def test_reconciliation_lists_every_difference_and_a_refund_reconciles(paysim, live_server, client):
    today = timezone.localdate()
    line = fee_line(amount_fen=2500)
    order = start(line, live_server)
    paysim.pay(order.out_trade_no)
    paysim.wait_until(lambda: PaymentOrder.objects.get(pk=order.pk).status == "paid", what="settled")

    clean = services.reconcile(day=today)
    assert clean.differences == [] and clean.our_pay_fen == clean.provider_pay_fen == 2500

    paysim.plant(day=today.isoformat(), out_trade_no="TB-UNKNOWN-1", amount_fen=300)
    record = services.reconcile(day=today)
    assert [(d["kind"], d["out_trade_no"], d["ours_fen"], d["theirs_fen"]) for d in record.differences] == [
        ("missing_here", "TB-UNKNOWN-1", None, 300)]
    assert Reconciliation.objects.count() == 1  # the day's result is replaced, not added

    supervisor = SupervisorFactory()
    with pytest.raises(services.Invalid):
        services.refund(order_id=order.pk, actor=supervisor, reason=" ")
    refunded = services.refund(order_id=order.pk, actor=supervisor, reason="重复收费,依申请退还")
    assert (refunded.status, refunded.refunded_fen) == ("refunded", 2500)
    line.refresh_from_db()
    assert line.status == "refunded"
    record = services.reconcile(day=today)
    assert [d["out_trade_no"] for d in record.differences] == ["TB-UNKNOWN-1"]
    assert (record.our_refund_fen, record.provider_refund_fen) == (2500, 2500)

    client.force_login(supervisor)
    page = client.get("/payments/reconciliation/").content.decode()
    assert "TB-UNKNOWN-1" in page and "支付平台有收款记录,本系统没有" in page
    client.force_login(line.application.applicant)
    assert client.get("/payments/reconciliation/").status_code == 403
