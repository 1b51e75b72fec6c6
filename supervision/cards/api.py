"""Supervision over REST: the red and yellow cards with their contest (by the responsible department) and ruling (by a supervisor).

Every action: validate input → one `access_*` → one service → serialize.
"""


from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Invalid, NotFound
from core.idempotency import idempotent
from core.numbers import is_small_int
from core.uploads import file_response
from supervision.scope.districts import scope_of

from . import selectors, services
from .models import Card
from .selectors import evidence_url


class IsSupervisor(BasePermission):
    message = "只有督查人员可以查看效能监督数据。"

    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and (request.user.is_supervisor or request.user.is_superuser))


class IsStaff(BasePermission):
    """Cards concern the windows, the departments and the supervisors, not the public."""

    message = "只有工作人员可以查看红黄牌。"

    def has_permission(self, request, view):
        user = request.user
        return bool(user.is_authenticated and (user.is_superuser or user.is_clerk or user.is_reviewer
                                               or user.is_supervisor))


class LiveCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.CharField(help_text="red 红牌 | yellow 黄牌")
    level_label = serializers.CharField()
    trigger = serializers.CharField()
    trigger_label = serializers.CharField()
    number = serializers.CharField(help_text="子件或办件编号")
    title = serializers.CharField(help_text="事项或办件名称")
    department = serializers.CharField(allow_null=True)
    due = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    opened_at = serializers.CharField(help_text="亮牌时间(北京时间,YYYY-MM-DD HH:MM)")
    url = serializers.CharField()
    application_url = serializers.CharField()


class LiveCardsSerializer(serializers.Serializer):
    cards = LiveCardSerializer(many=True)
    last_id = serializers.IntegerField()


LIVE_CARDS_LIMIT = 50


class LiveCardsView(APIView):
    """Cards opened after a given id and still open, newest first (at most 50): the dashboard
    polls this every few seconds and puts them on top of its list without reloading."""

    permission_classes = [IsSupervisor]

    @extend_schema(
        summary="新亮红黄牌(实时)",
        parameters=[OpenApiParameter("after", int, description="页面上最新一张牌的 id;只返回其后新亮的牌")],
        responses=LiveCardsSerializer,
    )
    def get(self, request):
        after = request.query_params.get("after", "0")
        if not is_small_int(after):
            raise Invalid(_("after 应为整数。"), code="invalid_after", fields={"after": [_("应为整数。")]})
        cards = list(selectors.cards_opened_after(int(after), limit=LIVE_CARDS_LIMIT, scope=scope_of(request.user)))
        last_id = max([int(after), *[c.pk for c in cards]])
        return Response(LiveCardsSerializer({"cards": [{
            "id": c.pk, "level": c.level, "level_label": c.get_level_display(), "trigger": c.trigger,
            "trigger_label": c.get_trigger_display(),
            "number": c.target_number, "title": c.target_title,
            "department": c.responsible, "due": c.due, "reason": c.reason,
            "opened_at": timezone.localtime(c.opened_at).strftime("%Y-%m-%d %H:%M"),
            "url": reverse("portal:card", args=[c.pk]),
            "application_url": c.target_url,  # the case, follow-up or complaint the card is about
        } for c in cards], "last_id": last_id}).data)


# --- cards ----------------------------------------------------------------------------------------


class CardSerializer(serializers.ModelSerializer):
    # A plain string: Matter's "level" (区级/镇级/村级) already names the schema's LevelEnum.
    level = serializers.CharField(help_text="red 红牌 | yellow 黄牌")
    application = serializers.CharField(source="application.number", default=None, allow_null=True)
    followup = serializers.IntegerField(source="followup_id", default=None, allow_null=True, help_text="差评整改 id(事由 followup)")
    complaint = serializers.IntegerField(source="complaint_id", default=None, allow_null=True, help_text="投诉 id(事由 complaint)")
    subcase = serializers.CharField(source="subcase.number", default=None, allow_null=True)
    matter = serializers.CharField(source="subcase.matter.name", default=None, allow_null=True)
    department = serializers.CharField(source="department.name", default=None, allow_null=True)
    level_display = serializers.CharField(source="get_level_display")
    trigger_display = serializers.CharField(source="get_trigger_display")
    review_display = serializers.CharField(source="get_review_display")
    policy_version = serializers.IntegerField(source="policy.version", default=None, allow_null=True)
    contest = serializers.SerializerMethodField()

    class Meta:
        model = Card
        fields = ["id", "level", "level_display", "trigger", "trigger_display", "application", "subcase", "followup",
                  "complaint", "matter",
                  "department", "due", "limit_days", "warn_days", "remaining_days", "reason", "policy_version",
                  "opened_at", "closed_at", "close_reason", "review", "review_display", "review_reason",
                  "reviewed_at", "contest"]

    def get_contest(self, obj) -> dict | None:
        contest = getattr(obj, "contest", None)
        if contest is None:
            return None
        return {"statement": contest.statement, "contested_at": contest.contested_at,
                "contested_by": contest.contested_by.real_name,
                "evidence": {"name": contest.evidence_name, "size": contest.evidence_size,
                             "sha256": contest.evidence_sha256, "url": evidence_url(obj)} if contest.evidence else None}


class ContestSerializer(serializers.Serializer):
    statement = serializers.CharField(help_text="申诉理由")
    evidence = serializers.FileField(required=False, allow_null=True, help_text="证明材料(PDF、JPG、PNG),可选")


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("uphold", "维持"), ("void", "撤销")])
    reason = serializers.CharField(help_text="裁定理由")


class CardViewSet(viewsets.GenericViewSet):
    """Red and yellow cards. Supervisors see all; a department's reviewers those on its
    sub-cases; window clerks those on applications' own steps."""

    permission_classes = [IsStaff]
    serializer_class = CardSerializer

    def get_queryset(self):
        return selectors.cards_for(self.request.user)

    def _detail(self, card):
        return Response(CardSerializer(selectors.access_card(self.request.user, card.pk)).data)

    @extend_schema(
        summary="红黄牌列表",
        parameters=[
            OpenApiParameter("state", str, enum=["open", "closed", "all"], description="默认 open(未撤牌)"),
            OpenApiParameter("level", str, enum=Card.Level.values),
            OpenApiParameter("trigger", str, enum=Card.Trigger.values),
            OpenApiParameter("review", str, enum=["none", *[v for v in Card.Review.values if v]]),
            OpenApiParameter("department", int, description="责任部门 id(督查人员)"),
            OpenApiParameter("number", str, description="办件或子件编号"),
        ],
        responses=CardSerializer(many=True),
    )
    def list(self, request):
        params = request.query_params
        state = params.get("state", "open")
        live = selectors.live_cards(request.user) if state == "open" else None  # a clerk's, by id
        qs = selectors.filter_cards(
            live.rows(selectors.API_LIST) if live else selectors.cards_for(request.user, shape=selectors.API_LIST),
            state=state, level=params.get("level", ""),
            trigger=params.get("trigger", ""), review=params.get("review", ""),
            department=params.get("department", ""), number=params.get("number", ""),
        )
        page = self.paginate_queryset(qs.order_by("-pk"))
        return self.get_paginated_response(CardSerializer(page, many=True).data)

    @extend_schema(summary="红黄牌详情")
    def retrieve(self, request, pk=None):
        return Response(CardSerializer(selectors.access_card(request.user, pk)).data)

    @extend_schema(
        request={"multipart/form-data": ContestSerializer, "application/json": ContestSerializer},
        responses=CardSerializer, summary="申诉(责任部门)",
        description="子件的牌由承办部门的审批人员申诉,办件环节(预审、受理、补正)的牌由综合窗口人员申诉。"
        "证明材料以 multipart 字段 evidence 上传,只对督查人员和责任部门提供下载。",
        examples=[OpenApiExample("申诉", value={"statement": "申请人书面申请暂缓办理,期间不应计时。"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def contest(self, request, pk=None):
        payload = ContestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        card = selectors.access_card(request.user, pk)
        services.card_contest(card=card, user=request.user, statement=payload.validated_data["statement"],
                              evidence=payload.validated_data.get("evidence"))
        return self._detail(card)

    @extend_schema(request=DecideSerializer, responses=CardSerializer, summary="裁定(督查人员):维持或撤销",
                   description="撤销的牌立即撤牌并注明理由,不计入任何统计。")
    @action(detail=True, methods=["post"])
    @idempotent
    def decide(self, request, pk=None):
        payload = DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        card = selectors.access_card(request.user, pk)
        services.card_decide(card=card, supervisor=request.user, uphold=payload.validated_data["decision"] == "uphold",
                             reason=payload.validated_data["reason"])
        return self._detail(card)

    @extend_schema(responses={(200, "application/octet-stream"): bytes}, summary="下载申诉证明材料")
    @action(detail=True, methods=["get"], url_path="evidence", url_name="evidence")
    def evidence(self, request, pk=None):
        card = selectors.access_card(request.user, pk)
        contest = getattr(card, "contest", None)
        if contest is None or not contest.evidence:
            raise NotFound(_("该红黄牌没有证明材料。"), code="evidence_not_found")
        return file_response(contest.evidence, filename=contest.evidence_name or "证明材料", inline=True)
