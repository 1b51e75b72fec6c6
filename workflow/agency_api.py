"""委托代办 over REST: grant, list, revoke. Submitting as an agent goes through the existing
`POST /api/applications/` with `on_behalf` (the authorisation's id); the service re-checks it."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts import selectors as people
from accounts import services as accounts_services
from accounts.models import AgentAuthorisation
from accounts.selectors import enterprise_by_credit_code
from core.errors import Forbidden, Invalid, NotFound
from core.idempotency import idempotent
from core.numbers import is_small_int
from matters.models import Matter

from . import hooks


class AgentAuthorisationSerializer(serializers.ModelSerializer):
    principal = serializers.CharField(source="principal.real_name")
    enterprise = serializers.CharField(source="enterprise.name", default=None, allow_null=True)
    agent = serializers.CharField(source="agent.real_name")
    agent_id_number = serializers.CharField(source="agent.masked_id_number")
    matters = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(help_text="valid 有效 / pending 未生效 / expired 已过期 / revoked 已撤销")

    class Meta:
        model = AgentAuthorisation
        fields = ["id", "principal", "enterprise", "agent", "agent_id_number", "matters", "starts_on", "ends_on",
                  "status", "recorded_at", "created_at", "revoked_at", "revoke_reason", "note"]

    def get_matters(self, obj) -> list[dict]:
        return [{"code": m.code, "name": m.name} for m in obj.matters.all()]

    def get_status(self, obj) -> str:
        return obj.status_on(timezone.localdate())


class PersonSerializer(serializers.Serializer):
    real_name = serializers.CharField()
    id_number = serializers.CharField()


class GrantSerializer(serializers.Serializer):
    agent_name = serializers.CharField()
    agent_id_number = serializers.CharField()
    matters = serializers.ListField(child=serializers.CharField(), help_text="事项实施编码列表")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    enterprise = serializers.CharField(required=False, allow_blank=True, help_text="以企业名义委托时的统一社会信用代码")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    principal = PersonSerializer(required=False, help_text="窗口登记时:到场的委托人")
    letter_checked = serializers.BooleanField(default=False, help_text="窗口登记时:已核验授权委托书原件")


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _principal_at_window(data):
    person = data.get("principal")
    if not person:
        return None
    return people.person_at_window(real_name=person["real_name"], id_number=person["id_number"], field="principal",
                                   code="principal_not_found", message=_("未找到该委托人,或姓名与身份证号码不一致。"))


class AgentAuthorisationViewSet(viewsets.GenericViewSet):
    serializer_class = AgentAuthorisationSerializer
    queryset = AgentAuthorisation.objects.none()  # the schema's path type; reads go through _visible
    lookup_value_regex = r"\d+"

    def _visible(self, request):
        user = request.user
        if user.is_public or user.is_clerk:
            # At the window: the authorisations between the two people in front of the clerk.
            return people.authorisations_for(user, principal_id_number=request.query_params.get("principal", ""),
                                             agent_id_number=request.query_params.get("agent", ""))
        raise Forbidden(_("委托代办记录仅限委托人、代办人和窗口人员查看。"), code="not_allowed")

    @extend_schema(
        summary="我的委托代办(委托人与代办人);窗口人员按双方身份证号码查验",
        parameters=[OpenApiParameter("principal", description="窗口人员:委托人身份证号码"),
                    OpenApiParameter("agent", description="窗口人员:代办人身份证号码")],
        responses=AgentAuthorisationSerializer(many=True),
    )
    def list(self, request):
        qs = self._visible(request).select_related("principal", "enterprise", "agent").prefetch_related("matters")
        page = self.paginate_queryset(qs.order_by("-pk"))
        return self.get_paginated_response(AgentAuthorisationSerializer(page, many=True).data)

    @extend_schema(
        request=GrantSerializer, responses={201: AgentAuthorisationSerializer}, summary="登记委托代办",
        description="委托人网上登记;或窗口人员在委托人到场、核验授权委托书后登记(principal、letter_checked)。",
        examples=[OpenApiExample("委托亲属", request_only=True, value={
            "agent_name": "张伟", "agent_id_number": "441803198805061234", "matters": ["441803-XK-0001"],
            "starts_on": "2026-12-01", "ends_on": "2027-11-30", "note": "本人长期在外务工"})],
    )
    @idempotent
    def create(self, request):
        payload = GrantSerializer(data=request.data)
        if not payload.is_valid():
            raise Invalid(_("委托信息有误,请按提示修改。"), code="invalid_authorisation",
                          fields={k: [str(m) for m in v] if isinstance(v, list) else [str(v)]
                                  for k, v in payload.errors.items()})
        data = payload.validated_data
        codes = list(dict.fromkeys(data["matters"]))
        matters = list(Matter.objects.filter(code__in=codes))
        if len(matters) != len(codes):
            raise Invalid(_("请选择有效的事项。"), code="matter_not_found", fields={"matters": [_("事项不存在。")]})
        grant = accounts_services.authorisation_grant(
            by=request.user, principal=_principal_at_window(data) if request.user.is_clerk else None,
            enterprise=enterprise_by_credit_code(data.get("enterprise")), agent_name=data["agent_name"],
            agent_id_number=data["agent_id_number"], matters=matters, starts_on=data["starts_on"],
            ends_on=data["ends_on"], letter_checked=data["letter_checked"], note=data["note"],
        )
        return Response(AgentAuthorisationSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevokeSerializer, responses=AgentAuthorisationSerializer, summary="撤销委托")
    @action(detail=True, methods=["post"])
    @idempotent
    def revoke(self, request, pk=None):
        grant = self._visible(request).filter(pk=pk).first() if is_small_int(str(pk)) else None
        if (grant is None and request.user.is_clerk and is_small_int(str(pk))
                and hooks.desk_for(request.user, timezone.localdate()) is not None):
            grant = AgentAuthorisation.objects.filter(pk=pk).first()  # a revocation brought to her window
        if grant is None:
            raise NotFound(_("未找到该委托。"), code="authorisation_not_found")
        payload = RevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        grant = accounts_services.authorisation_revoke(authorisation=grant, by=request.user,
                                                       reason=payload.validated_data["reason"])
        return Response(AgentAuthorisationSerializer(grant).data)
