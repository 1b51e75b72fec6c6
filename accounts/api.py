from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError, Invalid

from . import services


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class UserSerializer(serializers.Serializer):
    username = serializers.CharField()
    real_name = serializers.CharField()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")
    id_number = serializers.CharField(source="masked_id_number")
    phone = serializers.CharField(source="masked_phone")
    department = serializers.CharField(source="department.name", default=None)


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        request=TokenRequestSerializer,
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField(), "user": UserSerializer()}),
        summary="用用户名和密码换取接口令牌",
        description="之后的请求带上请求头 `Authorization: Token <token>`。",
    )
    def post(self, request):
        payload = TokenRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(request, **payload.validated_data)
        if user is None or not user.is_active:
            raise DomainError(_("用户名或密码不正确。"), code="invalid_credentials")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "user": UserSerializer(user).data})


class SignUpSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    real_name = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField(required=False, allow_blank=True, default="")


class SignUpView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=SignUpSerializer, responses={201: UserSerializer}, summary="实名注册(自然人)")
    def post(self, request):
        payload = SignUpSerializer(data=request.data)
        if not payload.is_valid():
            raise Invalid(_("注册信息有误,请按提示修改。"), code="invalid_sign_up",
                          fields={k: [str(m) for m in v] for k, v in payload.errors.items()})
        user = services.user_sign_up(**payload.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class MeView(APIView):
    @extend_schema(responses=UserSerializer, summary="当前用户")
    def get(self, request):
        return Response(UserSerializer(request.user).data)
