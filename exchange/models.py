"""The sharing and exchange platform: every message to or from another department's system."""

import calendar
import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from core.models import AppendOnlyModel
from core.pii import BlindIndexField, EncryptedField, EncryptedJSONField


class ExchangeMessage(AppendOnlyModel):
    """One logged exchange. `case_ref` names the case by its readable number: `exchange` knows
    no applications (it sits below `workflow`)."""

    class Kind(models.TextChoices):
        DISPATCH = "dispatch", _("子件分派")
        DECISION = "decision", _("审批结果回传")
        QUERY = "query", _("数据查询")

    class Channel(models.TextChoices):
        BACK_OFFICE = "back_office", _("本平台后台审批")
        DEPARTMENT_SYSTEM = "department_system", _("部门自建系统接口")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("通道"), max_length=24, choices=Channel.choices, default=Channel.BACK_OFFICE)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    case_ref = models.CharField(_("办件/子件编号"), max_length=40, db_index=True)
    payload = EncryptedJSONField(default=dict)  # the form data travels in it: encrypted at rest
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("交换记录")
        verbose_name_plural = _("交换记录")
        ordering = ["-created_at"]
        constraints = [*AppendOnlyModel.Meta.constraints,
                       models.UniqueConstraint(fields=["kind", "case_ref"], name="unique_exchange_per_case_kind")]


class LicenceSequence(models.Model):
    """Per-(district, year) counter for licence numbers; the row is locked while a number is drawn.
    The district is the issuing department's (`Region.district_code`, docs/decisions.md issue 15)."""

    district = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="licence_sequence_district_year")]


class LicenceStatus(models.TextChoices):
    """A licence's state on a given day (not stored: derived from revocation and validity)."""

    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已注销")
    EXPIRED = "expired", _("已过期")


class ElectronicLicence(models.Model):
    """An electronic licence (电子证照) in the store.

    `exchange` knows no applications: the case that led to it is named by its readable numbers
    (`case_ref`: the sub-case, one licence per sub-case; `application_number`). The holder's full
    ID number or credit code is kept for matching 免提交 materials and never shown: the PDF and
    every page print `holder_id_masked`. `digest` is the SHA-256 of the licence's canonical
    content; its first 16 hex digits are printed as the verification code. The holder comes from
    the licence type (`Matter.licence_holder`): the applicant, or a person named in the form.
    """

    number = models.CharField(_("证照编号"), max_length=32, unique=True)
    case_ref = models.CharField(_("子件编号"), max_length=40, unique=True)
    application_number = models.CharField(_("办件编号"), max_length=32, db_index=True)
    name = models.CharField(_("证照名称"), max_length=128)
    licence_type = models.ForeignKey("LicenceType", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="licences", verbose_name=_("证照类型"))
    # GB/T 36904 identifier (exchange.licence_identifier): empty when the type has no national type
    # code or no issuer credit code.
    identifier = models.CharField(_("证照标识"), max_length=128, blank=True, db_index=True)
    # The type's data items (照面信息) as issued: {key: value}, checked against the type at issue.
    data = EncryptedJSONField(_("照面信息"), default=dict, blank=True)
    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.PROTECT, related_name="licences", verbose_name=_("事项")
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="licences", verbose_name=_("发证部门"))
    holder_name = models.CharField(_("持证人"), max_length=128)
    holder_id_number = EncryptedField(_("持证人证件号码"), index_field="holder_id_index", index_kind="id_number")
    holder_id_index = BlindIndexField(source="holder_id_number", kind="id_number", db_index=True)
    holder_id_masked = models.CharField(_("持证人证件号码(脱敏)"), max_length=18)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="licences",
        verbose_name=_("持证人账号"),
    )
    holder_enterprise = models.ForeignKey(
        "accounts.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="licences",
        verbose_name=_("持证单位"),
    )
    # A holder who is not the applicant (a newborn on a 出生医学证明: no ID number, no account) is
    # named with a birth date, and the applicant is the guardian (监护人): the licence shows on the
    # guardian's 我的证照 and the guardian's 免提交 look-ups find it.
    holder_birth_date = models.DateField(_("持证人出生日期"), null=True, blank=True)
    guardian_name = models.CharField(_("监护人"), max_length=128, blank=True)
    guardian_id_number = models.CharField(_("监护人证件号码"), max_length=18, blank=True, db_index=True)
    guardian_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="guarded_licences",
        verbose_name=_("监护人账号"),
    )
    issued_on = models.DateField(_("发证日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("为空表示长期有效"))
    file = models.FileField(upload_to="licences/%Y/%m/")
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    digest = models.CharField(_("内容摘要"), max_length=64, db_index=True)
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revocation_reason = models.CharField(_("注销原因"), max_length=255, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("注销人"))
    # Ed25519 signature of `digest` by the issuing department's key (exchange.licence_signing);
    # empty for a licence issued before licences were signed.
    signature = models.CharField(_("签名(Base64)"), max_length=128, blank=True)
    signing_key = models.ForeignKey("IssuerKey", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("签名密钥"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return f"{self.name} {self.number}"

    @staticmethod
    def held_by(id_number: str) -> models.Q:
        """The licences whose holder has this ID number or credit code, or whose holder's guardian
        has it (the parent of a newborn): what 免提交 look-ups find for an applicant."""
        return models.Q(holder_id_number=id_number) | models.Q(guardian_id_number=id_number)

    @property
    def verification_code(self) -> str:
        head = self.digest[:16].upper()
        return "-".join(head[i:i + 4] for i in range(0, 16, 4))

    def status_on(self, day) -> str:
        """A `LicenceStatus` value on a Beijing date."""
        if self.revoked_at is not None:
            return LicenceStatus.REVOKED
        if self.valid_until is not None and self.valid_until < day:
            return LicenceStatus.EXPIRED
        return LicenceStatus.VALID


# --- department systems (前台受理、后台审批 across systems) ---------------------------------------


class DepartmentSystem(models.Model):
    """A department's own approval system. While `active`, the department decides there: its
    sub-cases are pushed to `base_url` through the outbox and its decisions come back signed
    (docs/exchange-protocol.md). `account` is the reviewer account the decisions are recorded
    under in case logs (made on save, it cannot log in)."""

    department = models.OneToOneField(
        Department, on_delete=models.PROTECT, related_name="own_system", verbose_name=_("部门"))
    name = models.CharField(_("系统名称"), max_length=128)
    base_url = models.URLField(_("接口地址"), help_text=_("例如 http://10.1.2.3:8701,不含末尾的斜杠"))
    active = models.BooleanField(
        _("在本部门自建系统审批"), default=False,
        help_text=_("勾选后,该部门的子件推送至其自建系统审批,审批结果经签名接口回传。"))
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("系统账号"))
    # where the reconciler's last reading of the system's lists ended (exchange.reconcile):
    # {"store": the system's store id, "received": n, "decisions": n}; {} reads everything
    cursor = models.JSONField(_("对账游标"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("部门自建审批系统")
        verbose_name_plural = _("部门自建审批系统")

    def __str__(self):
        return self.name


class DepartmentKey(models.Model):
    """A shared HMAC key of a department system. At most two are active at once (a rotation):
    either verifies, the newer one signs. The secret is stored encrypted (exchange 0020)."""

    system = models.ForeignKey(DepartmentSystem, on_delete=models.CASCADE, related_name="keys", verbose_name=_("系统"))
    key_id = models.CharField(_("密钥编号"), max_length=32)
    # encrypted at rest with the personal-data keys (core.pii), like IssuerKey's private halves
    secret = EncryptedField(_("密钥(加密存储)"))
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["system", "key_id"], name="unique_key_id_per_system")]

    def __str__(self):
        return self.key_id


class OutboxMessage(models.Model):
    """One message to a department system, written in the transaction of the change that causes
    it and delivered by the relay (`exchange.relay`): retried with capped exponential backoff,
    dead-lettered after `EXCHANGE_RELAY_MAX_ATTEMPTS`, re-sent by an administrator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        DELIVERED = "delivered", _("已送达")
        DEAD = "dead", _("死信(待人工处理)")

    message_id = models.UUIDField(_("消息编号"), unique=True, default=uuid.uuid4, editable=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    kind = models.CharField(_("类型"), max_length=32)
    case_ref = models.CharField(_("子件编号"), max_length=40, db_index=True)
    path = models.CharField(_("接口路径"), max_length=128, default="/api/subcases/")
    body = EncryptedJSONField(_("消息内容"))  # the matter's form fields travel in it: encrypted at rest
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送"), default=timezone.now)
    last_status = models.PositiveSmallIntegerField(_("最近应答码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("对账确认时间"), null=True, blank=True,
                                        help_text=_("部门系统的收件清单列出该消息的时间(对账)"))
    dead_at = models.DateTimeField(_("转入死信时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发件箱消息")
        verbose_name_plural = _("发件箱消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.kind} {self.case_ref}"


class InboundMessage(models.Model):
    """A decision received from a department system, once per `message_id`: a repeat gets the
    first answer again (`status_code`, `answer`). `source` says whether it was pushed by the
    department or pulled by the reconciler."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("已办理")
        REJECTED = "rejected", _("未能办理")

    message_id = models.CharField(_("消息编号"), max_length=64, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    kind = models.CharField(_("类型"), max_length=32)
    case_ref = models.CharField(_("子件编号"), max_length=40, db_index=True)
    body = EncryptedJSONField(_("消息内容"))  # a department's reasons and licence data: encrypted at rest
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    status_code = models.PositiveSmallIntegerField(_("应答码"))
    answer = models.JSONField(_("应答"))
    source = models.CharField(_("来源"), max_length=16, default="push")
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收到的审批结果")
        verbose_name_plural = _("收到的审批结果")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.kind} {self.case_ref}"


class SeenNonce(models.Model):
    """Nonces of accepted signed requests, kept for twice the timestamp window: a second use is
    a replay. The unique key makes two simultaneous replays fail the same way."""

    nonce = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)


class RefusedRequest(AppendOnlyModel):
    """A signed request refused (forged, stale, replayed, unknown key): kept for the auditor."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    code = models.CharField(_("拒绝原因"), max_length=32)
    department_code = models.CharField(_("自称部门"), max_length=32, blank=True)
    key_id = models.CharField(_("密钥编号"), max_length=32, blank=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=255)
    remote_addr = models.CharField(_("来源地址"), max_length=64, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("被拒绝的接口请求")
        verbose_name_plural = _("被拒绝的接口请求")
        ordering = ["-at"]


class MaterialDownload(AppendOnlyModel):
    """A material's file fetched by a department system through the signed download endpoint
    (`GET /api/exchange/materials/<id>/file/`): which department (and key), which material of
    which sub-case, when, and the SHA-256 of the bytes served. `exchange` knows no applications:
    the material is named by its id and name, the sub-case by its number."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    key_id = models.CharField(_("密钥编号"), max_length=32)
    case_ref = models.CharField(_("子件编号"), max_length=40, db_index=True)
    material_id = models.PositiveBigIntegerField(_("材料编号"))
    name = models.CharField(_("材料名称"), max_length=128)
    size = models.PositiveIntegerField(_("字节数"))
    sha256 = models.CharField(_("所送文件摘要"), max_length=64)
    remote_addr = models.CharField(_("来源地址"), max_length=64, blank=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("材料下载记录")
        verbose_name_plural = _("材料下载记录")
        ordering = ["-at"]


class Reconciliation(models.Model):
    """One comparison of what we sent and received with what a department system says it has
    (`exchange.reconcile`): the figures and the case numbers behind them."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("部门"))
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    ok = models.BooleanField(_("部门系统可达"), default=True)
    unacknowledged = models.JSONField(_("未获确认的消息"), default=list)
    resent = models.JSONField(_("部门系统缺失、已重发的消息"), default=list)
    applied = models.JSONField(_("补办的审批结果"), default=list)
    rejected = models.JSONField(_("无法补办的审批结果"), default=list)
    error = models.CharField(_("错误"), max_length=255, blank=True)
    read = models.JSONField(_("读取的清单条数"), default=dict, blank=True,
                            help_text=_('{"received": n, "decisions": n, "full": 是否从头读取}'))

    class Meta:
        verbose_name = _("对账记录")
        verbose_name_plural = _("对账记录")
        ordering = ["-at"]


class CatalogFeedVersion(models.Model):
    """A version of the province catalog feed, applied to our catalog once, with its report of
    what it added, changed and withdrew."""

    version = models.PositiveIntegerField(_("目录版本"), unique=True)
    published_on = models.CharField(_("发布日期"), max_length=10)
    fetched_at = models.DateTimeField(_("同步时间"), auto_now_add=True)
    matters = models.JSONField(_("目录内容"))
    report = models.JSONField(_("变更报告"), default=dict)

    class Meta:
        verbose_name = _("省级事项目录版本")
        verbose_name_plural = _("省级事项目录版本")
        ordering = ["-version"]

    def __str__(self):
        return f"v{self.version}"


class DataSourcePolicy(models.Model):
    """Which data source a matter may query and for which fields (数据共享授权), declared in the
    admin per matter; a query outside it is refused before anything is sent."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.CASCADE, related_name="data_source_policies",
                               verbose_name=_("事项"))
    source = models.CharField(_("数据来源"), max_length=16, choices=[
        ("huji", _("户籍")), ("shebao", _("社保")), ("gongjijin", _("公积金")), ("budongchan", _("不动产")),
        ("hunyin", _("婚姻")), ("qiye", _("企业登记")), ("shui", _("水")), ("dian", _("电")), ("ranqi", _("燃气")),
        ("jiaotong", _("交通违章"))])
    fields = models.JSONField(_("可查询字段"), default=list, help_text=_("字段名列表,如 [\"address\"]"))
    purpose = models.CharField(_("用途"), max_length=128)

    class Meta:
        verbose_name = _("数据共享授权")
        verbose_name_plural = _("数据共享授权")
        constraints = [models.UniqueConstraint(fields=["matter", "source"], name="datasourcepolicy_matter_source")]

    def __str__(self):
        return f"{self.matter} · {self.get_source_display()}"


class DataQuery(AppendOnlyModel):
    """One query of a person's or an enterprise's data at a source: who asked, for which case,
    which fields, when, why, and how it ended. Written before the answer is used; never changed.
    The subject is a person (`subject`, by ID number) or an enterprise (`subject_enterprise`, by
    its unified social credit code), never both."""

    class Outcome(models.TextChoices):
        FOUND = "found", _("已获取")
        NOT_FOUND = "not_found", _("无记录")
        FAILED = "failed", _("查询失败")

    subject = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="data_queries", verbose_name=_("数据主体"))
    subject_enterprise = models.ForeignKey("accounts.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="data_queries", verbose_name=_("数据主体(企业)"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("查询人"))
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="+", verbose_name=_("事项"))
    case_ref = models.CharField(_("办件编号"), max_length=32, blank=True)
    source = models.CharField(_("数据来源"), max_length=16)
    fields = models.JSONField(_("查询字段"), default=list)
    purpose = models.CharField(_("用途"), max_length=128)
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    answer = EncryptedJSONField(_("获取的数据"), default=dict, blank=True,  # addresses, numbers: encrypted at rest
                              help_text=_("查到的字段及其值(仅限授权字段),供审批人员查看"))
    answer_digest = models.CharField(_("数据摘要"), max_length=64, blank=True)
    asked_at = models.DateTimeField(_("查询时间"), default=timezone.now, db_index=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("数据使用记录")
        verbose_name_plural = _("数据使用记录")
        indexes = [models.Index(fields=["subject", "-asked_at"], name="dataquery_subject_at"),
                   models.Index(fields=["subject_enterprise", "-asked_at"], name="dataquery_enterprise_at")]
        constraints = [*AppendOnlyModel.Meta.constraints, models.CheckConstraint(
            condition=models.Q(subject__isnull=False, subject_enterprise__isnull=True)
            | models.Q(subject__isnull=True, subject_enterprise__isnull=False), name="dataquery_one_subject")]


class MaterialSource(models.Model):
    """Where a material requirement can be had without the applicant handing it in (免提交): the
    answer of a data source (within the matter's `DataSourcePolicy`: the same source, fields it
    allows) or a valid e-licence of a name that the applicant holds. Declared in the admin; a
    requirement without one keeps its catalog description (`MaterialRequirement.source`) only."""

    class Kind(models.TextChoices):
        DATA_SOURCE = "data_source", _("数据共享")
        LICENCE = "licence", _("电子证照")

    requirement = models.OneToOneField("matters.MaterialRequirement", on_delete=models.CASCADE,
                                       related_name="exchange_source", verbose_name=_("申请材料"))
    kind = models.CharField(_("获取方式"), max_length=16, choices=Kind.choices, default=Kind.DATA_SOURCE)
    source = models.CharField(_("数据来源"), max_length=16, blank=True, choices=DataSourcePolicy._meta.get_field(
        "source").choices)
    fields = models.JSONField(_("核验字段"), default=list, blank=True,
                              help_text=_("该来源须查到的字段,须在事项的数据共享授权之内,如 [\"name\", \"address\"]"))
    licence_name = models.CharField(_("证照名称"), max_length=128, blank=True,
                                    help_text=_("以电子证照获取时:申请人须持有的有效证照名称"))

    class Meta:
        verbose_name = _("免提交材料来源")
        verbose_name_plural = _("免提交材料来源")

    def __str__(self):
        return f"{self.requirement} ← {self.source_label}"

    @property
    def source_label(self) -> str:
        if self.kind == self.Kind.LICENCE:
            return _("电子证照:%(name)s") % {"name": self.licence_name}
        return _("%(source)s数据") % {"source": self.get_source_display()}

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.LICENCE:
            if not self.licence_name.strip():
                raise ValidationError({"licence_name": _("请填写证照名称。")})
            return
        if not self.source or not self.fields:
            raise ValidationError({"source": _("以数据共享获取时,请选择数据来源并填写核验字段。")})
        if not isinstance(self.fields, list) or not all(isinstance(f, str) for f in self.fields):
            raise ValidationError({"fields": _("核验字段须为字段名列表。")})
        policy = DataSourcePolicy.objects.filter(matter_id=self.requirement.matter_id, source=self.source).first()
        if policy is None:
            raise ValidationError({"source": _("该事项未获授权查询此数据来源,请先在“数据共享授权”中声明。")})
        outside = sorted(set(self.fields) - set(policy.fields))
        if outside:
            raise ValidationError({"fields": _("以下字段不在该事项的数据共享授权之内:%(f)s") % {"f": "、".join(outside)}})


class FieldSource(models.Model):
    """A one-form field pre-filled from a data source (免填): the field of the matter whose key is
    `field_key` takes `source`'s `source_field` (within the matter's `DataSourcePolicy`)."""

    matter = models.ForeignKey("matters.Matter", on_delete=models.CASCADE, related_name="field_sources",
                               verbose_name=_("事项"))
    field_key = models.SlugField(_("表单字段键"), max_length=64)
    source = models.CharField(_("数据来源"), max_length=16, choices=DataSourcePolicy._meta.get_field("source").choices)
    source_field = models.CharField(_("来源字段"), max_length=64, help_text=_("如 address"))

    class Meta:
        verbose_name = _("免填字段来源")
        verbose_name_plural = _("免填字段来源")
        constraints = [models.UniqueConstraint(fields=["matter", "field_key"], name="fieldsource_matter_key")]

    def __str__(self):
        return f"{self.matter} · {self.field_key} ← {self.source}.{self.source_field}"

    def clean(self):
        from django.core.exceptions import ValidationError

        policy = DataSourcePolicy.objects.filter(matter_id=self.matter_id, source=self.source).first()
        if policy is None or self.source_field not in policy.fields:
            raise ValidationError({"source_field": _("该字段不在该事项的数据共享授权之内。")})
        if not self.matter.fields.filter(key=self.field_key).exists():
            raise ValidationError({"field_key": _("该事项没有此表单字段。")})


class Exemption(AppendOnlyModel):
    """One material not handed in (免提交) or one form field not typed (免填) on a submitted
    application, named by its number (`exchange` knows no applications): the ledger the
    dashboard counts. A field the applicant corrected is kept with `corrected` set and is not
    counted as 免填."""

    class Kind(models.TextChoices):
        MATERIAL = "material", _("免提交")
        FIELD = "field", _("免填")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    case_ref = models.CharField(_("办件编号"), max_length=32, db_index=True)
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="+", verbose_name=_("事项"))
    name = models.CharField(_("材料或字段"), max_length=128)
    source = models.CharField(_("来源"), max_length=16, help_text=_("数据来源代码或 licence"))
    reference = models.CharField(_("来源凭据"), max_length=64, blank=True)
    query = models.ForeignKey(DataQuery, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("数据查询"))
    fetched = models.CharField(_("获取的值"), max_length=255, blank=True)
    corrected = models.BooleanField(_("申请人已更正"), default=False)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("免提交/免填记录")
        verbose_name_plural = _("免提交/免填记录")
        indexes = [models.Index(fields=["matter", "at"], name="exemption_matter_at")]


class IssuerKey(models.Model):
    """An issuer's Ed25519 key pair for signing what it issues (电子证照, 文书): a department (its
    licences and decisions), a hall (its acceptance, refusal and supplement notices) or, with
    neither, the service centre itself. Made on the issuer's first signature; the newest active
    one signs, every one kept verifies what it signed; an administrator rotates (admin action): a
    new key signs, the earlier ones only verify. The private key is encrypted at rest with the
    personal-data keys (core.pii)."""

    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="issuer_keys", verbose_name=_("发证部门"))
    hall = models.ForeignKey("accounts.Hall", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="issuer_keys", verbose_name=_("出具文书的大厅"))
    key_id = models.CharField(_("密钥编号"), max_length=32, unique=True)
    algorithm = models.CharField(_("算法"), max_length=16, default="Ed25519")
    public_key = models.CharField(_("公钥(Base64)"), max_length=64)
    private_key = EncryptedField(_("私钥(Base64,加密存储)"), editable=False)
    active = models.BooleanField(_("用于签发"), default=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(department__isnull=True) | models.Q(hall__isnull=True),
                                              name="issuerkey_one_issuer")]

    def __str__(self):
        return f"{self.issuer_name} {self.key_id}"

    @property
    def issuer_name(self) -> str:
        if self.department_id:
            return self.department.name
        if self.hall_id:
            return self.hall.name
        return str(_("综合政务服务中心"))


class LicenceType(models.Model):
    """A type of electronic licence (证照类型), with the catalog metadata GB/T 36903 asks of a type:
    its name and type code, the level of the authority that issues it, whose licence it is (持证主体
    类别: a person, an enterprise, or a person named in the form with the applicant as guardian),
    its data items (照面信息: key, name, type, required), and how long it is valid (months, or 长期).
    The issuing authority's unified social credit code and a type code of the national form make
    the GB/T 36904 identifier of each licence (`exchange.licence_identifier`). The reminder
    settings (days ahead, renewal matter and its number field) are the type's too. Matters point
    at their type (`Matter.licence_type`); edited by administrators (logged as catalog changes)."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCE = "province", _("省级")
        CITY = "city", _("市级")
        DISTRICT = "district", _("区县级")
        TOWN = "town", _("乡镇(街道)级")

    class HolderKind(models.TextChoices):
        PERSON = "person", _("自然人(申请人本人)")
        ENTERPRISE = "enterprise", _("法人和其他组织(所代表的企业;设立登记时为申请人)")
        FORM_PERSON = "form_person", _("表单所填人员(如新生儿),申请人为其监护人")

    name = models.CharField(_("证照名称"), max_length=128, unique=True)
    code = models.CharField(
        _("证照类型代码"), max_length=32, unique=True,
        help_text=_("证照目录中的类型代码;21位(定义部门统一社会信用代码+3位顺序号)时生成 GB/T 36904 证照标识,"
                    "本地代码(如 LOCAL-0001)则不生成。"))
    level = models.CharField(_("颁证机构层级"), max_length=16, choices=Level.choices, default=Level.DISTRICT)
    issuer_code = models.CharField(_("颁证单位统一社会信用代码"), max_length=18, blank=True,
                                   help_text=_("用于生成证照标识;为空则不生成。"))
    holder_kind = models.CharField(_("持证主体类别"), max_length=16, choices=HolderKind.choices,
                                   default=HolderKind.PERSON)
    holder_fields = models.JSONField(
        _("持证人取自表单字段"), default=dict, blank=True,
        help_text=_('持证主体为表单所填人员时,其姓名、出生日期、身份证号码所在的字段键,如 '
                    '{"name": "baby_name", "birth_date": "baby_birth_date"};身份证号码可无。'))
    valid_months = models.PositiveSmallIntegerField(
        _("有效期(月)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1200)],
        help_text=_("自发证之日起的有效期,如居住证 12 个月;为空表示长期有效。部门系统给出有效期时以部门为准。"))
    data_items = models.JSONField(
        _("照面信息项"), default=list, blank=True,
        help_text=_('证照上载明的数据项列表,每项 {"key": "business_scope", "name": "经营项目", "type": "text", '
                    '"required": true, "field": "表单字段键(可无)"};type 为 text、date、number 之一。'))
    days_ahead = models.PositiveSmallIntegerField(
        _("到期提前提醒天数"), default=30, validators=[MinValueValidator(1), MaxValueValidator(366)])
    renewal_matter = models.ForeignKey(
        "matters.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("续办事项"), help_text=_("为空表示重新申请原发证事项"))
    number_field = models.SlugField(_("原证编号字段键"), max_length=64, blank=True,
                                    help_text=_("续办表单中填写原证照编号的字段键,如 residence_permit_number"))

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        ordering = ["name"]

    def __str__(self):
        return self.name

    # a national type code (the defining authority's credit code + 3 digits); anything else, such as
    # the migration's LOCAL-0001, is a placeholder that an administrator still has to replace
    NATIONAL_CODE_REGEX = r"^[0-9A-Z]{18}[0-9]{3}$"

    @classmethod
    def on_local_codes(cls) -> models.Q:
        """The types whose licences get no GB/T 36904 identifier yet: a placeholder type code or no
        issuer credit code (待录入国家目录编码)."""
        return ~models.Q(code__regex=cls.NATIONAL_CODE_REGEX) | models.Q(issuer_code="")

    @property
    def missing_codes(self) -> str:
        """What is still to be entered, in Chinese ('' when nothing)."""
        import re

        missing = []
        if not re.match(self.NATIONAL_CODE_REGEX, self.code or ""):
            missing.append(str(_("国家目录类型代码")))
        if not self.issuer_code:
            missing.append(str(_("颁证单位统一社会信用代码")))
        return "、".join(missing)

    def clean(self):
        from django.core.exceptions import ValidationError

        from accounts.identity import IdentityError, validate_credit_code

        from .licence_data import item_errors

        errors = {}
        if self.holder_kind == self.HolderKind.FORM_PERSON:
            keys = self.holder_fields if isinstance(self.holder_fields, dict) else {}
            if not keys.get("name") or set(keys) - set(HOLDER_FIELD_KEYS):
                errors["holder_fields"] = _('请写明持证人姓名所在的字段键,如 {"name": "baby_name", '
                                            '"birth_date": "baby_birth_date"};只可含 name、birth_date、id_number。')
        if self.issuer_code:
            try:
                self.issuer_code = validate_credit_code(self.issuer_code)
            except IdentityError as exc:
                errors["issuer_code"] = str(exc)
        problems = item_errors(self.data_items)
        if problems:
            errors["data_items"] = problems
        if self.number_field and self.renewal_matter_id and not self.renewal_matter.fields.filter(
                key=self.number_field).exists():
            errors["number_field"] = _("续办事项的表单中没有此字段。")
        if errors:
            raise ValidationError(errors)

    def valid_until(self, issued_on):
        """The last day a licence of this type issued on `issued_on` is valid (the day before the
        same date `valid_months` later, clamped to the month's end), or None (长期)."""
        if not self.valid_months:
            return None
        months = issued_on.month - 1 + self.valid_months
        year, month = issued_on.year + months // 12, months % 12 + 1
        day = min(issued_on.day, calendar.monthrange(year, month)[1])
        return dt.date(year, month, day) - dt.timedelta(days=1)


HOLDER_FIELD_KEYS = ("name", "birth_date", "id_number")  # LicenceType.holder_fields
