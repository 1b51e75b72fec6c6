"""People and organisations: users and their roles, real-name identity, enterprises, and the
district's organisations (regions, departments, halls) that every other app refers to."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.pii import BlindIndexField, EncryptedField

from .identity import IdentityError, mask, mask_phone, validate_credit_code, validate_id_number


class Region(models.Model):
    class Level(models.TextChoices):
        CITY = "city", _("市")
        DISTRICT = "district", _("区")
        TOWN = "town", _("镇(街、林场)")
        VILLAGE = "village", _("村(居)")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def district_code(self) -> str:
        """The GB/T 2260 county-level code (6 digits) this region lies in: a 12-digit statistical
        code starts with its district's, so a town's or village's gives its district's."""
        return self.code[:6]


class Department(models.Model):
    code = models.CharField(_("部门代码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=128)
    short_name = models.CharField(_("简称"), max_length=32)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("所属区划"))
    phone = models.CharField(_("咨询电话"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Hall(models.Model):
    code = models.CharField(_("大厅代码"), max_length=32, unique=True)
    name = models.CharField(_("大厅名称"), max_length=128)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="halls", verbose_name=_("所属区划"))
    address = models.CharField(_("地址"), max_length=255, blank=True)
    phone = models.CharField(_("电话"), max_length=32, blank=True)
    opening_hours = models.CharField(_("办公时间"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("办事大厅")
        verbose_name_plural = _("办事大厅")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Display(models.TextChoices):
    STANDARD = "standard", _("标准版")
    LARGE = "large", _("大字版")


class User(AbstractUser):
    class Role(models.TextChoices):
        PUBLIC = "public", _("群众/企业")
        CLERK = "clerk", _("综合窗口人员")
        REVIEWER = "reviewer", _("审批人员")
        SUPERVISOR = "supervisor", _("督查人员")
        ADMINISTRATOR = "administrator", _("系统管理员")

    # What a page for one role tells anyone else who opens it (core.web.access.role_required).
    ROLE_REFUSALS = {
        Role.PUBLIC: _("该页面供群众和企业办事使用,工作人员请使用工作台。"),
        Role.CLERK: _("该页面仅限综合窗口人员使用。"),
        Role.REVIEWER: _("该页面仅限部门审批人员使用。"),
        Role.SUPERVISOR: _("该页面仅限督查人员使用。"),
        Role.ADMINISTRATOR: _("该页面仅限系统管理员使用。"),
    }

    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.PUBLIC)
    real_name = models.CharField(_("真实姓名"), max_length=64)
    # Encrypted at rest (core/pii.py); look-ups by value go through the blind indexes.
    id_number = EncryptedField(_("身份证号码"), null=True, blank=True, index_field="id_number_index", index_kind="id_number")
    id_number_index = BlindIndexField(source="id_number", kind="id_number", unique=True)
    phone = EncryptedField(_("手机号码"), blank=True, index_field="phone_index", index_kind="phone")
    phone_index = BlindIndexField(source="phone", kind="phone", db_index=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("所属部门")
    )
    is_department_leader = models.BooleanField(
        _("部门负责人"), default=False, help_text=_("可批准本部门子件的延期(行政许可法第四十二条)。")
    )
    # Issue 15: a supervisor's district (督查范围); null = the whole city. A district supervisor
    # sees the departments, halls, windows, clerks and matters whose region lies in it
    # (supervision.scope); the district is derived from a region's code, never stored elsewhere.
    district = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        limit_choices_to={"level": Region.Level.DISTRICT}, verbose_name=_("督查范围(区)"),
        help_text=_("仅督查人员:只看该区的部门、大厅、窗口和事项;留空为全市。"),
    )
    # 适老化 (issue 13): the large-print, high-contrast display this person chose, kept with the
    # account so it follows them to any computer or terminal; "" = not chosen, the device's own
    # choice (a cookie) applies (accounts.display).
    display = models.CharField(_("页面显示方式"), max_length=8, choices=Display.choices, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="reviewer") | models.Q(department__isnull=False),
                name="reviewer_has_department",
            ),
        ]

    def __str__(self):
        return self.real_name or self.username

    @classmethod
    def role_refusal(cls, role) -> str:
        """The refusal a page reserved to `role` shows anyone else ("" when none is written)."""
        message = cls.ROLE_REFUSALS.get(role)
        return str(message) if message else ""

    def clean(self):
        super().clean()
        if self.id_number:
            try:
                self.id_number = validate_id_number(self.id_number)
            except IdentityError as exc:
                raise ValidationError({"id_number": str(exc)}) from None
            # Unique through the blind index, which forms do not validate (it is not editable).
            if User.objects.filter(id_number=self.id_number).exclude(pk=self.pk).exists():
                raise ValidationError({"id_number": _("该身份证号码已有账号。")})
        if self.role == self.Role.REVIEWER and not self.department_id:
            raise ValidationError({"department": _("审批人员必须属于一个部门。")})
        if self.district_id:
            if self.role != self.Role.SUPERVISOR:
                raise ValidationError({"district": _("只有督查人员可以设置督查范围(区)。")})
            if self.district.level != Region.Level.DISTRICT:
                raise ValidationError({"district": _("督查范围须为一个区(县级行政区划)。")})

    @property
    def is_public(self):
        return self.role == self.Role.PUBLIC

    @property
    def is_clerk(self):
        return self.role == self.Role.CLERK

    @property
    def is_reviewer(self):
        return self.role == self.Role.REVIEWER

    @property
    def is_supervisor(self):
        return self.role == self.Role.SUPERVISOR

    @property
    def masked_id_number(self):
        return mask(self.id_number or "")

    @property
    def masked_phone(self):
        return mask_phone(self.phone)


class Enterprise(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=128)
    legal_representative = models.CharField(_("法定代表人"), max_length=64)
    address = models.CharField(_("住所"), max_length=255, blank=True)
    members = models.ManyToManyField(User, through="EnterpriseMembership", related_name="enterprises")

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self):
        return self.name

    def clean(self):
        try:
            self.credit_code = validate_credit_code(self.credit_code)
        except IdentityError as exc:
            raise ValidationError({"credit_code": str(exc)}) from None


class EnterpriseMembership(models.Model):
    """A person who may act for an enterprise (经办人), e.g. the legal representative or staff."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    title = models.CharField(_("身份"), max_length=32, default="经办人")
    may_authorise = models.BooleanField(
        _("可代表企业授权"), default=False,
        help_text=_("法定代表人或经其授权的管理人员:可委托代办人、审核经办人申请。"),
    )

    class Meta:
        verbose_name = _("企业经办人")
        verbose_name_plural = _("企业经办人")
        constraints = [models.UniqueConstraint(fields=["enterprise", "user"], name="unique_enterprise_member")]


class AgentAuthorisationQuerySet(models.QuerySet):
    def valid_on(self, day):
        """Authorisations in force on `day`: started, not ended, not revoked."""
        return self.filter(revoked_at__isnull=True, starts_on__lte=day, ends_on__gte=day)


class AgentAuthorisation(models.Model):
    """委托代办: a person (or an enterprise, through a member entitled to) authorises an agent to
    apply for named matters during a period. The matters are referred to by name ("matters.Matter")
    only: accounts never imports matters."""

    class RecordedAt(models.TextChoices):
        ONLINE = "online", _("委托人网上登记")
        WINDOW = "window", _("窗口登记(委托人到场,已核验授权委托书)")

    principal = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="agent_grants", verbose_name=_("委托人"),
        help_text=_("委托人本人;以企业名义委托时为代表企业签署委托的人。"),
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="agent_grants",
        verbose_name=_("委托单位"),
    )
    agent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="agencies", verbose_name=_("代办人"))
    matters = models.ManyToManyField("matters.Matter", related_name="+", verbose_name=_("委托事项"))
    starts_on = models.DateField(_("委托起始日期"))
    ends_on = models.DateField(_("委托截止日期"))
    recorded_at = models.CharField(_("登记方式"), max_length=16, choices=RecordedAt.choices, default=RecordedAt.ONLINE)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    note = models.CharField(_("委托说明"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("撤销人")
    )
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    objects = AgentAuthorisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("委托代办授权")
        verbose_name_plural = _("委托代办授权")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_on__lte=models.F("ends_on")), name="agent_period_ordered"),
            models.CheckConstraint(condition=~models.Q(principal=models.F("agent")), name="agent_not_principal"),
        ]

    def __str__(self):
        return f"{self.principal_name} → {self.agent}"

    @property
    def principal_name(self):
        return self.enterprise.name if self.enterprise_id else (self.principal.real_name or self.principal.username)

    def status_on(self, day):
        """"valid", "revoked", "expired" or "pending" (not yet started) on `day`."""
        if self.revoked_at is not None:
            return "revoked"
        if day > self.ends_on:
            return "expired"
        if day < self.starts_on:
            return "pending"
        return "valid"

    STATUS_LABELS = {"valid": _("有效"), "revoked": _("已撤销"), "expired": _("已过期"), "pending": _("未生效")}

    def status_label(self, day):
        return self.STATUS_LABELS[self.status_on(day)]


def membership_letter_path(instance, filename):
    return f"membership_letters/{instance.enterprise_id}/{filename}"


class MembershipRequest(models.Model):
    """A signed-in real-name user asks to become an enterprise's 经办人. Pending grants nothing;
    approval by a member entitled to authorise (or an administrator) creates the membership."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")
        WITHDRAWN = "withdrawn", _("已撤回")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="membership_requests", verbose_name=_("申请人"))
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="membership_requests",
                                   verbose_name=_("企业"))
    note = models.CharField(_("申请说明"), max_length=200, blank=True)
    letter = models.FileField(_("授权书"), upload_to=membership_letter_path, blank=True)
    letter_name = models.CharField(max_length=255, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("经办人申请")
        verbose_name_plural = _("经办人申请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "enterprise"], condition=models.Q(state="pending"),
                                    name="one_pending_membership_request"),
        ]
