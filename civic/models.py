"""政民互动: public questions and suggestions (咨询、建议) answered by the matter's department
within a deadline in working days, published after a check with personal data removed; public
consultations on draft service standards (征求意见) with a notice period and a published summary.

The answer clock is a date stored when the question is asked (`due`, docs/decisions.md "Clocks
are dates stored when set"); supervision's card sweep reads it (trigger "question").
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from matters.models import Matter


class Question(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("咨询")
        SUGGESTION = "suggestion", _("建议")

    class State(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复待审核")
        PUBLISHED = "published", _("已公开")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.QUESTION)
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="questions", verbose_name=_("事项")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="questions", verbose_name=_("承办部门")
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        verbose_name=_("提问人"),
    )
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True, help_text=_("不公开。"))
    contact_phone = models.CharField(_("联系电话"), max_length=16, blank=True, help_text=_("不公开。"))
    subject = models.CharField(_("标题"), max_length=80)
    content = models.TextField(_("内容"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    submitted_on = models.DateField(_("提交日期"))
    due = models.DateField(_("答复期限"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    public_subject = models.CharField(_("公开标题"), max_length=80, blank=True)
    public_content = models.TextField(_("公开内容"), blank=True)
    public_answer = models.TextField(_("公开答复"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核发布人"),
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    in_faq = models.BooleanField(_("列入常见问题"), default=False)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("咨询建议")
        verbose_name_plural = _("咨询建议")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "state"], name="question_department_idx"),
            models.Index(fields=["state", "due"], name="question_clock_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject}"

    @property
    def is_published(self):
        return self.state == self.State.PUBLISHED


class Consultation(models.Model):
    """A draft service standard open for comments from `opens_on` to `closes_on` (both included)."""

    title = models.CharField(_("标题"), max_length=120)
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("事项")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("起草部门")
    )
    draft = models.TextField(_("征求意见稿"))
    opens_on = models.DateField(_("征求意见开始"))
    closes_on = models.DateField(_("征求意见截止"))
    summary = models.TextField(_("意见采纳情况"), blank=True)
    summary_published_at = models.DateTimeField(_("采纳情况公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("征求意见")
        verbose_name_plural = _("征求意见")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")), name="consultation_period_ordered"
            )
        ]

    def __str__(self):
        return self.title


class Comment(models.Model):
    class Handling(models.TextChoices):
        PENDING = "", _("待处理")
        ADOPTED = "adopted", _("采纳")
        PARTLY = "partly", _("部分采纳")
        NOT_ADOPTED = "not_adopted", _("未采纳")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments", verbose_name=_("征求意见")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    content = models.TextField(_("意见"))
    handling = models.CharField(
        _("处理"), max_length=16, choices=Handling.choices, default=Handling.PENDING, blank=True
    )
    response = models.TextField(_("处理说明"), blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("意见")
        verbose_name_plural = _("意见")
        ordering = ["created_at", "pk"]
