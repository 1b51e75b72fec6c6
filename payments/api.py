"""缴费 over REST: my fee lines, paying one (the provider's pay address and QR text), an order's
state, a refund (supervisors, administrators) and the reconciliations. The provider's own
notification is not part of this API: it is `POST /payments/notify/` (docs/payment-protocol.md)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.errors import Forbidden

from . import selectors, services
from .models import FeeLine, PaymentOrder, Reconciliation


class OrderSerializer(serializers.ModelSerializer):
    fee = serializers.IntegerField(source="fee_line_id", allow_null=True, help_text="所缴费用(办件费用);缴水电燃气欠费时为空")
    bill = serializers.IntegerField(source="bill_id", allow_null=True, help_text="所缴水电燃气欠费;缴办件费用时为空")
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = PaymentOrder
        fields = ["out_trade_no", "fee", "bill", "amount_fen", "status", "pay_url", "created_at", "paid_at", "settled_by",
                  "receipt_number", "receipt_url", "refunded_fen", "refunded_at"]

    def get_receipt_url(self, obj) -> str | None:
        return f"/payments/orders/{obj.out_trade_no}/receipt.pdf" if obj.receipt_number else None


class FeeLineSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.number")
    orders = OrderSerializer(many=True, read_only=True)

    class Meta:
        model = FeeLine
        fields = ["id", "application", "name", "amount_fen", "legal_basis", "charge_at", "status", "created_at",
                  "paid_at", "orders"]


class PayAnswerSerializer(serializers.Serializer):
    out_trade_no = serializers.CharField()
    amount_fen = serializers.IntegerField()
    pay_url = serializers.URLField(help_text="支付平台收银台地址;也可将其生成二维码供手机扫码")


class RefundSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ReconciliationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reconciliation
        fields = ["day", "ran_at", "provider_pay_fen", "provider_refund_fen", "our_pay_fen", "our_refund_fen",
                  "differences"]


class FeeViewSet(viewsets.ReadOnlyModelViewSet):
    """我的应缴费用(金额单位:分)。"""

    serializer_class = FeeLineSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model's types
            return FeeLine.objects.none()
        return selectors.fee_lines_for(self.request.user)

    @extend_schema(request=None, responses=PayAnswerSerializer, summary="去缴费:生成(或取回)支付订单")
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        line = self.get_object()
        order = services.start_payment(fee_line_id=line.pk, user=request.user,
                                       return_url=request.build_absolute_uri("/payments/return/"))
        return Response({"out_trade_no": order.out_trade_no, "amount_fen": order.amount_fen, "pay_url": order.pay_url})


class PaymentOrderViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A payment order; asking for it also asks the provider when it is still unpaid here."""

    serializer_class = OrderSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "out_trade_no"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model's types
            return PaymentOrder.objects.none()
        return selectors.orders_for(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        order = self.get_object()
        if order.status == PaymentOrder.Status.CREATED and order.pay_url:
            services.query_order(order_id=order.pk)
            order.refresh_from_db()
        return Response(OrderSerializer(order).data)

    @extend_schema(request=RefundSerializer, responses=OrderSerializer, summary="全额退费(监督管理人员、系统管理员)")
    @action(detail=True, methods=["post"])
    def refund(self, request, out_trade_no=None):
        if not services.can_refund(request.user):
            raise Forbidden("只有监督管理人员或系统管理员可以办理退费。")
        order = selectors.access_order(request.user, out_trade_no)
        order = services.refund(order_id=order.pk, actor=request.user, reason=str(request.data.get("reason", "")))
        return Response(OrderSerializer(order).data)


class ReconciliationViewSet(viewsets.ReadOnlyModelViewSet):
    """每日对账结果及差异(监督管理人员、系统管理员)。"""

    serializer_class = ReconciliationSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "day"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model's types
            return Reconciliation.objects.none()
        if not services.can_refund(self.request.user):
            raise Forbidden("只有监督管理人员或系统管理员可以查看对账。")
        return selectors.reconciliations_for(self.request.user)
