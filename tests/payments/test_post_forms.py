"""The payments pages' POSTs parsed by Django forms (payments.forms): 立即对账 (a day that has begun)
and 退费 (the reason). A bad post shows a Chinese message, keeps what was typed and writes nothing;
a good post reconciles or refunds, with the sandbox provider running as its own process."""

import datetime as dt

from django.utils import timezone

from payments.models import PaymentOrder, Reconciliation
from tests.factories import SupervisorFactory

from .test_sandbox_payments import _calendar, fee_line, start  # noqa: F401 - its calendar fixture


def test_reconciliation_refuses_a_day_that_is_not_one_or_has_not_begun(client, transactional_db):
    client.force_login(SupervisorFactory())
    words = client.post("/payments/reconciliation/", {"day": "昨天"})
    html = words.content.decode()
    assert words.status_code == 400 and "请填写正确的对账日期" in html and 'value="昨天"' in html
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    future = client.post("/payments/reconciliation/", {"day": tomorrow})
    assert future.status_code == 400 and "不能对尚未到来的日期对账" in future.content.decode()
    assert f'value="{tomorrow}"' in future.content.decode()
    assert not Reconciliation.objects.exists()


def test_reconciliation_and_refund_on_the_page(paysim, live_server, client):
    line = fee_line()
    order = start(line, live_server)
    paysim.pay(order.out_trade_no)
    paysim.wait_until(lambda: PaymentOrder.objects.get(pk=order.pk).status == "paid", what="settled")
    client.force_login(SupervisorFactory())
    done = client.post("/payments/reconciliation/", {"day": timezone.localdate().isoformat()})
    assert done.status_code == 302 and Reconciliation.objects.get().day == timezone.localdate()

    url = f"/payments/orders/{order.out_trade_no}/refund/"
    long = client.post(url, {"reason": "退" * 201}, follow=True)
    assert "请填写退费原因(不超过200字)" in long.content.decode()
    assert PaymentOrder.objects.get(pk=order.pk).status == "paid"
    good = client.post(url, {"reason": "重复收费,依申请退还"})
    assert good.status_code == 302
    assert PaymentOrder.objects.get(pk=order.pk).status == "refunded"
