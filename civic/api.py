"""政民互动 over REST: the published questions and answers (anyone), one's own questions
(`?mine=1`, signed in), and asking (anyone; anonymous asks limited per address)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.errors import NotFound
from core.numbers import is_small_int
from core.throttle import client_address

from . import selectors, services
from .models import Question


class PublicQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    department = serializers.CharField(source="department.name")
    matter = serializers.CharField(source="matter.code", default=None)
    subject = serializers.CharField(source="public_subject")
    content = serializers.CharField(source="public_content")
    answer = serializers.CharField(source="public_answer")
    in_faq = serializers.BooleanField()
    published_at = serializers.DateTimeField()


class OwnQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    department = serializers.CharField(source="department.name")
    matter = serializers.CharField(source="matter.code", default=None)
    subject = serializers.CharField()
    content = serializers.CharField()
    state = serializers.CharField()
    due = serializers.DateField()
    answer = serializers.CharField()


class AskInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Question.Kind.choices, default=Question.Kind.QUESTION)
    matter = serializers.IntegerField(required=False, allow_null=True, default=None)
    department = serializers.IntegerField(required=False, allow_null=True, default=None)
    subject = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=4000)
    contact_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=64)
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)


class QuestionViewSet(viewsets.GenericViewSet):
    serializer_class = PublicQuestionSerializer
    permission_classes = [AllowAny]
    error_statuses = {"create": ("429",)}

    def get_queryset(self):
        return selectors.published_questions()

    @extend_schema(
        summary="已公开的咨询答复;mine=1:我的咨询(需登录)",
        parameters=[OpenApiParameter("mine", str), OpenApiParameter("matter", str)],
    )
    def list(self, request):
        if request.query_params.get("mine") and request.user.is_authenticated:
            page = self.paginate_queryset(selectors.my_questions(request.user).order_by("-pk"))
            return self.get_paginated_response(OwnQuestionSerializer(page, many=True).data)
        qs = selectors.published_questions()
        if code := request.query_params.get("matter", "").strip():
            qs = qs.filter(matter__code=code[:40])
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(PublicQuestionSerializer(page, many=True).data)

    @extend_schema(summary="咨询详情(已公开:任何人;未公开:提问人和承办部门)")
    def retrieve(self, request, pk=None):
        found = (
            Question.objects.select_related("matter", "department").filter(pk=pk).first()
            if is_small_int(str(pk))
            else None
        )
        if found is None or not selectors.question_visible_to(found, request.user):
            raise NotFound(_("未找到该咨询,或尚未公开。"), code="question_not_found")
        if found.is_published and request.user.pk != found.asker_id:
            return Response(PublicQuestionSerializer(found).data)
        return Response(OwnQuestionSerializer(found).data)

    @extend_schema(
        summary="提出咨询或建议(咨询可匿名,须留联系电话)", request=AskInput, responses={201: OwnQuestionSerializer}
    )
    def create(self, request):
        payload = AskInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        anonymous = not request.user.is_authenticated
        address = client_address(request)
        if anonymous and services.ask_throttle.blocked(ip=address):
            raise services.TooMany(services.TOO_MANY_ASKS, code="too_many_questions")
        question = services.question_ask(
            user=request.user,
            kind=data["kind"],
            matter_id=data["matter"],
            department_id=data["department"],
            subject=data["subject"],
            content=data["content"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
        )
        if anonymous:
            services.ask_throttle.fail(ip=address)
        return Response(OwnQuestionSerializer(question).data, status=status.HTTP_201_CREATED)
