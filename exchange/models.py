"""The sharing and exchange platform: every message to or from another department's system."""

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
