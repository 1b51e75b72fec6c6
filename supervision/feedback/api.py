"""好差评 and 投诉举报 over REST.

- `/api/rating-links/{token}/` (anyone holding the link): what is rated; `…/rate/` rates once.
- `/api/ratings/` (staff, narrowed like the pages); `/api/ratings/distribution/` (supervisors).
- `/api/followups/` (staff): list, detail, `call-back`, `close`, `appeal` (the rated side),
  `decide-appeal` (supervisors).
- `/api/complaints/`: `POST` from anyone (anonymous ones limited per address), `GET` the staff's
  list or a citizen's own; `{id}/reply` (the department), `{id}/route` and `{id}/close`
  (supervisors); `by-code/{code}/`, `…/accept/`, `…/escalate/` for the complainant with the code.

Every action: validate input → one `access_*` → one service → serialize. Choice inputs are plain
strings checked by the services (their Chinese messages name the field).
"""

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response

from core.errors import Forbidden, Invalid, NotFound
from core.idempotency import idempotent
from core.throttle import client_address
from supervision.scope.districts import scope_of

from . import complaints, ratings
from . import selectors as feedback
from .models import LEVELS_BIG_FIRST, Complaint, RatingAppeal


class IsStaff(BasePermission):
    message = "只有工作人员可以查看评价和整改。"

    def has_permission(self, request, view):
        user = request.user
        return bool(user.is_authenticated and (user.is_superuser or user.is_clerk or user.is_reviewer
                                               or user.is_supervisor))


class IsSupervisor(BasePermission):
    message = "只有督查人员可以查看评价分布。"

    def has_permission(self, request, view):
        return bool(request.user.is_authenticated and (request.user.is_supervisor or request.user.is_superuser))


# --- serializers (output) ---------------------------------------------------------------------------


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    application = serializers.CharField(source="application.number")
    occasion = serializers.CharField(
        help_text="window_accept 窗口受理 | window_deliver 窗口出件 | decision 审批决定 | online 网上办件(2026-12 前的整件评价)")
    subcase = serializers.CharField(source="token.subcase.number", default=None, allow_null=True,
                                    help_text="评价的决定所属子件编号(decision)")
    occasion_display = serializers.CharField(source="get_occasion_display")
    level = serializers.IntegerField(help_text="5 非常满意 … 1 非常不满意")
    level_display = serializers.CharField(source="get_level_display")
    rated = serializers.CharField(source="rated_name")
    reasons = serializers.ListField(child=serializers.CharField())
    comment = serializers.CharField()
    rated_on = serializers.DateField()
    is_valid = serializers.BooleanField()


class RatingLinkSerializer(serializers.Serializer):
    application = serializers.CharField(source="application.number")
    title = serializers.CharField(source="application.title")
    occasion = serializers.CharField()
    occasion_display = serializers.CharField(source="get_occasion_display")
    department = serializers.CharField(source="department.name", default=None, allow_null=True,
                                       help_text="被评价的部门(decision)")
    subcase = serializers.CharField(source="subcase.number", default=None, allow_null=True,
                                    help_text="评价的决定所属子件编号(decision)")
    matter = serializers.CharField(source="subcase.matter.name", default=None, allow_null=True)
    expires_at = serializers.DateTimeField()
    used = serializers.SerializerMethodField()
    levels = serializers.SerializerMethodField()

    def get_used(self, obj) -> bool:
        return obj.used_at is not None

    def get_levels(self, obj) -> list[dict]:
        return [{"level": value, "name": str(label)} for value, label in LEVELS_BIG_FIRST]


class CallBackSerializer(serializers.Serializer):
    called_at = serializers.DateTimeField()
    method = serializers.CharField()
    summary = serializers.CharField()
    satisfied = serializers.BooleanField(allow_null=True)
    by = serializers.CharField(source="by.real_name")


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rating = RatingSerializer()
    responsible = serializers.CharField()
    state = serializers.CharField(help_text="open 整改中 | closed 已整改 | voided 申诉成立,已撤销")
    state_display = serializers.CharField(source="get_state_display")
    opened_on = serializers.DateField()
    due = serializers.DateField()
    reply = serializers.CharField()
    callbacks = CallBackSerializer(many=True)
    appeal = serializers.SerializerMethodField()

    def get_appeal(self, obj) -> dict | None:
        appeal = getattr(obj.rating, "appeal", None)
        if appeal is None:
            return None
        return {"kind": appeal.kind, "statement": appeal.statement, "state": appeal.state,
                "state_display": appeal.get_state_display(), "decision_reason": appeal.decision_reason}


class ComplaintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="complaint 投诉 | report 举报")
    state = serializers.CharField(help_text="routing 待分派 | open 办理中 | replied 已答复 | escalated 督查办理中 | closed 已办结")
    state_display = serializers.CharField(source="get_state_display")
    responsible = serializers.CharField()
    subject = serializers.CharField()
    content = serializers.CharField()
    application = serializers.CharField(source="application.number", default=None, allow_null=True)
    submitted_on = serializers.DateField()
    due = serializers.DateField()
    reply = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)
    escalation_reason = serializers.CharField()
    close_note = serializers.CharField()


class NewComplaintSerializer(ComplaintSerializer):
    code = serializers.CharField(help_text="查询码:凭此查看进度、确认或提请督查,请妥善保存")


# --- inputs -------------------------------------------------------------------------------------------


class RateInput(serializers.Serializer):
    level = serializers.IntegerField(help_text="5 非常满意,4 满意,3 基本满意,2 不满意,1 非常不满意")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    reasons = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                    help_text="差评原因:slow, attitude, runs, unclear, materials, system, other")


class CallBackInput(serializers.Serializer):
    method = serializers.CharField(help_text="phone 电话 | visit 上门 | sms 短信")
    summary = serializers.CharField(allow_blank=True)
    called_at = serializers.DateTimeField(required=False, allow_null=True)
    satisfied = serializers.BooleanField(required=False, allow_null=True, default=None)


class ReplyInput(serializers.Serializer):
    reply = serializers.CharField(allow_blank=True)


class AppealInput(serializers.Serializer):
    kind = serializers.CharField(help_text="mistaken 误评 | malicious 恶意差评")
    statement = serializers.CharField(allow_blank=True)
    evidence = serializers.FileField(required=False, allow_null=True)


class DecideAppealInput(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true:申诉成立,评价无效;false:维持评价")
    reason = serializers.CharField(allow_blank=True)


class ComplaintInput(serializers.Serializer):
    kind = serializers.CharField(required=False, default="complaint", help_text="complaint 投诉 | report 举报")
    department = serializers.IntegerField(required=False, allow_null=True, default=None,
                                          help_text="被投诉部门 id;不清楚时留空,由政务服务中心分派")
    application_number = serializers.CharField(required=False, allow_blank=True, default="")
    subject = serializers.CharField(allow_blank=True)
    content = serializers.CharField(allow_blank=True)
    contact_name = serializers.CharField(required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, default="")


class RouteInput(serializers.Serializer):
    department = serializers.IntegerField()


class NoteInput(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)


class EscalateInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


def _valid(serializer_class, request):
    payload = serializer_class(data=request.data)
    payload.is_valid(raise_exception=True)
    return payload.validated_data


# --- ratings ----------------------------------------------------------------------------------------


class RatingLinkViewSet(viewsets.ViewSet):
    """A one-time rating link: anyone holding it may read what it rates and rate once."""

    permission_classes = [AllowAny]
    lookup_field = "token"
    lookup_value_regex = r"[A-Za-z0-9_-]{20,64}"

    @extend_schema(summary="评价链接:评价对象", responses=RatingLinkSerializer)
    def retrieve(self, request, token=None):
        return Response(RatingLinkSerializer(ratings.access_rating_token(token)).data)

    @extend_schema(summary="提交评价(每个链接一次)", request=RateInput, responses={201: RatingSerializer})
    @action(detail=True, methods=["post"])
    def rate(self, request, token=None):
        data = _valid(RateInput, request)
        link = ratings.access_rating_token(token)
        rating = ratings.rating_submit(token=link, level=data["level"], comment=data["comment"],
                                       reasons=data["reasons"], actor=request.user)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


def _date(value, default):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


class RatingViewSet(viewsets.GenericViewSet):
    """Ratings: supervisors all; a department's reviewers theirs; clerks their hall's window ratings."""

    permission_classes = [IsStaff]
    serializer_class = RatingSerializer

    def get_queryset(self):
        return feedback.ratings_for(self.request.user)

    @extend_schema(summary="评价列表", parameters=[
        OpenApiParameter("level", int), OpenApiParameter("occasion", str), OpenApiParameter("start", dt.date),
        OpenApiParameter("end", dt.date), OpenApiParameter("valid", str, description="1 有效 | 0 无效"),
    ])
    def list(self, request):
        params = request.query_params
        qs = feedback.filter_ratings(self.get_queryset(), level=params.get("level", ""),
                                     occasion=params.get("occasion", ""), valid=params.get("valid", ""),
                                     start=_date(params.get("start"), None), end=_date(params.get("end"), None))
        page = self.paginate_queryset(qs.order_by("-pk"))
        return self.get_paginated_response(RatingSerializer(page, many=True).data)

    @extend_schema(
        summary="评价分布(督查人员)", parameters=[
            OpenApiParameter("by", str, enum=["department", "hall", "clerk"], description="默认 department"),
            OpenApiParameter("start", dt.date, description="默认本月1日"), OpenApiParameter("end", dt.date),
            OpenApiParameter("occasion", str)],
        responses=inline_serializer("RatingDistribution", {"rows": serializers.ListField(child=serializers.DictField())}),
    )
    @action(detail=False, methods=["get"], permission_classes=[IsSupervisor])
    def distribution(self, request):
        params = request.query_params
        today = timezone.localdate()
        by = params.get("by", "department")
        if by not in feedback.DIMENSIONS:
            raise Invalid("维度只能是 department、hall 或 clerk。", code="invalid_dimension", fields={"by": ["取值无效。"]})
        rows = feedback.rating_distribution(by=by, start=_date(params.get("start"), today.replace(day=1)),
                                            end=_date(params.get("end"), today), occasion=params.get("occasion") or None,
                                            scope=scope_of(request.user))
        return Response({"rows": rows})


class FollowUpViewSet(viewsets.GenericViewSet):
    """Follow-ups of bad ratings (差评整改), narrowed like the pages."""

    permission_classes = [IsStaff]
    serializer_class = FollowUpSerializer

    def get_queryset(self):
        return feedback.followups_for(self.request.user)

    def _detail(self, pk):
        return Response(FollowUpSerializer(feedback.access_followup(self.request.user, pk)).data)

    @extend_schema(summary="差评整改列表", parameters=[OpenApiParameter("state", str), OpenApiParameter("overdue", str)])
    def list(self, request):
        qs = feedback.filter_followups(self.get_queryset(), state=request.query_params.get("state", ""),
                                       overdue=request.query_params.get("overdue", ""), today=timezone.localdate())
        page = self.paginate_queryset(qs.order_by("due", "pk").prefetch_related("callbacks__by"))
        return self.get_paginated_response(FollowUpSerializer(page, many=True).data)

    @extend_schema(summary="差评整改详情")
    def retrieve(self, request, pk=None):
        return self._detail(pk)

    @extend_schema(summary="记录回访(被评价部门或大厅)", request=CallBackInput, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"], url_path="call-back")
    @idempotent
    def call_back(self, request, pk=None):
        data = _valid(CallBackInput, request)
        followup = feedback.access_followup(request.user, pk)
        ratings.followup_call_back(followup=followup, user=request.user, method=data["method"],
                                   summary=data["summary"], called_at=data.get("called_at"),
                                   satisfied=data.get("satisfied"))
        return self._detail(pk)

    @extend_schema(summary="填写整改情况并办结", request=ReplyInput, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        data = _valid(ReplyInput, request)
        ratings.followup_close(followup=feedback.access_followup(request.user, pk), user=request.user,
                               reply=data["reply"])
        return self._detail(pk)

    @extend_schema(summary="申诉差评(误评、恶意差评)",
                   request={"multipart/form-data": AppealInput, "application/json": AppealInput},
                   responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def appeal(self, request, pk=None):
        data = _valid(AppealInput, request)
        followup = feedback.access_followup(request.user, pk)
        ratings.rating_appeal(rating=followup.rating, user=request.user, kind=data["kind"],
                              statement=data["statement"], evidence=data.get("evidence"))
        return self._detail(pk)

    @extend_schema(summary="审核差评申诉(督查人员)", request=DecideAppealInput, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"], url_path="decide-appeal")
    @idempotent
    def decide_appeal(self, request, pk=None):
        data = _valid(DecideAppealInput, request)
        followup = feedback.access_followup(request.user, pk)
        appeal = RatingAppeal.objects.filter(rating=followup.rating).first()
        if not request.user.is_supervisor:
            raise Forbidden("只有督查人员可以审核差评申诉。", code="not_a_supervisor")
        if appeal is None:
            raise NotFound("该差评没有申诉。", code="appeal_not_found")
        ratings.rating_appeal_decide(appeal=appeal, supervisor=request.user, accept=data["accept"],
                                     reason=data["reason"])
        return self._detail(pk)


# --- complaints -------------------------------------------------------------------------------------


class ComplaintViewSet(viewsets.GenericViewSet):
    """Complaints: anyone files one; staff (the department, supervisors) handle them; the
    complainant follows with the query code."""

    serializer_class = ComplaintSerializer
    # attempt counters of anonymous filing and of wrong codes (portal/api_schema.py)
    error_statuses = {"create": ("429",), "by_code": ("429",), "accept": ("429",), "escalate": ("429",)}

    def get_permissions(self):
        if self.action in ("create", "by_code", "accept", "escalate"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return Complaint.objects.none()
        return feedback.complaints_for_staff(user) if not user.is_public else feedback.complaints_of(user)

    def _access(self, pk):
        user = self.request.user
        if user.is_public:
            return feedback.access_own_complaint(user, pk)
        return feedback.access_complaint_for_staff(user, pk)

    @extend_schema(summary="投诉举报列表(工作人员:经办的;群众:我的投诉)", parameters=[
        OpenApiParameter("state", str), OpenApiParameter("department", int), OpenApiParameter("overdue", str)])
    def list(self, request):
        params = request.query_params
        qs = feedback.filter_complaints(self.get_queryset(), state=params.get("state", ""),
                                        department=params.get("department", ""), overdue=params.get("overdue", ""),
                                        today=timezone.localdate())
        page = self.paginate_queryset(qs.order_by("-pk"))
        return self.get_paginated_response(ComplaintSerializer(page, many=True).data)

    @extend_schema(summary="投诉举报(任何人,可匿名)", request=ComplaintInput, responses={201: NewComplaintSerializer})
    def create(self, request):
        data = _valid(ComplaintInput, request)
        anonymous = not request.user.is_authenticated
        address = client_address(request)
        if anonymous and complaints.submit_throttle.blocked(ip=address):
            raise complaints.TooMany(complaints.TOO_MANY_SUBMISSIONS, code="too_many_complaints")
        complaint = complaints.complaint_submit(
            user=request.user, kind=data["kind"], department_id=data["department"],
            application_number=data["application_number"], subject=data["subject"], content=data["content"],
            contact_name=data["contact_name"], contact_phone=data["contact_phone"],
        )
        if anonymous:
            complaints.submit_throttle.fail(ip=address)
        return Response(NewComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="投诉详情")
    def retrieve(self, request, pk=None):
        return Response(ComplaintSerializer(self._access(pk)).data)

    @extend_schema(summary="答复(被投诉部门)", request=ReplyInput, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def reply(self, request, pk=None):
        data = _valid(ReplyInput, request)
        complaint = complaints.complaint_reply(complaint=self._access(pk), user=request.user, reply=data["reply"])
        return Response(ComplaintSerializer(complaint).data)

    @extend_schema(summary="分派(督查人员)", request=RouteInput, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def route(self, request, pk=None):
        data = _valid(RouteInput, request)
        complaint = complaints.complaint_route(complaint=self._access(pk), supervisor=request.user,
                                               department_id=data["department"])
        return Response(ComplaintSerializer(complaint).data)

    @extend_schema(summary="办结(督查人员)", request=NoteInput, responses=ComplaintSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        data = _valid(NoteInput, request)
        complaint = complaints.complaint_close(complaint=self._access(pk), supervisor=request.user, note=data["note"])
        return Response(ComplaintSerializer(complaint).data)

    def _by_code(self, request, code):
        address = client_address(request)
        if complaints.lookup_throttle.blocked(ip=address):
            raise complaints.TooMany(complaints.TOO_MANY_LOOKUPS, code="too_many_lookups")
        try:
            return complaints.access_complaint_by_code(code)
        except NotFound:
            complaints.lookup_throttle.fail(ip=address)
            raise

    @extend_schema(summary="凭查询码查看投诉", responses=ComplaintSerializer)
    @action(detail=False, methods=["get"], url_path=r"by-code/(?P<code>[A-Za-z0-9-]{1,32})", url_name="by-code")
    def by_code(self, request, code=None):
        return Response(ComplaintSerializer(self._by_code(request, code)).data)

    @extend_schema(summary="认可答复,办结(投诉人凭查询码)", request=None, responses=ComplaintSerializer)
    @action(detail=False, methods=["post"], url_path=r"by-code/(?P<code>[A-Za-z0-9-]{1,32})/accept",
            url_name="accept")
    def accept(self, request, code=None):
        complaint = complaints.complaint_accept(complaint=self._by_code(request, code), user=request.user, code=code)
        return Response(ComplaintSerializer(complaint).data)

    @extend_schema(summary="不满意,提请督查(投诉人凭查询码,一次)", request=EscalateInput, responses=ComplaintSerializer)
    @action(detail=False, methods=["post"], url_path=r"by-code/(?P<code>[A-Za-z0-9-]{1,32})/escalate",
            url_name="escalate")
    def escalate(self, request, code=None):
        data = _valid(EscalateInput, request)
        complaint = complaints.complaint_escalate(complaint=self._by_code(request, code), user=request.user, code=code,
                                                  reason=data["reason"])
        return Response(ComplaintSerializer(complaint).data)


