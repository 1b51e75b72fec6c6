"""The case lifecycle over REST: applicants, window clerks, department reviewers, supervisors.

Every action: validate input → one `access_*` → one service → serialize. Domain errors become
the one error shape in portal/api_errors.py.
"""

import json

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.identity import mask
from accounts.models import AgentAuthorisation
from accounts.selectors import enterprise_by_credit_code
from core.errors import Conflict, Forbidden, Invalid, NotFound
from core.idempotency import idempotency_key, idempotent
from core.numbers import is_small_int
from core.uploads import file_response
from matters.models import Matter
from matters.oneform import material_requirements
from matters.selectors import theme_for_submission

from . import selectors, services
from .models import Application, DeliveryMethod, Material, Notice, SubCase, SubCaseExtension, SubCasePause

# --- serializers -----------------------------------------------------------------------------


class SubCaseBriefSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    department = serializers.CharField(source="department.name")
    state_display = serializers.CharField(source="get_state_display")

    class Meta:
        model = SubCase
        fields = ["number", "matter", "department", "state", "state_display", "promised_days", "started_on",
                  "deadline", "deadline_provisional", "decided_at", "decision_reason"]


class ApplicationListSerializer(serializers.ModelSerializer):
    state_display = serializers.CharField(source="get_state_display")
    applicant = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = ["number", "title", "category", "channel", "state", "state_display", "applicant", "submitted_at",
                  "first_submitted_at", "received_on", "accepted_on", "deemed_accepted", "pre_review_due", "pre_review_due_provisional"]

    def get_applicant(self, obj) -> str:
        if obj.enterprise_id:
            return obj.enterprise.name
        return obj.applicant.real_name


class CaseLogSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor = serializers.SerializerMethodField()
    subcase = serializers.CharField(source="subcase.number", default=None, allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_actor(self, obj) -> str:
        return obj.actor.real_name if obj.actor_id else _("系统")


def material_urls(application):
    """`material_url` for many materials of one application with one `reverse()` (not one per
    material): the URL of material 0, with each material's id in its place."""
    head, _zero, tail = reverse("api-application-material", args=[application.number, 0]).rpartition("/0/")
    return lambda material: f"{head}/{material.pk}/{tail}"


def notice_url(application, notice):
    return reverse("api-application-notice", args=[application.number, notice.pk])


class DeliveryFactsSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    method_display = serializers.CharField()
    pickup_hall = serializers.CharField(help_text="窗口领取的大厅;空表示受理本申请的大厅或任一大厅")
    recipient = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    posted_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class DeliveryChoiceSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices, help_text="hall 窗口领取,post 邮寄送达,electronic 电子证照")
    hall = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="窗口领取的大厅 id(本区任一大厅)")
    recipient = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")


class PostingSerializer(serializers.Serializer):
    carrier = serializers.CharField(allow_blank=True, help_text="寄递企业,如 中国邮政EMS")
    tracking_number = serializers.CharField(allow_blank=True, help_text="邮件单号,8至32位字母或数字")


class ActionsSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="受理(综合窗口)")
    request_supplement = serializers.BooleanField(help_text="一次性告知补正(综合窗口)")
    refuse = serializers.BooleanField(help_text="不予受理(综合窗口)")
    deliver = serializers.BooleanField(help_text="窗口出件(出件窗口)")
    post = serializers.BooleanField(help_text="登记邮寄送达(出件窗口)")
    change_delivery = serializers.BooleanField(help_text="选择或修改领取方式(申请人)")
    withdraw = serializers.BooleanField(help_text="撤回申请(申请人或其代办人)")
    resubmit = serializers.BooleanField(help_text="补正后重新提交(申请人或其代办人)")
    provide_deferred = serializers.BooleanField(help_text="补交容缺材料(申请人、代办人或综合窗口)")
    allow_repeat = serializers.BooleanField(help_text="准许再次补正(督查人员)")
    supplement_at_window = serializers.BooleanField(help_text="窗口收取补正材料(综合窗口)")


class ApplicationDetailSerializer(ApplicationListSerializer):
    applicant_id_number = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    subcases = SubCaseBriefSerializer(many=True)
    notices = serializers.SerializerMethodField()
    supplement_requests = serializers.SerializerMethodField()
    refusal_reason = serializers.CharField()
    agent = serializers.SerializerMethodField(help_text="委托代办:代办人及其委托(事项、期限、状态);无则为 null")
    log = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField(help_text="结果领取方式;收件人电话和地址仅对申请人和出件窗口完整显示")
    licences = serializers.SerializerMethodField(help_text="本办件签发的电子证照")
    actions = serializers.SerializerMethodField(
        help_text="当前用户此刻可以办理的操作(与办件页面的按钮相同,由状态机的来源状态及其权限规则决定)")

    class Meta(ApplicationListSerializer.Meta):
        fields = ApplicationListSerializer.Meta.fields + [
            "applicant_id_number", "form", "materials", "subcases", "notices", "supplement_requests",
            "refusal_reason", "accepted_at", "concluded_at", "delivered_at", "agent", "delivery", "licences", "log",
            "actions",
        ]

    def get_actions(self, obj) -> ActionsSerializer:
        return selectors.actions_for(self.context["request"].user, obj)

    def get_delivery(self, obj) -> DeliveryFactsSerializer:
        return DeliveryFactsSerializer(selectors.delivery_facts(self.context["request"].user, obj)).data

    def get_licences(self, obj) -> list[dict]:
        from exchange.selectors import licences_for

        user = self.context["request"].user
        if not any(sc.state == SubCase.State.APPROVED for sc in obj.subcases.all()):
            return []  # licences are issued on approved sub-cases only
        mine = set(licences_for(user).filter(application_number=obj.number).values_list("number", flat=True))
        return [{"number": lic.number, "name": lic.name, "department": lic.department.name,
                 "issued_on": lic.issued_on,
                 "url": reverse("api-licence-file", args=[lic.number]) if lic.number in mine else None}
                for lic in selectors.application_licences(obj)]

    def get_applicant_id_number(self, obj) -> str:
        return mask(obj.applicant.id_number or "")

    def get_form(self, obj) -> list[dict]:
        user = self.context["request"].user
        return [{"label": label, "value": value} for label, value in selectors.detail_form_data(user, obj)]

    def get_materials(self, obj) -> list[dict]:
        user = self.context["request"].user
        url = material_urls(obj)
        return [
            {"id": m.pk, "name": m.name, "source": m.source, "source_display": m.get_source_display(),
             "trust_level": m.trust_level, "reference": m.reference,
             "size": m.size, "sha256": m.sha256, "url": url(m) if m.file else None}
            for m in selectors.detail_materials(user, obj)
        ]

    def get_notices(self, obj) -> list[dict]:
        return [{"id": n.pk, "kind": n.kind, "kind_display": n.get_kind_display(), "sha256": n.sha256,
                 "url": notice_url(obj, n), "created_at": n.created_at} for n in obj.notices.all()]

    def get_supplement_requests(self, obj) -> list[dict]:
        return [{"items": r.items, "note": r.note, "requested_at": r.requested_at, "resolved_at": r.resolved_at}
                for r in obj.supplement_requests.all()]

    def get_agent(self, obj) -> dict | None:
        grant = obj.agent_authorisation
        if grant is None:
            return None
        from django.utils import timezone

        return {"name": grant.agent.real_name, "id_number": grant.agent.masked_id_number,
                "authorisation": grant.pk, "matters": [m.name for m in grant.matters.all()],
                "starts_on": grant.starts_on, "ends_on": grant.ends_on, "status": grant.status_on(timezone.localdate())}

    def get_log(self, obj) -> list[dict]:
        return CaseLogSerializer(obj.log.all(), many=True).data


_DATETIME, _DATE = serializers.DateTimeField(), serializers.DateField()  # formats and time zone read per call


def _text(value):
    return None if value is None else str(value)


def _when(value):
    return None if value is None else _DATETIME.to_representation(value)


def _day(value):
    return None if value is None else _DATE.to_representation(value)


_LABELS: dict = {}  # (choices class, language): {value: label}


def _labels(choices) -> dict:
    """{value: label} of a choices class in the active language, the lazy labels turned into text
    once per process (a model's `get_FOO_display` hashes every lazy label of its field per call)."""
    key = (choices, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {value: str(label) for value, label in choices.choices}
    return labels


def detail_answer(application, request) -> dict:
    """`ApplicationDetailSerializer(application).data`, the same keys in the same order and the
    same values (tests/workflow/test_detail_answer.py compares them), without building the
    serializer's fields on each answer (its nested serializers' fields included): the model's
    columns formatted here, the method fields from the serializer's own `get_*` methods, the
    sub-cases through their serializer only when there are some. The serializer stays the API's
    schema."""
    obj, user = application, request.user
    methods = ApplicationDetailSerializer(obj, context={"request": request})  # its `fields` never built
    subcases = list(obj.subcases.all())
    url = material_urls(obj)
    sources = _labels(Material.Source)
    materials = [
        {"id": m.pk, "name": m.name, "source": m.source, "source_display": sources.get(m.source, m.source),
         "trust_level": m.trust_level, "reference": m.reference,
         "size": m.size, "sha256": m.sha256, "url": url(m) if m.file else None}
        for m in selectors.detail_materials(user, obj)
    ]
    facts = selectors.delivery_facts(user, obj)
    method = facts["method"]
    delivery = {
        "method": method if method in ("", None) else str(method),
        "method_display": _text(facts["method_display"]), "pickup_hall": _text(facts["pickup_hall"]),
        "recipient": _text(facts["recipient"]), "phone": _text(facts["phone"]), "address": _text(facts["address"]),
        "carrier": _text(facts["carrier"]), "tracking_number": _text(facts["tracking_number"]),
        "posted_at": _when(facts["posted_at"]), "delivered_at": _when(facts["delivered_at"]),
    }
    system = _("系统")
    log = [
        {"action": _text(e.action), "from_state": _text(e.from_state), "to_state": _text(e.to_state),
         "actor": e.actor.real_name if e.actor_id else system,
         "subcase": _text(e.subcase.number) if e.subcase_id else None,
         "note": _text(e.note), "created_at": _when(e.created_at)}
        for e in obj.log.all()
    ]
    return {
        "number": _text(obj.number), "title": _text(obj.title), "category": _text(obj.category),
        "channel": _text(obj.channel), "state": _text(obj.state), "state_display": _labels(Application.State).get(
            obj.state, obj.state),
        "applicant": methods.get_applicant(obj), "submitted_at": _when(obj.submitted_at),
        "first_submitted_at": _when(obj.first_submitted_at), "received_on": _day(obj.received_on),
        "accepted_on": _day(obj.accepted_on), "deemed_accepted": _flag(obj.deemed_accepted),
        "pre_review_due": _day(obj.pre_review_due), "pre_review_due_provisional": _flag(obj.pre_review_due_provisional),
        "applicant_id_number": methods.get_applicant_id_number(obj), "form": methods.get_form(obj),
        "materials": materials,
        "subcases": SubCaseBriefSerializer(subcases, many=True).data if subcases else [],
        "notices": methods.get_notices(obj), "supplement_requests": methods.get_supplement_requests(obj),
        "refusal_reason": _text(obj.refusal_reason), "accepted_at": _when(obj.accepted_at),
        "concluded_at": _when(obj.concluded_at), "delivered_at": _when(obj.delivered_at),
        "agent": methods.get_agent(obj), "delivery": delivery, "licences": methods.get_licences(obj), "log": log,
        "actions": methods.get_actions(obj),
    }


def _flag(value):
    return None if value is None else bool(value)


def clean_reports(value) -> dict:
    """{requirement id: contract id} from a JSON object; anything else is refused in Chinese."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, dict) or not all(is_small_int(k) and is_small_int(v) for k, v in value.items()):
        raise serializers.ValidationError(_("中介服务成果须为 JSON 对象,如 {\"材料要求id\": 合同id}。"))
    return {int(k): int(v) for k, v in value.items()}


class ApplicationCreateSerializer(serializers.Serializer):
    theme = serializers.CharField(required=False, allow_blank=True, help_text="主题代码(一件事),与 matters 二选一")
    matters = serializers.ListField(child=serializers.CharField(), required=False, help_text="事项实施编码列表")
    enterprise = serializers.CharField(required=False, allow_blank=True, help_text="以企业名义申请时的统一社会信用代码")
    form_data = serializers.JSONField(help_text="表单内容,键为字段键;multipart 请求中为 JSON 字符串")
    on_behalf = serializers.IntegerField(required=False, help_text="委托代办:代为申请时所依据的委托 id(申请人为委托人)")
    delivery = serializers.JSONField(
        required=False, default=None, allow_null=True,
        help_text='结果领取方式,如 {"method": "post", "recipient": "陈志明", "phone": "13826651024", '
        '"address": "清远市清新区太和镇玄真路8号"};默认在受理大厅窗口领取;multipart 请求中为 JSON 字符串',
    )
    reports = serializers.JSONField(
        required=False, default=None, allow_null=True,
        help_text='使用已交付的中介服务成果作为材料:{"材料要求id": 合同id},如 {"12": 3};'
        "只能使用本企业作为项目业主的成果;multipart 请求中为 JSON 字符串",
    )

    def validate_form_data(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("表单内容须为 JSON 对象,如 {\"字段键\": \"值\"}。"))
        return value

    def validate_reports(self, value):
        return clean_reports(value)

    def validate_delivery(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError(_("结果领取方式须为 JSON 对象。"))
        return value

    def to_internal_value(self, data):
        if not hasattr(data, "getlist") and not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": [_("请求内容须为 JSON 对象。")]})
        if hasattr(data, "getlist"):  # multipart: lists and JSON arrive as strings
            plain = {k: data.get(k) for k in ("theme", "enterprise", "on_behalf")}
            plain["matters"] = [c for v in data.getlist("matters") for c in v.split(",") if c]
            raw = data.get("form_data") or "{}"
            try:
                plain["form_data"] = json.loads(raw) if isinstance(raw, str) else raw
                raw_delivery = data.get("delivery")
                if raw_delivery:
                    plain["delivery"] = json.loads(raw_delivery) if isinstance(raw_delivery, str) else raw_delivery
                raw_reports = data.get("reports")
                if raw_reports:
                    plain["reports"] = json.loads(raw_reports) if isinstance(raw_reports, str) else raw_reports
            except ValueError:
                raise serializers.ValidationError({"form_data": [_("表单内容须为 JSON 对象。")]}) from None
            data = {k: v for k, v in plain.items() if v not in (None, "")}
        return super().to_internal_value(data)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class SupplementItemSerializer(serializers.Serializer):
    material = serializers.CharField()
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class SupplementSerializer(serializers.Serializer):
    items = SupplementItemSerializer(many=True)
    note = serializers.CharField(allow_blank=True, required=False, default="")


class AcceptSerializer(serializers.Serializer):
    deferred = serializers.ListField(child=serializers.IntegerField(), required=False, default=list,
                                     help_text="容缺受理:可限期补交的材料要求 id")
    deferred_until = serializers.DateField(required=False, allow_null=True, default=None, help_text="补交期限")


class PauseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SubCasePause.Kind.choices)
    reason = serializers.CharField()


class ResumeSerializer(serializers.Serializer):
    result = serializers.CharField(allow_blank=True, required=False, default="")


class ExtensionSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=10)
    reason = serializers.CharField()


class ExtensionDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()


class DeliverSerializer(serializers.Serializer):
    id_number = serializers.CharField(help_text="领取时核验的申请人身份证号码")


def resolve_matters(*, theme_code="", matter_codes=()):
    """(theme, matters) from a theme code or a list of matter codes; Invalid when neither fits."""
    if theme_code:
        theme, matters = theme_for_submission(theme_code)
        if theme is None:
            raise Invalid(_("未找到该主题。"), code="theme_not_found", fields={"theme": [_("主题不存在或已停用。")]})
        return theme, matters
    matters = list(Matter.objects.filter(code__in=matter_codes, is_active=True).prefetch_related("fields", "materials"))
    if not matter_codes or len(matters) != len(set(matter_codes)):
        raise Invalid(_("请选择有效的事项。"), code="matter_not_found", fields={"matters": [_("事项不存在或已停用。")]})
    return None, matters


# --- views -----------------------------------------------------------------------------------


class ApplicationViewSet(viewsets.GenericViewSet):
    lookup_field = "number"
    lookup_value_regex = r"[0-9A-Z-]+"
    serializer_class = ApplicationDetailSerializer

    def get_queryset(self):
        return selectors.applications_for(self.request.user)

    def _detail(self, application, status_code=status.HTTP_200_OK):
        if not getattr(application, "written_now", False):  # else: primed from the rows just written
            application = selectors.application_detail(self.request.user, application.number)
        return self._answer(application, status_code)

    def _answer(self, application, status_code=status.HTTP_200_OK):
        return Response(detail_answer(application, self.request), status=status_code)

    @extend_schema(responses=ApplicationListSerializer(many=True), summary="我能看到的办件")
    def list(self, request):
        # the columns and relations a list row shows (for_list): the detail's six joins took
        # 9 ms of PostgreSQL's planning for 0.4 ms of execution at 1M (issue 15)
        page = self.paginate_queryset(selectors.for_list(self.get_queryset()).order_by("-pk"))
        return self.get_paginated_response(ApplicationListSerializer(page, many=True).data)

    @extend_schema(summary="办件详情")
    def retrieve(self, request, number=None):
        return self._answer(selectors.application_detail(request.user, number))

    @extend_schema(
        request=ApplicationCreateSerializer, responses={201: ApplicationDetailSerializer}, summary="网上申办(提交)",
        description="群众或企业经办人提交一个办件。材料文件以 multipart 字段 material_<材料要求id> 上传。"
        "带相同 Idempotency-Key 重试时返回第一次的结果,不会重复建件。",
        examples=[OpenApiExample("开办企业", value={"theme": "kaiban-qiye", "enterprise": "", "form_data": {"company_name": "清远市清新区禾云山茶业有限公司"}}, request_only=True)],
    )
    @idempotent
    def create(self, request):
        if not request.user.is_public:
            raise Forbidden(_("工作人员请通过窗口收件登记办件。"), code="staff_cannot_apply_online")
        payload = ApplicationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        theme, matters = resolve_matters(theme_code=data.get("theme", ""), matter_codes=data.get("matters", []))
        applicant, enterprise, agent = request.user, enterprise_by_credit_code(data.get("enterprise")), None
        if data.get("on_behalf") is not None:
            grant = AgentAuthorisation.objects.filter(pk=data["on_behalf"], agent=request.user).select_related(
                "principal", "enterprise").first()
            if grant is None:
                raise NotFound(_("未找到该委托。"), code="authorisation_not_found")
            applicant, enterprise, agent = grant.principal, grant.enterprise, request.user
        # 免提交/免填: the data sources are asked before the submission's transaction (logged even if it fails)
        services.exemption_preview(applicant=applicant, asked_by=request.user, enterprise=enterprise, matters=matters,
                                   requirements=material_requirements(matters))
        application = services.application_submit(submission=services.Submission(
            applicant=applicant, matters=matters, theme=theme, form_data=data["form_data"], files=request.FILES,
            enterprise=enterprise, idempotency_key=idempotency_key(request), agent=agent,
            delivery=data.get("delivery") if isinstance(data.get("delivery"), dict) else None,
            reports=data.get("reports") or None,
        ))
        written = getattr(application, "written", None)  # None: the first submission with this key, read back
        if written is not None:
            selectors.prime_detail(application, **written)
        return self._detail(application, status.HTTP_201_CREATED)

    @extend_schema(request=AcceptSerializer, summary="受理(综合窗口);可容缺受理",
                   examples=[OpenApiExample("容缺受理", value={"deferred": [12], "deferred_until": "2026-12-03"},
                                            request_only=True)])
    @action(detail=True, methods=["post"])
    @idempotent
    def accept(self, request, number=None):
        payload = AcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = selectors.access_application(request.user, number)
        return self._detail(services.application_accept(application=application, clerk=request.user,
                                                        **payload.validated_data))

    @extend_schema(
        request=SupplementSerializer, summary="一次性告知补正(综合窗口)",
        description="一次列明全部需要补正的材料及原因;已告知过的材料不得再次要求补正,除非督查人员准许。",
        examples=[OpenApiExample("一次性告知", request_only=True, value={
            "items": [{"material": "公司章程", "reason": "未经全体股东签字"},
                      {"material": "住所使用证明", "reason": "租赁合同已过期"}],
            "note": "请一次补齐后在网上重新提交,或到任一综合窗口提交。"})],
        responses={200: ApplicationDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="request-supplement")
    @idempotent
    def request_supplement(self, request, number=None):
        payload = SupplementSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = selectors.access_application(request.user, number)
        services.application_request_supplement(
            application=application, clerk=request.user, items=payload.validated_data["items"],
            note=payload.validated_data["note"],
        )
        return self._detail(application)

    @extend_schema(request=ReasonSerializer, summary="准许就已告知的材料再次补正一次(督查人员)")
    @action(detail=True, methods=["post"], url_path="allow-repeat-supplement")
    @idempotent
    def allow_repeat_supplement(self, request, number=None):
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = selectors.access_application(request.user, number)
        services.supplement_repeat_allow(application=application, supervisor=request.user,
                                         reason=payload.validated_data["reason"])
        return self._detail(application)

    @extend_schema(request=ReasonSerializer, summary="不予受理(综合窗口)")
    @action(detail=True, methods=["post"])
    @idempotent
    def refuse(self, request, number=None):
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = selectors.access_application(request.user, number)
        return self._detail(
            services.application_refuse(application=application, clerk=request.user, reason=payload.validated_data["reason"])
        )

    @extend_schema(request=None, summary="补正后重新提交(申请人)", description="补正材料以 multipart 字段 material_<材料要求id> 上传;"
                   "或以 reports 字段({\"材料要求id\": 合同id} 的 JSON)使用已交付的中介服务成果。")
    @action(detail=True, methods=["post"])
    @idempotent
    def resubmit(self, request, number=None):
        application = selectors.access_application(request.user, number)
        try:
            reports = clean_reports(request.data.get("reports"))
        except serializers.ValidationError as exc:
            raise Invalid(exc.detail[0], code="invalid_reports", fields={"reports": list(exc.detail)}) from None
        return self._detail(services.application_resubmit(application=application, applicant=request.user,
                                                          files=request.FILES, reports=reports))

    @extend_schema(request=ReasonSerializer, summary="撤回申请(申请人)")
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request, number=None):
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = selectors.access_application(request.user, number)
        return self._detail(
            services.application_withdraw(application=application, applicant=request.user, reason=payload.validated_data["reason"])
        )

    @extend_schema(request=DeliverSerializer, summary="出件(综合出件窗口)",
                   description="核验领取人出示的申请人身份证件后出件;号码不一致时拒绝(400 id_mismatch)。"
                   "申请人选择邮寄或电子证照时(409 not_hall_delivery)、选择在其他大厅领取时(409 other_pickup_hall)拒绝。",
                   examples=[OpenApiExample("出件", request_only=True, value={"id_number": "44180319900307123X"})])
    @action(detail=True, methods=["post"])
    @idempotent
    def deliver(self, request, number=None):
        payload = DeliverSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = selectors.access_application(request.user, number)
        return self._detail(
            services.application_deliver(application=application, clerk=request.user, id_number=payload.validated_data["id_number"])
        )

    @extend_schema(
        request=DeliveryChoiceSerializer, summary="选择或修改结果领取方式(申请人)",
        description="出件前可改:窗口领取(本区任一大厅)、邮寄送达(收件人、手机号码、地址)、电子证照(仅当全部事项出具证照)。"
        "结果已办结且选择电子证照时,证照签发后即送达。",
        examples=[OpenApiExample("邮寄送达", request_only=True, value={
            "method": "post", "recipient": "陈志明", "phone": "13826651024", "address": "清远市清新区太和镇玄真路8号3栋502"})],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def delivery(self, request, number=None):
        payload = DeliveryChoiceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = selectors.access_application(request.user, number)
        return self._detail(services.application_set_delivery(application=application, applicant=request.user,
                                                              delivery=payload.validated_data))

    @extend_schema(
        request=PostingSerializer, summary="登记邮寄送达(受理大厅的综合出件窗口)",
        examples=[OpenApiExample("交寄", request_only=True, value={"carrier": "中国邮政EMS", "tracking_number": "1186543210975"})],
    )
    @action(detail=True, methods=["post"], url_path="post")
    @idempotent
    def record_posting(self, request, number=None):
        payload = PostingSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = selectors.access_application(request.user, number)
        return self._detail(services.application_post(application=application, clerk=request.user,
                                                      **payload.validated_data))

    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="下载申请材料文件")
    @action(detail=True, methods=["get"], url_path=r"materials/(?P<material_id>\d+)/file", url_name="material")
    def material(self, request, number=None, material_id=None):
        application = selectors.access_application(request.user, number)
        material = selectors.visible_materials(request.user, application).filter(pk=material_id).exclude(file="").first()
        if material is None:
            raise NotFound(_("未找到该材料文件。"), code="material_not_found")
        return file_response(material.file, filename=material.original_name or "材料", inline=True)

    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="下载文书 PDF")
    @action(detail=True, methods=["get"], url_path=r"notices/(?P<notice_id>\d+)/file", url_name="notice")
    def notice(self, request, number=None, notice_id=None):
        application = selectors.access_application(request.user, number)
        notice = Notice.objects.filter(application=application, pk=notice_id).first()
        if notice is None:
            raise NotFound(_("未找到该文书。"), code="notice_not_found")
        return FileResponse(notice.file.open("rb"), content_type="application/pdf",
                            filename=f"{application.number}-{notice.get_kind_display()}.pdf")


class SubCaseDetailSerializer(SubCaseBriefSerializer):
    application = ApplicationListSerializer()
    form = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField(help_text="期限说明:起算、承诺时限、暂停、延期、期限、颁证期限")

    class Meta(SubCaseBriefSerializer.Meta):
        fields = SubCaseBriefSerializer.Meta.fields + ["application", "form", "materials", "explanation"]

    def get_explanation(self, obj) -> dict:
        return selectors.deadline_explanation(obj)

    def get_form(self, obj) -> list[dict]:
        user = self.context["request"].user
        return [{"label": label, "value": value} for label, value in selectors.visible_form_data(user, obj.application, obj)]

    def get_materials(self, obj) -> list[dict]:
        user = self.context["request"].user
        url = material_urls(obj.application)
        return [
            {"id": m.pk, "name": m.name, "source": m.source, "source_display": m.get_source_display(),
             "url": url(m) if m.file else None}
            for m in selectors.visible_materials(user, obj.application, obj)
        ]


class SubCaseViewSet(viewsets.GenericViewSet):
    lookup_field = "number"
    lookup_value_regex = r"[0-9A-Z-]+"
    serializer_class = SubCaseDetailSerializer

    def get_queryset(self):
        return selectors.subcases_for(self.request.user)

    def _detail(self, subcase):
        subcase = selectors.access_subcase(self.request.user, subcase.number)
        return Response(SubCaseDetailSerializer(subcase, context={"request": self.request}).data)

    @extend_schema(responses=SubCaseBriefSerializer(many=True), summary="我能看到的子件(审批人员:本部门)")
    def list(self, request):
        user = request.user
        if user.is_authenticated and user.is_clerk:  # her parts, each read for one page
            parts = selectors.clerk_subcase_parts(user)
            subcases = self.paginator.narrowed(selectors.subcases_for(user, clerk_parts=parts), request, parts)
        else:
            subcases = self.get_queryset()
        page = self.paginate_queryset(subcases.order_by("-pk"))
        return self.get_paginated_response(SubCaseBriefSerializer(page, many=True).data)

    @extend_schema(summary="子件详情(只含本事项所需的表单字段与材料)")
    def retrieve(self, request, number=None):
        return self._detail(selectors.access_subcase(request.user, number))

    @extend_schema(request=None, summary="开始审查")
    @action(detail=True, methods=["post"])
    @idempotent
    def start(self, request, number=None):
        subcase = selectors.access_subcase(request.user, number)
        return self._detail(services.subcase_start_examining(subcase=subcase, reviewer=request.user))

    @extend_schema(request=ReasonSerializer, summary="准予许可")
    @action(detail=True, methods=["post"])
    @idempotent
    def approve(self, request, number=None):
        return self._decide(request, number, approve=True)

    @extend_schema(request=ReasonSerializer, summary="不予许可(须说明理由)",
                   examples=[OpenApiExample("不予许可", request_only=True, value={
                       "reason": "经现场核查,经营场所与生活区未有效分隔,不符合《食品经营许可和备案管理办法》第十二条规定。"})])
    @action(detail=True, methods=["post"])
    @idempotent
    def deny(self, request, number=None):
        return self._decide(request, number, approve=False)

    @extend_schema(request=PauseSerializer, summary="进入特别程序(暂停计时,第四十五条)")
    @action(detail=True, methods=["post"])
    @idempotent
    def suspend(self, request, number=None):
        payload = PauseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        subcase = selectors.access_subcase(request.user, number)
        services.subcase_suspend(subcase=subcase, reviewer=request.user, **payload.validated_data)
        return self._detail(subcase)

    @extend_schema(request=ResumeSerializer, summary="特别程序结束,恢复计时")
    @action(detail=True, methods=["post"])
    @idempotent
    def resume(self, request, number=None):
        payload = ResumeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        subcase = selectors.access_subcase(request.user, number)
        return self._detail(services.subcase_resume(subcase=subcase, reviewer=request.user, **payload.validated_data))

    @extend_schema(request=ExtensionSerializer, summary="申请延期(一次,至多10个工作日,第四十二条)")
    @action(detail=True, methods=["post"], url_path="request-extension")
    @idempotent
    def request_extension(self, request, number=None):
        payload = ExtensionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        subcase = selectors.access_subcase(request.user, number)
        services.subcase_request_extension(subcase=subcase, reviewer=request.user, **payload.validated_data)
        return self._detail(subcase)

    @extend_schema(request=ExtensionDecisionSerializer, summary="部门负责人批准或驳回延期")
    @action(detail=True, methods=["post"], url_path="decide-extension")
    @idempotent
    def decide_extension(self, request, number=None):
        payload = ExtensionDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        subcase = selectors.access_subcase(request.user, number)
        services.check_department_leader(request.user, subcase)
        extension = subcase.extensions.filter(status=SubCaseExtension.Status.PENDING).first()
        if extension is None:
            raise Conflict(_("没有待批准的延期申请。"), code="no_pending_extension")
        services.subcase_decide_extension(extension=extension, leader=request.user, approve=payload.validated_data["approve"])
        return self._detail(subcase)

    def _decide(self, request, number, *, approve):
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        subcase = selectors.access_subcase(request.user, number)
        return self._detail(
            services.subcase_decide(subcase=subcase, reviewer=request.user, approve=approve,
                                    reason=payload.validated_data["reason"])
        )

