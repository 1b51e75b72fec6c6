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
from core.pii import EncryptedField
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
    contact_phone = EncryptedField(_("联系电话"), blank=True, help_text=_("不公开。"))  # encrypted at rest (core/pii.py)
    subject = models.CharField(_("标题"), max_length=80)
    content = EncryptedField(_("内容"))  # as asked, not public (may hold a number or a name): encrypted at rest
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
    echo_count = models.PositiveIntegerField(_("同问人数"), default=0)  # QuestionEcho rows, kept with them
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


class QuestionEcho(models.Model):
    """同问: a signed-in person says a published question is theirs too, once. The count tells the
    department which questions are frequent (the ones to put in the matter's FAQ)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="echoes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("同问时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("同问")
        verbose_name_plural = _("同问")
        constraints = [models.UniqueConstraint(fields=["question", "user"], name="one_echo_per_person")]


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


class Benefit(models.Model):
    """免申即享: a benefit granted without an application to whoever the shared data shows eligible.

    The rule is one condition on one field of one data source (`source`.`field` `op` `value`),
    queried under the matter's 数据共享授权 (exchange.DataSourcePolicy), each query logged as a
    data-use record the person sees."""

    class Op(models.TextChoices):
        EQ = "eq", _("等于")
        NE = "ne", _("不等于")
        GTE = "gte", _("不少于")
        LTE = "lte", _("不超过")

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    description = models.TextField(_("政策说明"), blank=True)
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="benefits", verbose_name=_("对应事项"),
                               help_text=_("数据查询按该事项的数据共享授权进行;由其实施部门兑现。"))
    source = models.CharField(_("数据来源"), max_length=16)
    field = models.CharField(_("字段"), max_length=40)
    field_label = models.CharField(_("字段说明"), max_length=40)
    op = models.CharField(_("条件"), max_length=8, choices=Op.choices, default=Op.EQ)
    value = models.CharField(_("取值"), max_length=40)
    grant_text = models.CharField(_("兑现内容"), max_length=120)
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("免申即享政策")
        verbose_name_plural = _("免申即享政策")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def rule_text(self):
        return f"{self.field_label}{self.get_op_display()}{self.value}"


class BenefitOffer(models.Model):
    """A person the run found eligible (offered), and the grant once they accept (one per person)."""

    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="offers", verbose_name=_("政策"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="benefit_offers",
                               verbose_name=_("对象"))
    found_on = models.DateField(_("筛查日期"))
    query_id = models.BigIntegerField(_("数据使用记录"), null=True, blank=True)
    granted_at = models.DateTimeField(_("确认享受时间"), null=True, blank=True)
    grant_query_id = models.BigIntegerField(_("确认时的数据使用记录"), null=True, blank=True)

    class Meta:
        verbose_name = _("免申即享对象")
        verbose_name_plural = _("免申即享对象")
        ordering = ["-found_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["benefit", "person"], name="one_offer_per_person")]

    def __str__(self):
        return f"{self.benefit} · {self.person}"
