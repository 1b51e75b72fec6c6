"""The evaluation's reports built in a worker."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportJob(models.Model):
    """A report built in a worker (an evaluation export: PDF and XLSX), with its progress for
    the page that polls it. Written by `evaluation.export_request` (queued) and
    `evaluation.export_build` (running → done | failed); the files live under MEDIA_ROOT and are
    served only by an access-checked view."""

    class Kind(models.TextChoices):
        EVALUATION = "evaluation", _("绩效评估")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("生成失败")

    kind = models.CharField(_("报表"), max_length=16, choices=Kind.choices, default=Kind.EVALUATION)
    params = models.JSONField(_("参数"), default=dict, help_text=_('{"start": "2026-10-01", "end": "2026-10-31", '
                                                                   '"department_id": null}'))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度(%)"), default=0)
    message = models.CharField(_("说明"), max_length=255, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/%m/", blank=True)
    xlsx = models.FileField(_("XLSX"), upload_to="reports/%Y/%m/", blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    # A running job belongs to its worker until then (renewed at each progress step); a worker
    # that died mid-build leaves it to be taken again after that (REPORT_LEASE_SECONDS).
    lease_until = models.DateTimeField(_("占用至"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报表任务")
        verbose_name_plural = _("报表任务")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)
