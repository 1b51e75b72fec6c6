from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import enterprise_by_credit_code
from core.errors import Invalid
from core.idempotency import idempotency_key, idempotent
from workflow.api import ApplicationDetailSerializer, resolve_matters
from workflow.selectors import access_application

from . import services


class ApplicantSerializer(serializers.Serializer):
    real_name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField(required=False, allow_blank=True, default="")


class WalkInSerializer(serializers.Serializer):
    applicant = ApplicantSerializer()
    agent = ApplicantSerializer(required=False, help_text="委托代办:到场的代办人;须持有申请人对全部事项的有效委托")
    theme = serializers.CharField(required=False, allow_blank=True)
    matters = serializers.ListField(child=serializers.CharField(), required=False)
    enterprise = serializers.CharField(required=False, allow_blank=True)
    form_data = serializers.JSONField()
    received = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                     help_text="窗口已核验原件的材料要求 id")
    accept = serializers.BooleanField(default=True, help_text="材料齐全时当场受理")


class WalkInView(APIView):
    @extend_schema(request=WalkInSerializer, responses={201: ApplicationDetailSerializer}, summary="窗口收件(同城通办)")
    @idempotent
    def post(self, request):
        payload = WalkInSerializer(data=request.data)
        if not payload.is_valid():
            raise Invalid(_("收件信息有误。"), code="invalid_walk_in",
                          fields={k: [str(v)] for k, v in payload.errors.items()})
        data = payload.validated_data
        theme, matters = resolve_matters(theme_code=data.get("theme", ""), matter_codes=data.get("matters", []))
        application = services.walk_in_register(
            clerk=request.user, applicant=data["applicant"], matters=matters, theme=theme,
            enterprise=enterprise_by_credit_code(data.get("enterprise")), form_data=data["form_data"],
            files=request.FILES, received=data["received"], accept_now=data["accept"],
            idempotency_key=idempotency_key(request), agent=data.get("agent"),
        )
        application = access_application(request.user, application.number)
        return Response(ApplicationDetailSerializer(application, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)
