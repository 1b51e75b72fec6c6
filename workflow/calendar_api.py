"""Public working-day calculator: a deadline from a start date, the working days between two dates.

Both endpoints read the calendar as the database has it (`load_calendar`) and say which years
they took as ordinary weeks because no holiday notice is known for them (`assumed_years`).
Bad input raises `core.errors.Invalid`, which portal/api_errors.py turns into a 400
`{"code", "message", "fields"}`.
"""

import re
from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import Invalid

from .calendar_store import load_calendar

__all__ = ["DeadlineView", "WorkdaysView"]

MAX_DAYS = 3650
MAX_SPAN_YEARS = 50
MAX_SPAN_DAYS = 18262  # 50 years of 365.25 days
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_INT_RE = re.compile(r"[+-]?\d+", re.ASCII)


class _FieldErrors:
    """Collects one message per bad parameter; raises them together as one `Invalid`."""

    def __init__(self):
        self.fields = {}
        self.first = None

    def add(self, field, message, code):
        self.fields.setdefault(field, []).append(message)
        if self.first is None:
            self.first = (message, code)

    def raise_if_any(self):
        if self.first is not None:
            message, code = self.first
            raise Invalid(message, code=code, fields=self.fields)


def _parse_date(params, name, errors):
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        errors.add(name, _("请填写日期 %(name)s(格式 YYYY-MM-DD)。") % {"name": name}, "invalid_date")
        return None
    raw = raw.strip()
    if _DATE_RE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    errors.add(name, _("“%(value)s”不是有效日期,请按 YYYY-MM-DD 填写。") % {"value": raw[:40]}, "invalid_date")
    return None


def _parse_days(params, name, errors):
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        errors.add(name, _("请填写工作日天数 %(name)s。") % {"name": name}, "invalid_days")
        return None
    raw = raw.strip()
    if not _INT_RE.fullmatch(raw):
        errors.add(name, _("工作日天数必须是整数。"), "invalid_days")
        return None
    # A number of many digits is only ever too large (or negative): don't feed it to int().
    digits = raw.lstrip("+-").lstrip("0") or "0"
    value = int(digits) if len(digits) <= 9 else MAX_DAYS + 1
    if raw.startswith("-"):
        value = -value
    if value < 0:
        errors.add(name, _("工作日天数不能为负数。"), "invalid_days")
        return None
    if value > MAX_DAYS:
        errors.add(name, _("工作日天数不能超过 %(max)s。") % {"max": MAX_DAYS}, "invalid_days")
        return None
    return value


class DeadlineSerializer(serializers.Serializer):
    """A deadline: the `days`-th working day after `start` (the day of `start` is not counted)."""

    start = serializers.DateField(help_text="起算日(北京时间日期),当日不计入。")
    days = serializers.IntegerField(help_text="工作日天数;0 表示当日办结。")
    deadline = serializers.DateField(help_text="期限届满日:起算日之后第 days 个工作日。")
    assumed_years = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="起算日至届满日之间尚无节假日安排、按普通周一至周五计算的年份。",
    )


WorkdaysSerializer = serializers.SerializerMetaclass(
    "WorkdaysSerializer",
    (serializers.Serializer,),
    {
        "__module__": __name__,
        "__doc__": "Working days d with from < d <= to.",
        # "from" is a Python keyword, so the class is built from a dict.
        "from": serializers.DateField(help_text="起始日(不计入)。"),
        "to": serializers.DateField(help_text="截止日(计入)。"),
        "workdays": serializers.IntegerField(help_text="起始日之后至截止日(含)的工作日数;截止日不晚于起始日时为 0。"),
        "assumed_years": serializers.ListField(
            child=serializers.IntegerField(),
            help_text="两日之间尚无节假日安排、按普通周一至周五计算的年份。",
        ),
    },
)


class CalendarErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="invalid_date 或 invalid_days")
    message = serializers.CharField(help_text="中文说明")
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


_ERROR_RESPONSE = OpenApiResponse(CalendarErrorSerializer, description="参数有误(日期无效、天数非整数、为负或过大)。")


class DeadlineView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        operation_id="calendar_deadline",
        summary="计算期限届满日",
        description="起算日当日不计入,返回其后第 days 个工作日(法定节假日不计,调休上班日计入)。",
        tags=["calendar"],
        parameters=[
            OpenApiParameter(
                "start", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True, description="起算日 YYYY-MM-DD"
            ),
            OpenApiParameter(
                "days", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True, description=f"工作日天数,0-{MAX_DAYS}"
            ),
        ],
        responses={200: DeadlineSerializer, 400: _ERROR_RESPONSE},
        examples=[
            OpenApiExample(
                "国庆节",
                value={"start": "2026-09-30", "days": 5, "deadline": "2026-10-13", "assumed_years": []},
                response_only=True,
            )
        ],
    )
    def get(self, request):
        errors = _FieldErrors()
        start = _parse_date(request.query_params, "start", errors)
        days = _parse_days(request.query_params, "days", errors)
        errors.raise_if_any()
        calendar = load_calendar()
        try:
            deadline = calendar.add_workdays(start, days)
        except OverflowError:
            message = _("期限超出可计算的日期范围。")
            raise Invalid(message, code="invalid_date", fields={"start": [message]}) from None
        data = {
            "start": start,
            "days": days,
            "deadline": deadline,
            "assumed_years": calendar.assumed_years(start, deadline),
        }
        return Response(DeadlineSerializer(data).data)


class WorkdaysView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        operation_id="calendar_workdays",
        summary="计算两日之间的工作日数",
        description="统计起始日之后至截止日(含)的工作日数;截止日不晚于起始日时为 0。",
        tags=["calendar"],
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True, description="起始日 YYYY-MM-DD(不计入)"
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True, description="截止日 YYYY-MM-DD(计入)"
            ),
        ],
        responses={200: WorkdaysSerializer, 400: _ERROR_RESPONSE},
    )
    def get(self, request):
        errors = _FieldErrors()
        start = _parse_date(request.query_params, "from", errors)
        end = _parse_date(request.query_params, "to", errors)
        errors.raise_if_any()
        if abs((end - start).days) > MAX_SPAN_DAYS:
            message = _("两个日期相差不能超过 %(years)s 年。") % {"years": MAX_SPAN_YEARS}
            raise Invalid(message, code="invalid_date", fields={"to": [message]})
        calendar = load_calendar()
        data = {
            "from": start,
            "to": end,
            "workdays": calendar.workdays_between(start, end),
            "assumed_years": calendar.assumed_years(start, end),
        }
        return Response(WorkdaysSerializer(data).data)
