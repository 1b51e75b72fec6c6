"""The dashboard figures over REST (`/api/supervision/figures/`), the same figures as the page."""



from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from supervision.cards.api import IsSupervisor

from . import services as figures
from .filters import scoped_filters


class FigureValuesSerializer(serializers.Serializer):
    """One row's figures; null where the figure does not apply to the grouping (an application
    spans departments, so 收件/受理 are not split by department or matter) or has no denominator."""

    received = serializers.IntegerField(allow_null=True, help_text="收件:期内提交的办件")
    accepted = serializers.IntegerField(allow_null=True, help_text="受理:期内受理的办件(含视为受理)")
    deemed = serializers.IntegerField(allow_null=True, help_text="视为受理")
    started = serializers.IntegerField(allow_null=True, help_text="受理子件")
    online_rate = serializers.FloatField(allow_null=True, help_text="网办率 %:受理子件中网上申办的比例")
    concluded = serializers.IntegerField(allow_null=True, help_text="办结子件")
    on_time = serializers.IntegerField(allow_null=True, help_text="按时办结子件")
    on_time_rate = serializers.FloatField(allow_null=True, help_text="按时办结率 %")
    avg_days = serializers.FloatField(allow_null=True, help_text="平均用时(工作日)")
    p90_days = serializers.IntegerField(allow_null=True, help_text="90% 用时(工作日,最近秩;41 表示超过40)")
    same_day = serializers.IntegerField(allow_null=True, help_text="0个工作日办结的子件")
    same_day_rate = serializers.FloatField(allow_null=True, help_text="即办率 %")
    delivered = serializers.IntegerField(allow_null=True, help_text="出件办件")
    visits_avg = serializers.FloatField(allow_null=True, help_text="平均跑动次数")
    called = serializers.IntegerField(allow_null=True, help_text="被叫号的排队号(办理或过号;按取号日期)")
    no_show = serializers.IntegerField(allow_null=True, help_text="其中过号未到")
    wait_avg = serializers.FloatField(allow_null=True, help_text="平均等候分钟数(取号至首次叫号,一位小数)")
    rated = serializers.IntegerField(allow_null=True, help_text="有效评价数(申诉成立的差评不计)")
    r5 = serializers.IntegerField(allow_null=True, help_text="非常满意")
    r4 = serializers.IntegerField(allow_null=True, help_text="满意")
    r3 = serializers.IntegerField(allow_null=True, help_text="基本满意")
    r2 = serializers.IntegerField(allow_null=True, help_text="不满意")
    r1 = serializers.IntegerField(allow_null=True, help_text="非常不满意")
    satisfied = serializers.IntegerField(allow_null=True, help_text="满意和非常满意的评价数")
    satisfied_rate = serializers.FloatField(allow_null=True, help_text="满意率 %(全国好差评口径:满意+非常满意)")
    bad_ratings = serializers.IntegerField(allow_null=True, help_text="差评数(不满意+非常不满意)")


class CardLevelsSerializer(serializers.Serializer):
    red = serializers.IntegerField()
    yellow = serializers.IntegerField()


class ComplaintCountsSerializer(serializers.Serializer):
    open = serializers.IntegerField(help_text="未办结的投诉举报")
    overdue = serializers.IntegerField(help_text="超过办理期限仍在办的")


class ComplaintDepartmentSerializer(ComplaintCountsSerializer):
    key = serializers.IntegerField(help_text="部门 id;0 表示政务服务中心(待分派或督查办理中)")
    label = serializers.CharField()


class FigureRowSerializer(FigureValuesSerializer):
    key = serializers.IntegerField(help_text="维度对象的 id;0 表示无(如网上申办无收件大厅)")
    label = serializers.CharField()
    cards = CardLevelsSerializer(required=False, help_text="当前未撤的红黄牌(仅按部门)")
    complaints = ComplaintCountsSerializer(required=False, help_text="当前的投诉举报(仅按部门)")


class RankingSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    key = serializers.IntegerField()
    label = serializers.CharField()
    on_time_rate = serializers.FloatField()
    avg_days = serializers.FloatField()
    concluded = serializers.IntegerField()


class TrendSerializer(serializers.Serializer):
    day = serializers.DateField()
    received = serializers.IntegerField()
    concluded = serializers.IntegerField()
    on_time = serializers.IntegerField()


class PeriodSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    preset = serializers.CharField()


class FiguresSerializer(serializers.Serializer):
    period = PeriodSerializer()
    group_by = serializers.CharField()
    channel = serializers.CharField()
    department = serializers.IntegerField(allow_null=True)
    total = FigureValuesSerializer()
    rows = FigureRowSerializer(many=True)
    rows_total = serializers.IntegerField(help_text="分组的行数(rows 为全部行)")
    ranking = RankingSerializer(many=True)
    departments = FigureRowSerializer(many=True, allow_null=True, help_text="按部门的行(分组不是部门时)")
    trend = TrendSerializer(many=True)
    cards = CardLevelsSerializer()
    complaints = ComplaintCountsSerializer(help_text="当前的投诉举报(全区)")
    complaints_by_department = ComplaintDepartmentSerializer(many=True)
    refreshed_at = serializers.DateTimeField(allow_null=True, help_text="汇总数据更新时间")


class FiguresView(APIView):
    """The dashboard's figures, exactly as the page shows them (the same selector)."""

    permission_classes = [IsSupervisor]

    @extend_schema(
        summary="效能统计(按部门、大厅、窗口、人员、事项和期间)",
        parameters=[
            OpenApiParameter("period", str, enum=list(figures.PRESETS), description="today|week|month|quarter|year|custom"),
            OpenApiParameter("first", OpenApiTypes.DATE, description="自定义期间的开始日期"),
            OpenApiParameter("last", OpenApiTypes.DATE, description="自定义期间的结束日期"),
            OpenApiParameter("group_by", str, enum=list(figures.DIMENSIONS)),
            OpenApiParameter("channel", str, enum=["online", "window"], description="申办渠道,空为全部"),
            OpenApiParameter("department", int, description="按事项分组时只看该部门的事项"),
        ],
        responses=FiguresSerializer,
    )
    def get(self, request):
        state = {}
        filters, scope = scoped_filters(request.user, request.query_params)
        data = figures.dashboard_figures(**filters, state=state, scope=scope)
        data["refreshed_at"] = state["refreshed_at"]
        return Response(FiguresSerializer(data).data)
