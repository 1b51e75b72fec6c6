"""The sharing and exchange platform: every message to or from another department's system."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Department


class ExchangeMessage(models.Model):
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
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("交换记录")
        verbose_name_plural = _("交换记录")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "case_ref"], name="unique_exchange_per_case_kind")]


class LicenceSequence(models.Model):
    """Per-year counter for licence numbers; the row is locked while a number is drawn."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


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
    content; its first 16 hex digits are printed as the verification code.
    """

    number = models.CharField(_("证照编号"), max_length=32, unique=True)
    case_ref = models.CharField(_("子件编号"), max_length=40, unique=True)
    application_number = models.CharField(_("办件编号"), max_length=32, db_index=True)
    name = models.CharField(_("证照名称"), max_length=128)
    matter = models.ForeignKey(
        "matters.Matter", on_delete=models.PROTECT, related_name="licences", verbose_name=_("事项")
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="licences", verbose_name=_("发证部门"))
    holder_name = models.CharField(_("持证人"), max_length=128)
    holder_id_number = models.CharField(_("持证人证件号码"), max_length=18, db_index=True)
    holder_id_masked = models.CharField(_("持证人证件号码(脱敏)"), max_length=18)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="licences",
        verbose_name=_("持证人账号"),
    )
    holder_enterprise = models.ForeignKey(
        "accounts.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="licences",
        verbose_name=_("持证单位"),
    )
    issued_on = models.DateField(_("发证日期"))
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("为空表示长期有效"))
    file = models.FileField(upload_to="licences/%Y/%m/")
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    digest = models.CharField(_("内容摘要"), max_length=64, db_index=True)
    revoked_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    revocation_reason = models.CharField(_("注销原因"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_on", "-pk"]

    def __str__(self):
        return f"{self.name} {self.number}"

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
