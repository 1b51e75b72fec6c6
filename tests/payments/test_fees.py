"""Fee items of matters: shown on the guide, made into fee lines when the matter says, and a
result is not handed out while a fee due before delivery is unpaid."""

from unittest import mock

import pytest
from django.core.cache import cache

from core.errors import Conflict
from matters.models import FeeItem
from payments import services
from payments.models import FeeLine
from tests.factories import (
    ClerkFactory,
    HallFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    submitted_application,
)
from windows.models import Window
from workflow import services as workflow_services
from workflow.calendar_store import seed_calendar
from workflow.models import Application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])
    cache.clear()


def test_the_guide_lists_the_fee_items(client):
    matter = MatterFactory(name="建筑工程施工许可")
    FeeItem.objects.create(matter=matter, name="证照工本费", amount_fen=1050, legal_basis="粤价〔2026〕1号",
                           charge_at=FeeItem.ChargeAt.DELIVERY)
    page = client.get(f"/guide/matters/{matter.code}/").content.decode()
    assert "证照工本费:10.50 元(出件前缴纳;依据粤价〔2026〕1号)" in page


def test_a_result_is_not_handed_out_while_a_fee_due_before_delivery_is_unpaid():
    hall = HallFactory()
    clerk = ClerkFactory(window__hall=hall)
    delivery = ClerkFactory(window__hall=hall, window__category=Window.Category.DELIVERY, window__name="综合出件窗口")
    matter = MatterFactory(name="建筑工程施工许可")
    FeeItem.objects.create(matter=matter, name="受理费", amount_fen=500, legal_basis="依据一",
                           charge_at=FeeItem.ChargeAt.ACCEPTANCE)
    FeeItem.objects.create(matter=matter, name="证照工本费", amount_fen=1000, legal_basis="依据二",
                           charge_at=FeeItem.ChargeAt.DELIVERY)
    citizen = UserFactory()
    application = workflow_services.application_accept(
        application=submitted_application(applicant=citizen, matters=[matter]), clerk=clerk)
    assert list(FeeLine.objects.values_list("name", "amount_fen")) == [("受理费", 500)]
    workflow_services.dispatch_subcases(application_id=application.pk)
    for subcase in application.subcases.all():
        workflow_services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department),
                                         approve=True, reason="")
    with mock.patch("workflow.documents.generate_notice"):
        workflow_services.prepare_result(application_id=application.pk)
    assert sorted(FeeLine.objects.values_list("name", flat=True)) == ["受理费", "证照工本费"]

    with pytest.raises(Conflict) as refused:
        workflow_services.application_deliver(application=application, clerk=delivery, id_number=citizen.id_number)
    assert refused.value.code == "fee_unpaid"
    assert "证照工本费(10.00 元)" in refused.value.message and "合计 15.00 元" in refused.value.message
    assert Application.objects.get(pk=application.pk).state == "result_ready"

    # paid (as the provider's notification would settle them): the result goes out
    for line in FeeLine.objects.all():
        order = line.orders.create(out_trade_no=f"TBTEST{line.pk}", amount_fen=line.amount_fen)
        assert services.settle_paid(out_trade_no=order.out_trade_no, amount_fen=line.amount_fen,
                                    provider_order_id="P1", paid_at="2026-03-02T10:00:00+08:00",
                                    source="notification") == "settled"
    delivered = workflow_services.application_deliver(application=application, clerk=delivery,
                                                      id_number=citizen.id_number)
    assert delivered.state == "delivered"


def test_the_api_schema_describes_the_fee_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/fees/", "/api/fees/{id}/pay/", "/api/payment-orders/{out_trade_no}/",
            "/api/payment-orders/{out_trade_no}/refund/", "/api/reconciliations/"} <= set(schema["paths"])
