from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import FormField, MaterialRequirement, Matter, Target, Theme
from .oneform import form_fields
from .selectors import active_themes, matter_by_code, search_matters, theme_by_code, theme_matters


class MaterialSerializer(serializers.ModelSerializer):
    source_display = serializers.CharField(source="get_source_display")
    form_display = serializers.CharField(source="get_form_display")

    class Meta:
        model = MaterialRequirement
        fields = ["id", "name", "form", "form_display", "copies", "required", "source", "source_display", "note"]


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = FormField
        fields = ["key", "label", "type", "required", "choices", "help_text"]


class MatterListSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name")
    kind_display = serializers.CharField(source="get_kind_display")
    target_display = serializers.CharField(source="get_target_display")

    class Meta:
        model = Matter
        fields = ["code", "name", "kind", "kind_display", "department", "target", "target_display", "level",
                  "promised_days", "legal_days", "online_depth", "visits", "fee_fen"]


class MatterDetailSerializer(MatterListSerializer):
    materials = MaterialSerializer(many=True)
    fields = FieldSerializer(many=True)

    class Meta(MatterListSerializer.Meta):
        fields = MatterListSerializer.Meta.fields + [
            "basic_code", "legal_basis", "conditions", "fee_basis", "citywide", "result_name", "phone",
            "complaint_phone", "version", "published_on", "materials", "fields",
        ]


class ThemeSerializer(serializers.ModelSerializer):
    matters = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField()

    class Meta:
        model = Theme
        fields = ["code", "name", "target", "description", "matters", "form"]

    def get_matters(self, obj) -> list[dict]:
        return MatterDetailSerializer(theme_matters(obj), many=True).data

    def get_form(self, obj) -> list[dict]:
        return FieldSerializer(form_fields(theme_matters(obj)), many=True).data


class CatalogPagination(PageNumberPagination):
    page_size = 50


class MatterListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="事项名称、拼音首字母(yyzz)、全拼(yingye)或编码;按匹配程度排序"),
            OpenApiParameter("target", str, enum=Target.values),
            OpenApiParameter("department", str, description="部门代码"),
            OpenApiParameter("level", str, enum=Matter.Level.values),
            OpenApiParameter("theme", str, description="主题代码"),
            OpenApiParameter("page", int, description="页码,从1开始"),
        ],
        # the answer is a page (count, next, previous, results), not a bare array
        responses=inline_serializer("PaginatedMatterListList", {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": MatterListSerializer(many=True),
        }), summary="事项目录", operation_id="matters_list",
    )
    def get(self, request):
        params = request.query_params
        qs = search_matters(
            q=params.get("q", "").strip()[:64], target=_choice(params.get("target", ""), Target.values),
            department=params.get("department", "").strip(), level=_choice(params.get("level", ""), Matter.Level.values),
            theme=params.get("theme", "").strip(),
        )
        paginator = CatalogPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(MatterListSerializer(page, many=True).data)


def _choice(value: str, allowed) -> str:
    return value if value in allowed else ""


class MatterDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=MatterDetailSerializer, summary="办事指南")
    def get(self, request, code):
        matter = matter_by_code(code)
        if matter is None:
            get_object_or_404(Matter.objects.none())
        return Response(MatterDetailSerializer(matter).data)


class ThemeListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ThemeSerializer(many=True), summary="主题(一件事)及其一张表单")
    def get(self, request):
        return Response(ThemeSerializer(active_themes(), many=True).data)


class ThemeDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ThemeSerializer, summary="主题详情")
    def get(self, request, code):
        theme = theme_by_code(code)
        if theme is None:
            get_object_or_404(Theme.objects.none())
        return Response(ThemeSerializer(theme).data)
