"""中介超市 over REST: the public directory of intermediaries and the public demands with their
results (the draw's seed only after the draw, prices only after the selection); an intermediary's
staff bid through `POST /api/market/demands/{number}/bids/`. Money in fen."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from core.errors import NotFound
from core.idempotency import idempotent

from . import selectors, services
from .models import Bid, Demand, Intermediary, Qualification, ServiceItem, StaffMember


class QualificationSerializer(serializers.ModelSerializer):
    service_item = serializers.CharField(source="service_item.code")

    class Meta:
        model = Qualification
        fields = ["service_item", "name", "level", "scope", "certificate_number", "issuer", "valid_from", "valid_until"]


class StaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffMember
        fields = ["name", "certificate_name", "certificate_number", "valid_until"]


class IntermediarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    contact_phone = serializers.CharField()
    address = serializers.CharField()
    credit_score = serializers.SerializerMethodField(help_text="信用分:100 − 10×逾期 − 10×差评 − 20×黑名单记录 − 10×属实投诉")
    blacklisted_until = serializers.SerializerMethodField()
    qualifications = QualificationSerializer(many=True)
    staff = StaffSerializer(many=True)

    def _standing(self, obj):
        if not hasattr(obj, "_standing"):
            obj._standing = selectors.standing(obj)
        return obj._standing

    def get_credit_score(self, obj) -> int:
        return self._standing(obj).score

    def get_blacklisted_until(self, obj) -> str | None:
        until = self._standing(obj).blacklisted_until
        return until.isoformat() if until else None


class BidSerializer(serializers.ModelSerializer):
    intermediary = serializers.CharField(source="intermediary.name")
    credit_code = serializers.CharField(source="intermediary.credit_code")
    price_fen = serializers.SerializerMethodField()

    class Meta:
        model = Bid
        fields = ["intermediary", "credit_code", "price_fen", "days", "score", "submitted_at"]

    def get_price_fen(self, obj) -> int | None:
        """Hidden while bidding is open."""
        return None if obj.demand.state == Demand.State.OPEN else obj.price_fen


class DemandSerializer(serializers.ModelSerializer):
    service_item = serializers.CharField(source="service_item.code")
    owner = serializers.CharField(source="owner_name")
    matter = serializers.CharField(source="matter.code", default=None)
    winner = serializers.CharField(source="winning_bid.intermediary.credit_code", default=None)
    seed = serializers.SerializerMethodField(help_text="公开于随机抽取之后")
    bids = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "number",
            "title",
            "service_item",
            "matter",
            "owner",
            "scope",
            "budget_ceiling_fen",
            "bid_deadline",
            "service_days",
            "method",
            "state",
            "posted_at",
            "seed_commitment",
            "seed",
            "draw_list",
            "draw_digest",
            "draw_index",
            "winner",
            "result_note",
            "excluded",
            "selected_at",
            "bids",
        ]

    def get_seed(self, obj) -> str | None:
        return obj.seed if obj.draw_digest else None

    def get_bids(self, obj) -> list[dict]:
        if not self.context.get("detail"):
            return []
        return BidSerializer(selectors.bids_of(obj), many=True).data


class BidInSerializer(serializers.Serializer):
    intermediary = serializers.IntegerField(help_text="中介机构编号(本人为其经办人)")
    price_fen = serializers.IntegerField(min_value=1)
    days = serializers.IntegerField(min_value=1, max_value=365)
    note = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class IntermediaryViewSet(viewsets.ReadOnlyModelViewSet):
    """中介机构名录(公开)。"""

    serializer_class = IntermediarySerializer
    permission_classes = [AllowAny]
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model's types
            return Intermediary.objects.none()
        item = ServiceItem.objects.filter(code=self.request.query_params.get("item", "")[:32]).first()
        return selectors.directory(service_item=item, q=self.request.query_params.get("q", "")[:64]).prefetch_related(
            "staff"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("item", str, description="服务事项代码,如 CH"),
            OpenApiParameter("q", str, description="名称或统一社会信用代码"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class DemandViewSet(viewsets.ReadOnlyModelViewSet):
    """中介服务项目公告与结果(公开)。"""

    serializer_class = DemandSerializer
    permission_classes = [AllowAny]
    lookup_field = "number"
    lookup_value_regex = "ZJ[0-9]{4,20}"

    def get_queryset(self):
        state = self.request.query_params.get("state", "")
        return selectors.public_demands(state=state if state in Demand.State.values else "")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "detail": self.action == "retrieve"}

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=Demand.State.values)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=BidInSerializer, responses={201: BidSerializer}, summary="报名(中介机构经办人)")
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    @idempotent
    def bids(self, request, number=None):
        demand = self.get_object()
        data = BidInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intermediary = selectors.intermediaries_of(request.user).filter(pk=data.validated_data["intermediary"]).first()
        if intermediary is None:
            raise NotFound("未找到您所属的该中介机构。")
        bid = services.bid_submit(
            user=request.user,
            demand=demand,
            intermediary=intermediary,
            price_fen=data.validated_data["price_fen"],
            days=data.validated_data["days"],
            note=data.validated_data["note"],
        )
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)
