"""Supervision's own records: the card rules (versioned policies), the red and yellow cards, a
department's contest of a card and the supervisor's ruling, and the working-day index that lets
the sweep count working days in SQL.

Cards are written by `services.sweep_deadlines` in set-based SQL; nothing here calls the
database per case.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, Hall
from core.clock.law import YELLOW_FLOOR_DAYS, YELLOW_PERCENT, yellow_line
from core.models import AppendOnlyModel
from matters.models import Matter
from workflow.models import Application, SubCase


class Step(models.TextChoices):
    """The clocks a card watches (the steps of a case that have a limit in working days)."""

    DECISION = "decision", _("办结期限")
    PRE_REVIEW = "pre_review", _("网上预审期限")
    DELIVERY = "delivery", _("颁证送达期限")


class CardPolicy(models.Model):
    """One version of the red/yellow card rules. A draft can be edited and previewed; a published
    version is frozen and governs the sweep from `effective_from` until a later version takes over.

    Red is always "past the limit"; the rules set when yellow comes first, per step and per
    matter kind (`CardThreshold`), and when a refusal's reason counts as missing.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    version = models.PositiveIntegerField(_("版本"), unique=True)
    title = models.CharField(_("名称"), max_length=128)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    refusal_reason_min_chars = models.PositiveSmallIntegerField(
        _("不予受理理由最少字数"), default=5,
        help_text=_("不予受理理由(去掉首尾空格)少于该字数时亮红牌。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人")
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("红黄牌规则")
        verbose_name_plural = _("红黄牌规则")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(effective_from__isnull=False),
                name="published_policy_has_effective_date",
            ),
        ]

    def __str__(self):
        return _("第%(version)s版 %(title)s") % {"version": self.version, "title": self.title}

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT


class CardThreshold(models.Model):
    """When yellow comes for one step and one matter kind: at most `yellow_percent` % of the
    limit, or at most `yellow_days` working days, remain (whichever is more)."""

    policy = models.ForeignKey(CardPolicy, on_delete=models.CASCADE, related_name="thresholds")
    step = models.CharField(_("环节"), max_length=16, choices=Step.choices)
    matter_kind = models.CharField(_("事项类型"), max_length=16, choices=Matter.Kind.choices)
    yellow_percent = models.PositiveSmallIntegerField(_("剩余时限比例(%)"), default=YELLOW_PERCENT)
    yellow_days = models.PositiveSmallIntegerField(_("剩余工作日"), default=YELLOW_FLOOR_DAYS)

    class Meta:
        verbose_name = _("黄牌阈值")
        verbose_name_plural = _("黄牌阈值")
        ordering = ["policy", "step", "matter_kind"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "step", "matter_kind"], name="one_threshold_per_step_and_kind"),
            models.CheckConstraint(condition=models.Q(yellow_percent__lte=100), name="yellow_percent_at_most_100"),
        ]

    def __str__(self):
        return f"{self.get_step_display()} · {self.get_matter_kind_display()}"

    def warn_days(self, limit_days: int) -> int:
        """The yellow line in working days for a limit: remaining ≤ this is yellow."""
        return yellow_line(limit_days, percent=self.yellow_percent, floor_days=self.yellow_days)


class Card(models.Model):
    """A red or yellow card on an application or one of its sub-cases.

    Clock cards (decision, pre-review, delivery) open and close themselves as the sweep finds
    their condition true or false; they keep the numbers they were opened with. Event cards
    (a refusal without reasons, a supplement asked twice on one point) are one per application
    and stay open until a supervisor rules on them.

    The sweep writes tens of thousands of cards in one transaction, and PostgreSQL checks each
    foreign key of each row at commit (Django's constraints are deferred), even a null one: the
    department, hall, follow-up, complaint, policy and ruling supervisor are copied from rows the
    sweep has just joined, so they carry no database constraint (Django still protects or
    cascades them on delete); application and sub-case do.
    """

    class Level(models.TextChoices):
        YELLOW = "yellow", _("黄牌")
        RED = "red", _("红牌")

    class Trigger(models.TextChoices):
        DECISION = Step.DECISION.value, Step.DECISION.label
        PRE_REVIEW = Step.PRE_REVIEW.value, Step.PRE_REVIEW.label
        DELIVERY = Step.DELIVERY.value, Step.DELIVERY.label
        REFUSAL_REASON = "refusal_reason", _("不予受理未充分说明理由")
        REPEATED_SUPPLEMENT = "repeated_supplement", _("同一材料重复要求补正")
        DEFERRED_MATERIAL = "deferred_material", _("容缺材料逾期未补交")
        FOLLOWUP = "followup", _("差评整改期限")
        COMPLAINT = "complaint", _("投诉办理期限")
        QUESTION = "question", _("咨询建议答复期限")

    class Review(models.TextChoices):
        NONE = "", _("未申诉")
        CONTESTED = "contested", _("申诉待裁定")
        UPHELD = "upheld", _("督查维持")
        VOIDED = "voided", _("督查撤销")

    # A 容缺 material's due date is a clock too: its card closes by itself once the material is provided.
    CLOCK_TRIGGERS = (Trigger.DECISION, Trigger.PRE_REVIEW, Trigger.DELIVERY, Trigger.DEFERRED_MATERIAL,
                      Trigger.FOLLOWUP, Trigger.COMPLAINT, Trigger.QUESTION)
    # no application: a follow-up's, complaint's or public question's (civic) own clock
    FEEDBACK_TRIGGERS = (Trigger.FOLLOWUP, Trigger.COMPLAINT, Trigger.QUESTION)  # no application: a follow-up's or complaint's own clock
    SUBCASE_TRIGGERS = (Trigger.DECISION, Trigger.DELIVERY)
    EVENT_TRIGGERS = (Trigger.REFUSAL_REASON, Trigger.REPEATED_SUPPLEMENT)

    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="cards", verbose_name=_("办件"),
        help_text=_("差评整改和投诉的牌不挂在办件上,见“差评整改”“投诉”。"),
    )
    followup = models.ForeignKey(
        "supervision.FollowUp", null=True, blank=True, on_delete=models.CASCADE, related_name="cards",
        verbose_name=_("差评整改"), db_index=False,  # one_open_followup_card leads with it
        db_constraint=False,  # copied from the row the sweep joined; see the note on the class
    )
    complaint = models.ForeignKey(
        "supervision.Complaint", null=True, blank=True, on_delete=models.CASCADE, related_name="cards",
        verbose_name=_("投诉举报"), db_index=False,  # one_open_complaint_card leads with it
        db_constraint=False,  # copied from the row the sweep joined; see the note on the class
    )
    question = models.ForeignKey(
        "civic.Question", null=True, blank=True, on_delete=models.CASCADE, related_name="cards",
        verbose_name=_("咨询建议"), db_index=False,  # one_open_question_card leads with it
        db_constraint=False,  # copied from the row the sweep joined; see the note on the class
    )
    hall = models.ForeignKey(
        Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("责任大厅"),
        help_text=_("窗口评价的差评整改由大厅负责。"), db_index=False, db_constraint=False,
    )
    subcase = models.ForeignKey(
        SubCase, null=True, blank=True, on_delete=models.CASCADE, related_name="cards", verbose_name=_("子件"),
        db_index=False,  # one_open_subcase_card and card_voided_idx serve the look-ups; fewer indexes, faster sweeps
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="cards", verbose_name=_("责任部门"),
        help_text=_("子件的承办部门;办件环节(预审、受理)的牌由综合窗口负责,为空。"),
        db_index=False,  # card_department_idx leads with it
        db_constraint=False,  # see the note on the class
    )
    trigger = models.CharField(_("事由"), max_length=24, choices=Trigger.choices, default=Trigger.DECISION)
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    policy = models.ForeignKey(
        CardPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="cards", verbose_name=_("适用规则"),
        db_index=False,  # a handful of versions; every index costs the sweep's inserts
        db_constraint=False,
    )
    due = models.DateField(_("期限"), null=True, blank=True)
    limit_days = models.SmallIntegerField(_("时限(工作日)"), null=True, blank=True)
    warn_days = models.SmallIntegerField(_("黄牌线(工作日)"), null=True, blank=True)
    remaining_days = models.SmallIntegerField(
        _("亮牌时剩余工作日"), null=True, blank=True, help_text=_("已超期时为负数。")
    )
    reason = models.CharField(_("原因"), max_length=255)
    opened_at = models.DateTimeField(_("亮牌时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("撤牌时间"), null=True, blank=True)
    close_reason = models.CharField(_("撤牌原因"), max_length=255, blank=True)
    review = models.CharField(_("申诉与裁定"), max_length=16, choices=Review.choices, default=Review.NONE, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("裁定人"),
        db_index=False, db_constraint=False,
    )
    reviewed_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    review_reason = models.TextField(_("裁定理由"), blank=True)

    class Meta:
        verbose_name = _("红黄牌")
        verbose_name_plural = _("红黄牌")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subcase", "trigger", "level"],
                condition=models.Q(closed_at__isnull=True, subcase__isnull=False),
                name="one_open_subcase_card",
            ),
            models.UniqueConstraint(
                fields=["application", "trigger", "level"],
                condition=models.Q(closed_at__isnull=True, subcase__isnull=True),
                name="one_open_application_card",
            ),
            models.UniqueConstraint(
                fields=["application", "trigger"],
                condition=models.Q(trigger__in=["refusal_reason", "repeated_supplement"]),
                name="one_event_card_per_application",
            ),
            models.UniqueConstraint(
                fields=["followup", "trigger", "level"], condition=models.Q(closed_at__isnull=True, followup__isnull=False),
                name="one_open_followup_card",
            ),
            models.UniqueConstraint(
                fields=["complaint", "trigger", "level"],
                condition=models.Q(closed_at__isnull=True, complaint__isnull=False), name="one_open_complaint_card",
            ),
            models.UniqueConstraint(
                fields=["question", "trigger", "level"],
                condition=models.Q(closed_at__isnull=True, question__isnull=False), name="one_open_question_card",
            ),
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(followup__isnull=False)
                | models.Q(complaint__isnull=False) | models.Q(question__isnull=False),
                name="card_has_a_target",
            ),
        ]
        indexes = [
            models.Index(fields=["trigger", "level"], condition=models.Q(closed_at__isnull=True), name="card_open_idx"),
            models.Index(fields=["department", "opened_at"], name="card_department_idx"),
            models.Index(fields=["subcase", "trigger", "level"], condition=models.Q(review="voided"), name="card_voided_idx"),
            # the dashboard counts the contests waiting for a ruling with the open cards
            models.Index(fields=["level"], condition=models.Q(review="contested"), name="card_contested_idx"),
            # the card list's keyset pages (issue 15): the open cards in their mixed order (level,
            # due with none last, newest first), the others newest first
            models.Index(fields=["level", "due", "-id"], condition=models.Q(closed_at__isnull=True),
                         name="card_open_order_idx"),
            models.Index(fields=["opened_at", "id"], name="card_opened_idx"),
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.get_trigger_display()} {self.target_number}"

    @property
    def target_number(self):
        if self.subcase_id:
            return self.subcase.number
        if self.application_id:
            return self.application.number
        if self.followup_id:
            return self.followup.rating.application.number
        if self.question_id:
            return f"Q{self.question_id}"
        return self.complaint.code if self.complaint_id else ""

    @property
    def target_title(self):
        if self.subcase_id:
            return self.subcase.matter.name
        if self.application_id:
            return self.application.title
        if self.followup_id:
            return _("差评整改:%(title)s") % {"title": self.followup.rating.application.title}
        if self.question_id:
            return _("咨询建议:%(subject)s") % {"subject": self.question.subject}
        return _("投诉:%(subject)s") % {"subject": self.complaint.subject} if self.complaint_id else ""

    @property
    def target_route(self) -> tuple[str, object] | None:
        """(view name, argument) of the page of what the card is about, or None."""
        if self.application_id:
            return "portal:application", self.application.number
        if self.followup_id:
            return "portal:followup", self.followup_id
        if self.question_id:
            return "civic:question", self.question_id
        return ("portal:complaint_staff", self.complaint_id) if self.complaint_id else None

    @property
    def target_url(self):
        from django.urls import reverse

        route = self.target_route
        return reverse(route[0], args=[route[1]]) if route else ""

    @property
    def responsible(self):
        if self.department_id:
            return self.department.name
        if self.hall_id:
            return self.hall.name
        if self.trigger in self.FEEDBACK_TRIGGERS:
            return str(_("政务服务中心"))
        return str(_("综合窗口"))

    @property
    def is_open(self):
        return self.closed_at is None

    @property
    def is_clock(self):
        return self.trigger in self.CLOCK_TRIGGERS

    @property
    def due_provisional(self) -> bool:
        """Whether the due date is the case's provisional one (a year without its holiday notice)."""
        T = self.Trigger
        if self.trigger == T.DECISION and self.subcase_id:
            return self.subcase.deadline_provisional and self.subcase.deadline == self.due
        if self.trigger == T.DELIVERY and self.subcase_id:
            return self.subcase.licence_due_provisional and self.subcase.licence_due == self.due
        if self.trigger == T.PRE_REVIEW and self.application_id:
            return self.application.pre_review_due_provisional and self.application.pre_review_due == self.due
        return False

    @property
    def overdue_days(self):
        """Working days past the due date when the card was opened (0 on a holiday right after it)."""
        return max(-self.remaining_days, 0) if self.remaining_days is not None else None


class CardContest(models.Model):
    """A department's contest (申诉) of a card, with its statement and optional evidence file."""

    card = models.OneToOneField(Card, on_delete=models.CASCADE, related_name="contest", verbose_name=_("红黄牌"))
    statement = models.TextField(_("申诉理由"))
    evidence = models.FileField(_("证明材料"), upload_to="card_evidence/%Y/%m/", blank=True)
    evidence_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    evidence_type = models.CharField(max_length=64, blank=True)
    evidence_size = models.PositiveIntegerField(default=0)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    contested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contested_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("红黄牌申诉")
        verbose_name_plural = _("红黄牌申诉")


class CardLog(AppendOnlyModel):
    """Append-only: who contested or ruled on which card, when, and why."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=64)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("红黄牌日志")
        verbose_name_plural = _("红黄牌日志")
        ordering = ["created_at", "pk"]



class WorkdayIndex(models.Model):
    """Every date of a span of years with the number of working days from the span's start up
    to and including it, so that "working days after a up to b" is `ordinal(b) - ordinal(a)`
    in SQL. Derived from the calendar; rebuilt by `services.ensure_workday_index` whenever the
    calendar (or the span it must cover) changes."""

    day = models.DateField(primary_key=True)
    ordinal = models.IntegerField()

    class Meta:
        verbose_name = _("工作日序号")
        verbose_name_plural = _("工作日序号")


class WorkdayIndexState(models.Model):
    """One row: which calendar the index was built from (a digest of its rows) and its span."""

    signature = models.CharField(max_length=64)
    first_day = models.DateField()
    last_day = models.DateField()
    built_at = models.DateTimeField()
