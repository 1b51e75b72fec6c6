from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.identity import mask, mask_phone
from accounts.models import Hall, User
from accounts.selectors import enterprise_by_credit_code
from core.errors import Invalid
from core.idempotency import idempotency_key, idempotent
from matters import selectors as catalog
from matters.situation_pages import situation_page
from workflow.api import ApplicationDetailSerializer, resolve_matters
from workflow.selectors import access_application

from . import services
from .models import Consultation, ConsultationEvent
from .selectors import access_consultation, consultations_for


class ApplicantSerializer(serializers.Serializer):
    real_name = serializers.CharField(required=False, allow_blank=True, default="",
                                      help_text="已登记的申请人可不填;填写时须与身份证号码登记的姓名一致")
    id_number = serializers.CharField()
    phone = serializers.CharField(required=False, allow_blank=True, default="")


class WalkInSerializer(serializers.Serializer):
    applicant = ApplicantSerializer()
    agent = ApplicantSerializer(required=False, help_text="委托代办:到场的代办人;须持有申请人对全部事项的有效委托")
    theme = serializers.CharField(required=False, allow_blank=True)
    matters = serializers.ListField(child=serializers.CharField(), required=False)
    answers = serializers.DictField(child=serializers.IntegerField(), required=False, default=dict,
                                    help_text="主题的情形问题回答:{问题 id: 选项 id};主题有情形问题时必填")
    enterprise = serializers.CharField(required=False, allow_blank=True)
    form_data = serializers.JSONField()
    received = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                     help_text="窗口已核验原件的材料要求 id")
    deferred = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                     help_text="容缺受理、限期补交的材料要求 id(目录标注为容缺的)")
    deferred_until = serializers.DateField(required=False, allow_null=True, default=None, help_text="容缺材料补交期限")
    accept = serializers.BooleanField(default=True, help_text="未给出 decision 时:材料齐全即当场受理,否则仅登记")
    decision = serializers.ChoiceField(
        choices=[("accept", "当场受理"), ("supplement", "一次性告知补正"), ("refuse", "不予受理")], required=False,
        help_text="accept:材料不齐时拒绝(不保存);supplement:告知全部所缺材料;refuse:须填 refusal_reason",
    )
    supplement_note = serializers.CharField(required=False, allow_blank=True, default="")
    refusal_reason = serializers.CharField(required=False, allow_blank=True, default="")


class WalkInView(APIView):
    @extend_schema(request=WalkInSerializer, responses={201: ApplicationDetailSerializer}, summary="窗口收件(同城通办)")
    @idempotent
    def post(self, request):
        payload = WalkInSerializer(data=request.data)
        if not payload.is_valid():
            raise Invalid(_("收件信息有误。"), code="invalid_walk_in",
                          fields={k: [str(v)] for k, v in payload.errors.items()})
        data = payload.validated_data
        theme, matters = resolve_matters(theme_code=data.get("theme", ""), matter_codes=data.get("matters", []))
        requirements, required_ids, situation = None, (), None
        if theme is not None:
            page = situation_page({f"q{q}": o for q, o in data["answers"].items()}, theme, matters, required=True)
            if page.error is not None:
                raise page.error
            matters, requirements = page.resolution.matters, page.resolution.requirements
            required_ids, situation = page.resolution.required_by_answer, page.resolution.record()
        walk_in = services.WalkIn(
            applicant=data["applicant"], matters=matters, theme=theme,
            enterprise=enterprise_by_credit_code(data.get("enterprise")), form_data=data["form_data"],
            files=request.FILES, received=tuple(data["received"]), deferred=tuple(data["deferred"]),
            deferred_until=data["deferred_until"], idempotency_key=idempotency_key(request),
            requirements=requirements, required_ids=required_ids, situation=situation, agent=data.get("agent"),
        )
        decision = data.get("decision")
        if decision == services.Decision.ACCEPT:
            application = services.walk_in_accept(clerk=request.user, walk_in=walk_in)
        elif decision == services.Decision.SUPPLEMENT:
            application = services.walk_in_supplement(clerk=request.user, walk_in=walk_in,
                                                      note=data["supplement_note"])
        elif decision == services.Decision.REFUSE:
            application = services.walk_in_refuse(clerk=request.user, walk_in=walk_in, reason=data["refusal_reason"])
        else:  # the receipt of `accept: true/false` (or decision accept_if_complete / register)
            accept = data["accept"] if not decision else decision == services.Decision.ACCEPT_IF_COMPLETE
            application = services.walk_in_receive(clerk=request.user, walk_in=walk_in, accept_if_complete=accept)
        application = access_application(request.user, application.number)
        return Response(ApplicationDetailSerializer(application, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


# --- 首问责任 consultations ----------------------------------------------------------------------


class ConsultationEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    from_owner = serializers.SerializerMethodField()
    to_owner = serializers.SerializerMethodField()

    class Meta:
        model = ConsultationEvent
        fields = ["action", "actor", "from_owner", "to_owner", "note", "created_at"]

    def _name(self, user) -> str:
        return (user.real_name or user.username) if user is not None else ""

    def get_actor(self, obj) -> str:
        return self._name(obj.actor)

    def get_from_owner(self, obj) -> str:
        return self._name(obj.from_owner)

    def get_to_owner(self, obj) -> str:
        return self._name(obj.to_owner)


class ConsultationSerializer(serializers.ModelSerializer):
    asker_phone = serializers.SerializerMethodField(help_text="当前责任人可见全号,其他人为掩码")
    asker_id_number = serializers.SerializerMethodField(help_text="掩码")
    hall = serializers.CharField(source="hall.name", default="", read_only=True)
    matter = serializers.CharField(source="matter.code", default="", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)
    overdue = serializers.SerializerMethodField()
    events = ConsultationEventSerializer(many=True, read_only=True)

    class Meta:
        model = Consultation
        fields = ["number", "channel", "state", "hall", "asker_name", "asker_phone", "asker_id_number", "topic", "matter",
                  "question", "recorded_by", "owner", "opened_at", "due_on", "overdue", "answer", "answered_at", "events"]

    def get_asker_phone(self, obj) -> str:
        user = self.context["request"].user
        return obj.asker_phone if obj.is_open and obj.owner_id == user.pk else mask_phone(obj.asker_phone)

    def get_asker_id_number(self, obj) -> str:
        return mask(obj.asker_id_number)

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class ConsultationBriefSerializer(ConsultationSerializer):
    class Meta(ConsultationSerializer.Meta):
        fields = ["number", "channel", "state", "asker_name", "topic", "owner", "opened_at", "due_on", "overdue"]


class ConsultationCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Consultation.Channel.choices)
    asker_name = serializers.CharField(max_length=64)
    asker_phone = serializers.CharField(required=False, allow_blank=True, default="")
    asker_id_number = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.CharField(max_length=64)
    question = serializers.CharField()
    matter = serializers.CharField(required=False, allow_blank=True, default="", help_text="事项实施编码")
    hall = serializers.CharField(required=False, allow_blank=True, default="", help_text="大厅代码,默认为本人今日所在大厅")


class ConsultationHandoverSerializer(serializers.Serializer):
    to = serializers.CharField(help_text="接收人用户名")
    reason = serializers.CharField()


class ConsultationAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


def _valid(serializer_class, data):
    payload = serializer_class(data=data)
    if not payload.is_valid():
        fields = {k: [str(x) for x in (e if isinstance(e, list) else [e])] for k, e in payload.errors.items()}
        raise Invalid(_("提交的信息有误。"), code="invalid_request", fields=fields)
    return payload.validated_data


class ConsultationViewSet(viewsets.GenericViewSet):
    """首问责任 consultations: staff record and answer, citizens read theirs, supervisors read all."""

    lookup_field = "number"
    lookup_value_regex = r"[0-9A-Z-]+"
    serializer_class = ConsultationSerializer

    def get_queryset(self):
        return consultations_for(self.request.user)

    def _detail(self, consultation, status_code=status.HTTP_200_OK):
        consultation = access_consultation(self.request.user, consultation.number)
        return Response(ConsultationSerializer(consultation, context={"request": self.request}).data, status=status_code)

    @extend_schema(responses=ConsultationBriefSerializer(many=True), summary="我能看到的咨询")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset().order_by("-pk"))
        return self.get_paginated_response(ConsultationBriefSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(summary="咨询详情(含处理记录)")
    def retrieve(self, request, number=None):
        return self._detail(access_consultation(request.user, number))

    @extend_schema(request=ConsultationCreateSerializer, responses={201: ConsultationSerializer},
                   summary="登记咨询(首问责任)", description="登记人即为首问责任人。")
    @idempotent
    def create(self, request):
        data = _valid(ConsultationCreateSerializer, request.data)
        matter = hall = None
        if data["matter"]:
            matter = catalog.matter_by_code(data["matter"])
            if matter is None:
                raise Invalid(_("未找到该事项。"), code="matter_not_found", fields={"matter": [_("请核对事项编码。")]})
        if data["hall"]:
            hall = Hall.objects.filter(code=data["hall"]).first()
            if hall is None:
                raise Invalid(_("未找到该大厅。"), code="hall_not_found", fields={"hall": [_("请核对大厅代码。")]})
        consultation = services.consultation_open(
            staff=request.user, channel=data["channel"], topic=data["topic"], question=data["question"],
            asker_name=data["asker_name"], asker_phone=data["asker_phone"], asker_id_number=data["asker_id_number"],
            hall=hall, matter=matter,
        )
        return self._detail(consultation, status.HTTP_201_CREATED)

    @extend_schema(request=ConsultationHandoverSerializer, responses=ConsultationSerializer, summary="移交咨询")
    @action(detail=True, methods=["post"])
    def handover(self, request, number=None):
        consultation = access_consultation(request.user, number)
        data = _valid(ConsultationHandoverSerializer, request.data)
        to = User.objects.filter(username=data["to"]).first()
        consultation = services.consultation_hand_over(consultation=consultation, staff=request.user, to=to,
                                                       reason=data["reason"])
        return self._detail(consultation)

    @extend_schema(request=ConsultationAnswerSerializer, responses=ConsultationSerializer, summary="答复并办结咨询")
    @action(detail=True, methods=["post"])
    def answer(self, request, number=None):
        consultation = access_consultation(request.user, number)
        data = _valid(ConsultationAnswerSerializer, request.data)
        services.consultation_answer(consultation=consultation, staff=request.user, answer=data["answer"])
        return self._detail(consultation)
