"""The mobile app's registration for pushed notices (the app channel of notifications): the
signed-in person's devices, listed, registered (or renewed) by push token, and removed."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound

from . import services
from .models import AppDevice


class AppDeviceSerializer(serializers.ModelSerializer):
    token = serializers.CharField(max_length=200, min_length=16, write_only=True,
                                  help_text="推送平台发给本机 App 的推送令牌")

    class Meta:
        model = AppDevice
        fields = ["id", "token", "platform", "name", "registered_at"]
        read_only_fields = ["id", "registered_at"]
        extra_kwargs = {"name": {"help_text": "用户可辨认的设备名称,如“我的手机”"}}


class AppDeviceListView(APIView):
    @extend_schema(responses=AppDeviceSerializer(many=True), summary="我的手机App设备(接收推送)")
    def get(self, request):
        devices = AppDevice.objects.filter(user=request.user)
        return Response(AppDeviceSerializer(devices, many=True).data)

    @extend_schema(
        request=AppDeviceSerializer, responses={201: AppDeviceSerializer}, summary="登记本机App接收推送",
        description="App 登录后登记推送令牌;同一令牌再次登记时更新(若曾属他人,改归当前用户)。",
        examples=[OpenApiExample("安卓", request_only=True,
                                 value={"token": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "platform": "android",
                                        "name": "我的手机"})],
    )
    def post(self, request):
        payload = AppDeviceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        device = services.register_device(user=request.user, **payload.validated_data)
        return Response(AppDeviceSerializer(device).data, status=status.HTTP_201_CREATED)


class AppDeviceView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="移除App设备(不再推送)")
    def delete(self, request, device_id):
        if not services.remove_device(user=request.user, device_id=device_id):
            raise NotFound(_("未找到该设备。"), code="device_not_found")
        return Response(status=status.HTTP_204_NO_CONTENT)
