"""办件公示: the public page and its JSON API (no sign-in). What is shown and how it pages:
`workflow.disclosure`."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from accounts.models import Department
from civic.selectors import answered_by_department
from core.errors import DomainError
from core.web.access import show_domain_error
from matters.models import Matter
from supervision.feedback.selectors import rating_distribution
from workflow import disclosure

from .pagination import CursorPagination

FILTER_KEYS = ("number", "department", "matter", "state", "received_from", "received_to")


@require_GET
def disclosure_page(request):
    query = {key: request.GET.get(key, "").strip() for key in FILTER_KEYS}
    after = request.GET.get("after", "").strip()
    status, errors, rows, next_cursor = 200, {}, [], ""
    try:
        filters = disclosure.parse_filters(request.GET)
        applications, next_cursor = disclosure.page_after(disclosure.disclosed_applications(filters), after=after)
        rows = [disclosure.public_row(a) for a in applications]
    except DomainError as exc:
        show_domain_error(request, exc)
        status, errors = exc.status, exc.fields
    kept = {k: v for k, v in query.items() if v}
    return render(request, "portal/disclosure.html", {
        "title": _("办件公示"),
        "query": query,
        "rows": rows,
        "errors": errors,
        "first_url": f"?{urlencode(kept)}" if after else "",
        "next_url": f"?{urlencode({**kept, 'after': next_cursor})}" if next_cursor else "",
        "departments": Department.objects.order_by("code").only("id", "name"),
        "matters": Matter.objects.filter(is_active=True).order_by("code").only("code", "name"),
        "states": disclosure.DISCLOSED_STATES,
        "page_size": disclosure.PAGE_SIZE,
        # 好差评 satisfaction over the last 90 days and 政民互动 answers, by department
        "satisfaction": rating_distribution(by="department", start=timezone.localdate() - dt.timedelta(days=89),
                                            end=timezone.localdate()),
        "civic_answers": answered_by_department(),
    }, status=status)


# --- API ---------------------------------------------------------------------------------------------


class DisclosedMatterSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DisclosedApplicationSerializer(serializers.Serializer):
    """An application as the public sees it: no applicant, no enterprise, no form data."""

    number = serializers.CharField()
    title = serializers.CharField()
    matters = DisclosedMatterSerializer(many=True)
    departments = serializers.ListField(child=serializers.CharField())
    state = serializers.CharField(help_text="办理状态代码(submitted、accepted、in_review、concluded …)")
    state_label = serializers.CharField()
    received_on = serializers.DateField(help_text="收件日期(北京时间)")
    accepted_on = serializers.DateField(allow_null=True)
    concluded_on = serializers.DateField(allow_null=True)

    def to_representation(self, instance):
        return super().to_representation(disclosure.public_row(instance))


class DisclosurePagination(CursorPagination):
    ordering = ("-first_submitted_at", "-pk")
    page_size = disclosure.PAGE_SIZE
    max_page_size = disclosure.MAX_PAGE_SIZE


@extend_schema(
    summary="办件公示",
    description="已提交办件的编号、名称、事项、部门、状态和收件、受理、办结日期;不含申请人信息。游标分页。",
    parameters=[
        OpenApiParameter("number", str, description="办件编号"),
        OpenApiParameter("department", int, description="部门编号"),
        OpenApiParameter("matter", str, description="事项实施编码"),
        OpenApiParameter("state", str, description="办理状态代码"),
        OpenApiParameter("received_from", OpenApiTypes.DATE, description="收件日期起(YYYY-MM-DD)"),
        OpenApiParameter("received_to", OpenApiTypes.DATE, description="收件日期止(YYYY-MM-DD)"),
    ],
)
class DisclosureView(generics.ListAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # public: no session, no CSRF, no token needed
    serializer_class = DisclosedApplicationSerializer
    pagination_class = DisclosurePagination

    def get_queryset(self):
        filters = disclosure.parse_filters(self.request.query_params)
        return disclosure.with_matters(disclosure.disclosed_applications(filters))
