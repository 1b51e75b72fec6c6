"""The queue and appointments over REST: the hall's terminal and the phone take numbers and
check in, the screen polls what was called, clerks call, citizens book and cancel.

Every action: validate input → one access check → one service → serialize."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Department, Hall
from core.errors import Invalid, NotFound
from core.idempotency import idempotent

from . import queue_selectors as selectors
from . import queue_services as services
from .models import Appointment, AppointmentSlot, Ticket, Window

# --- serializers -------------------------------------------------------------------------------------


class TicketSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    hall_name = serializers.CharField(source="hall.name")
    queue = serializers.CharField(source="category_label", help_text="业务类别(部门窗口为部门简称)")
    department = serializers.CharField(source="department.name", default=None, allow_null=True)
    state_display = serializers.CharField(source="get_state_display")
    window = serializers.CharField(source="window.number", default=None, allow_null=True)
    window_name = serializers.CharField(source="window.name", default=None, allow_null=True)
    ahead = serializers.SerializerMethodField(help_text="前面等候的人数")
    estimated_minutes = serializers.SerializerMethodField(help_text="预计等候分钟数(等候中时)")

    class Meta:
        model = Ticket
        fields = ["token", "number", "hall", "hall_name", "day", "category", "queue", "department", "source",
                  "priority", "state", "state_display", "issued_at", "called_at", "window", "window_name",
                  "recall_count", "finished_at", "ahead", "estimated_minutes"]

    def _estimate(self, obj):
        if not hasattr(obj, "_estimate"):
            obj._estimate = selectors.estimate_wait(obj) if obj.state == Ticket.State.WAITING else None
        return obj._estimate

    def get_ahead(self, obj) -> int | None:
        estimate = self._estimate(obj)
        return estimate.ahead if estimate else None

    def get_estimated_minutes(self, obj) -> int | None:
        estimate = self._estimate(obj)
        return estimate.minutes if estimate else None


class TakeTicketSerializer(serializers.Serializer):
    hall = serializers.CharField(help_text="大厅代码")
    category = serializers.ChoiceField(choices=Window.Category.choices)
    department = serializers.CharField(required=False, allow_blank=True, help_text="部门代码(部门窗口时必填)")
    phone = serializers.CharField(required=False, allow_blank=True, help_text="接收叫号提醒的手机号码(选填)")
    source = serializers.ChoiceField(choices=[Ticket.Source.TERMINAL, Ticket.Source.PHONE], default=Ticket.Source.PHONE)


class CheckInSerializer(serializers.Serializer):
    hall = serializers.CharField(help_text="大厅代码")
    code = serializers.CharField(required=False, allow_blank=True, help_text="预约码")
    id_number = serializers.CharField(required=False, allow_blank=True, help_text="本人身份证号码(须已登录)")


class ScreenRowSerializer(serializers.Serializer):
    number = serializers.CharField()
    window = serializers.CharField()
    window_name = serializers.CharField()
    state = serializers.ChoiceField(choices=Ticket.State.choices)
    recall_count = serializers.IntegerField()
    announced_at = serializers.DateTimeField()


class WaitingCountSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Window.Category.choices)
    prefix = serializers.CharField()
    label = serializers.CharField()
    department_id = serializers.IntegerField(allow_null=True)
    waiting = serializers.IntegerField()


class ScreenSerializer(serializers.Serializer):
    hall = serializers.CharField()
    hall_name = serializers.CharField()
    day = serializers.DateField()
    version = serializers.CharField(help_text="叫号或重呼后改变;屏幕据此闪烁提示")
    latest = ScreenRowSerializer(allow_null=True)
    called = ScreenRowSerializer(many=True)
    waiting = WaitingCountSerializer(many=True)


class SlotSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.code")
    queue = serializers.CharField(source="category_label")
    department = serializers.CharField(source="department.code", default=None, allow_null=True)
    remaining = serializers.IntegerField()

    class Meta:
        model = AppointmentSlot
        fields = ["id", "hall", "category", "queue", "department", "date", "starts_at", "ends_at", "capacity",
                  "booked", "remaining"]


class AppointmentSerializer(serializers.ModelSerializer):
    slot = SlotSerializer()
    hall_name = serializers.CharField(source="slot.hall.name")
    state_display = serializers.CharField(source="get_state_display")
    ticket = serializers.CharField(source="ticket.number", default=None, allow_null=True)

    class Meta:
        model = Appointment
        fields = ["code", "state", "state_display", "hall_name", "slot", "created_at", "cancelled_at", "checked_in_at",
                  "ticket"]


class BookSerializer(serializers.Serializer):
    slot = serializers.IntegerField(help_text="预约时段 id")


# --- helpers ----------------------------------------------------------------------------------------


def hall_by_code(code) -> Hall:
    hall = Hall.objects.filter(code=code or "").first()
    if hall is None:
        raise NotFound(_("未找到该办事大厅。"), code="hall_not_found")
    return hall


def ticket_by_token(token) -> Ticket:
    ticket = selectors.ticket_by_token(token)
    if ticket is None:
        raise NotFound(_("未找到该号码。"), code="ticket_not_found")
    return ticket


def _ticket(ticket, *, created=False):
    return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# --- the queue -----------------------------------------------------------------------------------------


class TicketTakeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=TakeTicketSerializer, responses={201: TicketSerializer}, summary="取号(大厅取号机或手机)",
                   description="已登录用户取得的号码与本人关联,同一大厅同一类业务当天只能有一个未结束的号码。",
                   examples=[OpenApiExample("个人业务", request_only=True,
                                            value={"hall": "QX-ZWZX", "category": "natural", "phone": "13912345678"}),
                             OpenApiExample("不动产登记窗口", request_only=True,
                                            value={"hall": "QX-ZWZX", "category": "department", "department": "QX-ZRZY"})])
    @idempotent
    def post(self, request):
        payload = TakeTicketSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        department = None
        if data.get("department"):
            department = Department.objects.filter(code=data["department"]).first()
            if department is None:
                raise Invalid(_("未找到该部门。"), code="department_not_found", fields={"department": [_("未找到该部门。")]})
        ticket = services.ticket_take(hall=hall_by_code(data["hall"]), category=data["category"], department=department,
                                      source=data["source"], user=request.user, phone=data.get("phone", ""))
        return _ticket(ticket, created=True)


class TicketDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=TicketSerializer, summary="号码状态(前面人数、预计等候时间、叫号窗口)",
                   description="凭取号时返回的 token 查询,无需登录。")
    def get(self, request, token):
        return _ticket(ticket_by_token(token))


class CallNextView(APIView):
    @extend_schema(request=None, responses=TicketSerializer, summary="叫下一个号(窗口人员)",
                   description="按本人今日所坐窗口的业务类别,叫本大厅下一个等候的号码:预约签到的优先,其余按取号先后。"
                   "当前号码未办结或过号时拒绝(409 ticket_in_service);无人等候时 409 queue_empty。")
    @idempotent
    def post(self, request):
        return _ticket(services.ticket_call_next(clerk=request.user))


class _ClerkTicketAction(APIView):
    @idempotent
    def post(self, request, token):
        ticket = services.access_ticket_for_clerk(request.user, token)
        return _ticket(self.act(request.user, ticket))


class TicketRecallView(_ClerkTicketAction):
    act = staticmethod(lambda clerk, ticket: services.ticket_recall(clerk=clerk, ticket=ticket))

    @extend_schema(request=None, responses=TicketSerializer, summary="重呼(窗口人员)")
    def post(self, request, token):
        return super().post(request, token)


class TicketServeView(_ClerkTicketAction):
    act = staticmethod(lambda clerk, ticket: services.ticket_finish(clerk=clerk, ticket=ticket, outcome=Ticket.State.SERVED))

    @extend_schema(request=None, responses=TicketSerializer, summary="办结(窗口人员)")
    def post(self, request, token):
        return super().post(request, token)


class TicketNoShowView(_ClerkTicketAction):
    act = staticmethod(lambda clerk, ticket: services.ticket_finish(clerk=clerk, ticket=ticket, outcome=Ticket.State.NO_SHOW))

    @extend_schema(request=None, responses=TicketSerializer, summary="过号(叫号未到,窗口人员)")
    def post(self, request, token):
        return super().post(request, token)


class CheckInView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=CheckInSerializer, responses={201: TicketSerializer}, summary="预约签到取号",
                   description="预约当天、时段开始前30分钟至时段结束可签到,取得优先号码。凭身份证号码签到须登录本人账号。",
                   examples=[OpenApiExample("预约码", request_only=True, value={"hall": "QX-ZWZX", "code": "K7M2Q9XA"})])
    @idempotent
    def post(self, request):
        payload = CheckInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        ticket = services.appointment_check_in(hall=hall_by_code(data["hall"]), code=data.get("code", ""),
                                               id_number=data.get("id_number", ""), user=request.user)
        return _ticket(ticket, created=True)


class ScreenView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ScreenSerializer, summary="大厅叫号屏数据",
                   description="今天最近叫到的号码(重呼的重新排到最前)及窗口号、各类业务等候人数。屏幕每2秒左右轮询一次。")
    def get(self, request, code):
        return Response(ScreenSerializer(selectors.screen(hall_by_code(code))).data)


# --- appointments ----------------------------------------------------------------------------------------


class SlotListView(APIView):
    permission_classes = [AllowAny]
    error_statuses = ("404",)  # an unknown hall (portal/api_schema.py)

    @extend_schema(responses=SlotSerializer(many=True), summary="可预约时段",
                   parameters=[OpenApiParameter("hall", str, required=True, description="大厅代码"),
                               OpenApiParameter("category", str, enum=Window.Category.values),
                               OpenApiParameter("department", str, description="部门代码(部门窗口)"),
                               OpenApiParameter("date", str, description="日期 YYYY-MM-DD")])
    def get(self, request):
        hall = hall_by_code(request.query_params.get("hall"))
        date = request.query_params.get("date") or None
        if date:
            try:
                date = timezone.datetime.fromisoformat(date).date()
            except ValueError:
                raise Invalid(_("日期格式应为 YYYY-MM-DD。"), code="invalid_date", fields={"date": [_("日期格式有误。")]}) from None
        department = Department.objects.filter(code=request.query_params.get("department") or "").first()
        slots = selectors.open_slots(hall=hall, category=request.query_params.get("category") or None,
                                     department_id=department.pk if department else None, date=date)
        return Response(SlotSerializer(slots[:500], many=True).data)


class AppointmentListView(APIView):
    @extend_schema(responses=AppointmentSerializer(many=True), summary="我的预约")
    def get(self, request):
        services.appointments_mark_missed()
        return Response(AppointmentSerializer(selectors.my_appointments(request.user)[:200], many=True).data)

    @extend_schema(request=BookSerializer, responses={201: AppointmentSerializer}, summary="预约",
                   description="每个时段名额有限,满额时 409 slot_full;同一大厅同一类业务同一天只能预约一个时段。",
                   examples=[OpenApiExample("预约", request_only=True, value={"slot": 128})])
    @idempotent
    def post(self, request):
        payload = BookSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        slot = AppointmentSlot.objects.filter(pk=payload.validated_data["slot"]).select_related("hall").first()
        if slot is None:
            raise NotFound(_("未找到该预约时段。"), code="slot_not_found")
        appointment = services.appointment_book(user=request.user, slot=slot)
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentCancelView(APIView):
    @extend_schema(request=None, responses=AppointmentSerializer, summary="取消预约(时段开始前)")
    @idempotent
    def post(self, request, code):
        appointment = services.access_appointment(request.user, code)
        return Response(AppointmentSerializer(services.appointment_cancel(user=request.user, appointment=appointment)).data)


