from django.contrib.auth import authenticate, user_logged_out
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError, Invalid

from . import guards, services
from .security import otp_failed, requires_otp, totp_device
from .tokens import TokenAuthentication, delete_expired_tokens


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(style={"input_type": "password"}, max_length=256)
    otp_token = serializers.CharField(required=False, allow_blank=True, max_length=6,
                                      help_text="工作人员必填:身份验证器上的6位动态口令。")


class UserSerializer(serializers.Serializer):
    username = serializers.CharField()
    real_name = serializers.CharField()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    id_number = serializers.CharField(source="masked_id_number")
    phone = serializers.CharField(source="masked_phone")
    department = serializers.CharField(source="department.name", default=None, allow_null=True)


class TokenView(APIView):
    """A new token per sign-in (django-rest-knox): valid 8 hours, stored as a digest, deleted by
    POST /api/auth/logout/. Five failures per account or per client lock both out for 15 minutes
    (django-axes answers 429 `locked_out`); staff add their TOTP code."""

    permission_classes = [AllowAny]
    authentication_classes = []
    error_statuses = ("429",)  # django-axes: locked out (portal/api_schema.py)

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {
            "token": serializers.CharField(), "expiry": serializers.DateTimeField(), "user": UserSerializer()}),
        summary="用用户名和密码换取接口令牌",
        description="之后的请求带上请求头 `Authorization: Token <token>`。令牌8小时后失效,退出时作废。",
    )
    def post(self, request):
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        http_request = request._request  # django-axes marks and counts on the Django request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise DomainError(_("用户名或密码不正确。"), code="invalid_credentials")
        if requires_otp(user) and totp_device(user, data.get("otp_token", "")) is None:
            otp_failed(http_request, data["username"])
            raise DomainError(_("工作人员须提供身份验证器上的6位动态口令;口令不正确或已过期。"), code="otp_required",
                              fields={"otp_token": [_("请填写6位动态口令。")]})
        delete_expired_tokens(user)
        instance, token = AuthToken.objects.create(user)
        return Response({"token": token, "expiry": instance.expiry, "user": UserSerializer(user).data})


class TokenLogoutView(APIView):
    """Sign-out for API clients: the token used for this request stops working at once."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None}, summary="退出:作废当前接口令牌")
    def post(self, request):
        request._auth.delete()
        user_logged_out.send(sender=request.user.__class__, request=request._request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignUpSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    real_name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField(required=False, allow_blank=True, default="")


class SignUpView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    error_statuses = ("429",)  # accounts.guards: too many attempts (portal/api_schema.py)

    @extend_schema(request=SignUpSerializer, responses={201: UserSerializer}, summary="实名注册(自然人)")
    def post(self, request):
        payload = SignUpSerializer(data=request.data)
        if not payload.is_valid():
            raise Invalid(_("注册信息有误,请按提示修改。"), code="invalid_sign_up",
                          fields={k: [str(m) for m in v] for k, v in payload.errors.items()})
        id_number = payload.validated_data["id_number"]
        user = guards.guarded(request, id_number, lambda: services.user_sign_up(**payload.validated_data))
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(responses=UserSerializer, summary="当前用户")
    def get(self, request):
        return Response(UserSerializer(request.user).data)
