from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors


class IsSupervisor(BasePermission):
    message = "只有督查人员可以查看效能监督数据。"

    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and (request.user.is_supervisor or request.user.is_superuser))


class DashboardView(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(
        summary="效能监督总览",
        responses=inline_serializer("Dashboard", {
            "departments": serializers.ListField(child=serializers.DictField()),
            "applications_by_state": serializers.DictField(),
            "on_time_rate": serializers.FloatField(allow_null=True),
            "cards": serializers.ListField(child=serializers.DictField()),
        }),
    )
    def get(self, request):
        data = selectors.dashboard()
        return Response({
            "departments": [{k: v for k, v in d.items() if k != "pk"} for d in data["departments"]],
            "applications_by_state": {state: n for state, _label, n in data["applications_by_state"]},
            "decided": data["decided"],
            "on_time": data["on_time"],
            "on_time_rate": data["on_time_rate"],
            "deemed_accepted": data["deemed_accepted"],
            "cards": [
                {"level": c.level, "application": c.subcase.application.number, "subcase": c.subcase.number, "matter": c.subcase.matter.name,
                 "department": c.subcase.department.name, "deadline": c.subcase.deadline, "reason": c.reason,
                 "opened_at": c.opened_at}
                for c in data["cards"]
            ],
        })
