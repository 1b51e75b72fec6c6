"""上门办理 (home visits) and 帮办 (help desk): the records of both, imported by windows.models.

A `HomeVisit` is asked for online by a citizen, for themselves or for an elderly or disabled
person who cannot come, for a matter the catalog marks `home_visit`; the hall's head (`HallHead`)
or a clerk authorised for the matter assigns it to a clerk as a slot of that clerk's day; at the
visit the clerk receives the materials as at a window (windows.services.walk_in_*) and the
application is linked here. Every step writes an append-only `HomeVisitEvent`.

A `HelpDeskDraft` is what a help-desk clerk fills in with a citizen present; the citizen confirms
it with a code sent to them (`code_hash`, 5 minutes, a few tries) before it is submitted as the
citizen's own online application (workflow.services.application_submit_assisted)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Hall
from core.models import AppendOnlyModel
from core.pii import EncryptedField, EncryptedJSONField


class HallHead(models.Model):
    """大厅负责人 (值班长): assigns the hall's home visits to its clerks."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="heads", verbose_name=_("大厅"))
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("负责人"),
        limit_choices_to={"role": "clerk"},
    )

    class Meta:
        verbose_name = _("大厅负责人")
        verbose_name_plural = _("大厅负责人")
        constraints = [models.UniqueConstraint(fields=["hall", "clerk"], name="one_head_row_per_hall_and_clerk")]

    def __str__(self):
        return f"{self.hall} {self.clerk}"


class HomeVisit(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("待安排")
        SCHEDULED = "scheduled", _("已安排")
        RECEIVED = "received", _("已上门收件")
        CANCELLED = "cancelled", _("已取消")
        NO_SHOW = "no_show", _("上门未遇")

    class Reason(models.TextChoices):
        ELDERLY = "elderly", _("高龄老人")
        DISABLED = "disabled", _("残疾人")
        ILLNESS = "illness", _("重病或行动不便")
        OTHER = "other", _("其他特殊困难")

    code = models.CharField(_("预约码"), max_length=8, unique=True)
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="+", verbose_name=_("事项"))
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="home_visits", verbose_name=_("负责大厅"))
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="home_visits_booked", verbose_name=_("预约人")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_visits",
        verbose_name=_("办事人账号"),
        help_text=_("办事人已注册时关联其账号,其本人也能看到预约。"),
    )
    person_name = models.CharField(_("办事人姓名"), max_length=64)
    person_id_number = EncryptedField(_("办事人身份证号码"))
    relation = models.CharField(_("与预约人关系"), max_length=16, blank=True)
    reason = models.CharField(_("上门原因"), max_length=16, choices=Reason.choices)
    reason_note = models.CharField(_("情况说明"), max_length=255, blank=True)
    address = EncryptedField(_("上门地址"))
    phone = EncryptedField(_("联系电话"))
    preferred_date = models.DateField(_("希望上门日期"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.REQUESTED)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_visits_assigned",
        verbose_name=_("上门人员"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("安排人"),
    )
    starts_at = models.DateTimeField(_("上门开始时间"), null=True, blank=True)
    ends_at = models.DateTimeField(_("上门结束时间"), null=True, blank=True)
    application = models.ForeignKey(
        "workflow.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("办件"),
    )
    closed_note = models.CharField(_("取消或未遇说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("上门办理")
        verbose_name_plural = _("上门办理")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="scheduled")
                | models.Q(clerk__isnull=False, starts_at__isnull=False, ends_at__isnull=False),
                name="scheduled_visit_has_clerk_and_time",
            ),
        ]
        indexes = [
            models.Index(fields=["clerk", "starts_at"], name="home_visit_clerk_day"),
            models.Index(fields=["hall", "state"], name="home_visit_hall_state"),
        ]

    def __str__(self):
        return f"{self.code} {self.person_name}"

    @property
    def is_open(self):
        return self.state in (self.State.REQUESTED, self.State.SCHEDULED)


class HomeVisitEvent(AppendOnlyModel):
    visit = models.ForeignKey(HomeVisit, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=48)
    note = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)  # set before the row is sealed (hashed)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("上门办理记录")
        verbose_name_plural = _("上门办理记录")
        ordering = ["created_at", "pk"]


class HelpDeskDraft(models.Model):
    class State(models.TextChoices):
        AWAITING = "awaiting", _("待申请人确认")
        SUBMITTED = "submitted", _("已确认提交")
        CANCELLED = "cancelled", _("已作废")

    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("帮办人员")
    )
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+", verbose_name=_("大厅"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="+", verbose_name=_("事项"))
    form_data = EncryptedJSONField(_("表单内容"), default=dict)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.AWAITING)
    code_hash = models.CharField(max_length=64)
    code_expires_at = models.DateTimeField(_("验证码有效期至"))
    tries = models.PositiveSmallIntegerField(_("验证码错误次数"), default=0)
    codes_sent = models.PositiveSmallIntegerField(_("已发送验证码次数"), default=1)
    idempotency_key = models.CharField(max_length=64)
    application = models.ForeignKey(
        "workflow.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("办件"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("帮办填报")
        verbose_name_plural = _("帮办填报")
        ordering = ["-created_at", "-pk"]


class HelpDeskFile(models.Model):
    draft = models.ForeignKey(HelpDeskDraft, on_delete=models.CASCADE, related_name="files")
    requirement = models.ForeignKey("matters.MaterialRequirement", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="helpdesk/%Y/%m/")
    original_name = models.CharField(max_length=255)
