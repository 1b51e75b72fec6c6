"""The electronic-licence store over REST: the holder's licences, the PDF (access-checked like
materials), and the public verification by number and printed code."""

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.digests import normalise_code
from core.errors import DomainError, Invalid, NotFound
from core.throttle import client_address

from . import selectors
from .models import ElectronicLicence, LicenceStatus
from .views import verify_throttle


class TooManyFailures(DomainError):
    status = 429
    default_code = "too_many_failures"


class LicenceSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name")
    matter = serializers.CharField(source="matter.code")
    status = serializers.SerializerMethodField(help_text="valid 有效,revoked 已注销,expired 已过期")
    verification_code = serializers.CharField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = ElectronicLicence
        fields = ["number", "name", "matter", "department", "holder_name", "holder_id_masked", "holder_birth_date",
                  "guardian_name", "application_number",
                  "issued_on", "valid_from", "valid_until", "status", "revoked_at", "revocation_reason",
                  "verification_code", "sha256", "url"]

    def get_status(self, obj) -> str:
        return obj.status_on(timezone.localdate())

    def get_url(self, obj) -> str:
        return reverse("api-licence-file", args=[obj.number])


class LicenceVerificationSerializer(serializers.Serializer):
    number = serializers.CharField()
    name = serializers.CharField()
    holder = serializers.CharField(help_text="持证人(脱敏)")
    holder_id = serializers.CharField(help_text="证件号码(脱敏;尚无证件号码的持证人,如新生儿,为空)")
    holder_birth_date = serializers.DateField(allow_null=True, help_text="持证人出生日期(无证件号码时)")
    guardian = serializers.CharField(help_text="监护人(脱敏;持证人非申请人时)")
    department = serializers.CharField()
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=LicenceStatus.choices)
    status_display = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField()
    verification_code = serializers.CharField()


class LicenceViewSet(viewsets.GenericViewSet):
    lookup_field = "number"
    lookup_value_regex = r"[0-9A-Z-]+"
    serializer_class = LicenceSerializer

    def get_queryset(self):
        return selectors.licences_for(self.request.user)

    @extend_schema(responses=LicenceSerializer(many=True), summary="我的电子证照(持证人;审批人员:本部门签发;督查人员:全部)")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset().order_by("-pk"))
        return self.get_paginated_response(LicenceSerializer(page, many=True).data)

    @extend_schema(summary="电子证照详情")
    def retrieve(self, request, number=None):
        return Response(LicenceSerializer(selectors.access_licence(request.user, number)).data)

    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="下载电子证照 PDF")
    @action(detail=True, methods=["get"], url_path="file", url_name="file")
    def file(self, request, number=None):
        licence = selectors.access_licence(request.user, number)
        return FileResponse(licence.file.open("rb"), content_type="application/pdf", filename=f"{licence.number}.pdf")


class LicenceVerifyView(APIView):
    """Public: anyone holding a licence checks it by its number and the printed code."""

    permission_classes = [AllowAny]
    authentication_classes = []
    error_statuses = ("429",)  # wrong codes from one client are counted (portal/api_schema.py)

    @extend_schema(
        parameters=[OpenApiParameter("number", str, required=True, description="证照编号"),
                    OpenApiParameter("code", str, required=True, description="16位核验码,可带短横线")],
        responses=LicenceVerificationSerializer, summary="电子证照核验(公开)",
    )
    def get(self, request):
        number = request.query_params.get("number", "").strip().upper()[:32]
        code = normalise_code(request.query_params.get("code", ""))
        if not number or code is None:
            raise Invalid(_("请输入证照编号和16位核验码。"), code="invalid_verification",
                          fields={"code": [_("核验码为16位数字或字母A至F。")]})
        client = client_address(request)
        if verify_throttle.blocked(c=client):
            raise TooManyFailures(_("核验失败次数过多,请一小时后再试,或拨打 12345 热线咨询。"))
        licence = selectors.verify_licence(number, code)
        if licence is None:
            verify_throttle.fail(c=client)
            raise NotFound(_("未查到与该证照编号和核验码相符的电子证照。"), code="licence_not_found")
        return Response(LicenceVerificationSerializer(selectors.public_facts(licence, timezone.localdate())).data)
