"""好差评 (service ratings) and 投诉举报 (complaints): supervision's records of what citizens think.

A `RatingToken` is a one-time link bound to one application, one occasion (a window visit at
acceptance or delivery, or the decision of one sub-case) and what is rated (the clerk and hall,
or the deciding department); using it makes one `Rating`. A bad rating (不满意, 非常不满意) opens a
`FollowUp` (整改) with call-backs (`CallBack`, 回访) and a reply; the rated side may appeal it once
(`RatingAppeal`, 申诉) and a supervisor rules. A `Complaint` runs its own short workflow with a
deadline. Every step of either is written to the append-only `FeedbackLog`.

Clocks (a follow-up's `due`, a complaint's `due`) are dates stored when set, like every other
clock; the card sweep compares them in SQL (services.sweep_deadlines, triggers "followup" and
"complaint").
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, Hall
from core.models import AppendOnlyModel
from core.pii import EncryptedField
from workflow.models import Application, SubCase


class RatingLevel(models.IntegerChoices):
    """The national five-level scale of 政务服务好差评."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


LEVELS_BIG_FIRST = [(level, RatingLevel(level).label) for level in sorted(RatingLevel.values, reverse=True)]
BAD_LEVELS = (RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED)


class Occasion(models.TextChoices):
    WINDOW_ACCEPT = "window_accept", _("窗口受理")
    WINDOW_DELIVER = "window_deliver", _("窗口出件")
    DECISION = "decision", _("审批决定")
    # Before issue 17 an online case was rated once as a whole (its one department, or the hall for
    # several); kept for those ratings only, no new link is made for it.
    ONLINE = "online", _("网上办件")


RATED_ONLINE = (Occasion.DECISION, Occasion.ONLINE)  # rated on the applicant's page, not at a window


# Reasons a citizen may tick for a bad rating (stored by code; labels here).
BAD_REASONS = {
    "slow": _("办理效率低、等待时间长"),
    "attitude": _("服务态度不好"),
    "runs": _("多次跑动"),
    "unclear": _("告知不清楚、不一次性告知"),
    "materials": _("要求提供不必要的材料"),
    "system": _("网上系统不好用"),
    "other": _("其他"),
}
COMMENT_MAX = 300


class RatingToken(models.Model):
    """A one-time rating link. The token is random (32 bytes, URL-safe) and the only key; it is
    used at most once (a conditional UPDATE on `used_at IS NULL`)."""

    token = models.CharField(max_length=64, unique=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="rating_tokens",
                                    verbose_name=_("办件"))
    occasion = models.CharField(_("评价环节"), max_length=16, choices=Occasion.choices)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("被评价窗口人员"))
    hall = models.ForeignKey(Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("被评价大厅"))
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("被评价部门"))
    subcase = models.ForeignKey(SubCase, null=True, blank=True, on_delete=models.CASCADE, related_name="rating_tokens",
                                verbose_name=_("被评价的决定(子件)"), db_index=False)  # one_rating_token_per_decision
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价链接")
        verbose_name_plural = _("评价链接")
        constraints = [
            # a window visit (or the old whole online case) once per case, a decision once per sub-case
            models.UniqueConstraint(fields=["application", "occasion"], condition=models.Q(subcase__isnull=True),
                                    name="one_rating_token_per_visit"),
            models.UniqueConstraint(fields=["subcase"], condition=models.Q(subcase__isnull=False),
                                    name="one_rating_token_per_decision"),
            models.CheckConstraint(
                condition=models.Q(occasion=Occasion.DECISION, subcase__isnull=False, department__isnull=False)
                | (~models.Q(occasion=Occasion.DECISION) & models.Q(subcase__isnull=True)),
                name="decision_token_names_subcase_and_department"),
        ]

    def __str__(self):
        return f"{self.application.number} {self.get_occasion_display()}"

    @property
    def rated_name(self):
        """Who answers for what is rated: the deciding department (and matter), or the hall and clerk."""
        return _rated_name(self)


def _rated_name(obj) -> str:
    """A token's or rating's rated side, as pages print it."""
    if obj.occasion not in RATED_ONLINE and obj.hall_id:
        clerk = obj.clerk.real_name if obj.clerk_id else ""
        return f"{obj.hall.name} {clerk}".strip()
    if obj.department_id:
        return obj.department.name
    return obj.hall.name if obj.hall_id else str(_("政务服务中心"))


class Rating(models.Model):
    """One rating. `rated_on` (Beijing date) and the rated clerk, hall and department are copied
    from the token so that the figures are one indexed scan per dimension and period.
    An accepted appeal sets `is_valid` False: the rating then counts nowhere."""

    token = models.OneToOneField(RatingToken, on_delete=models.PROTECT, related_name="rating")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="ratings",
                                    verbose_name=_("办件"))
    occasion = models.CharField(_("评价环节"), max_length=16, choices=Occasion.choices)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("被评价窗口人员"), db_index=False)
    hall = models.ForeignKey(Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("被评价大厅"), db_index=False)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("被评价部门"), db_index=False)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=RatingLevel.choices)
    reasons = models.JSONField(_("差评原因"), default=list, blank=True)
    comment = models.CharField(_("评价内容"), max_length=COMMENT_MAX, blank=True)
    rated_on = models.DateField(_("评价日期"))
    created_at = models.DateTimeField(auto_now_add=True)
    is_valid = models.BooleanField(_("有效"), default=True, help_text=_("申诉成立的差评无效,不计入任何统计。"))

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at", "-pk"]
        indexes = [  # the figures: one dimension, a period, valid ratings only
            models.Index(fields=["department", "rated_on"], condition=models.Q(is_valid=True),
                         name="rating_department_idx"),
            models.Index(fields=["hall", "rated_on"], condition=models.Q(is_valid=True), name="rating_hall_idx"),
            models.Index(fields=["clerk", "rated_on"], condition=models.Q(is_valid=True), name="rating_clerk_idx"),
            models.Index(fields=["rated_on"], condition=models.Q(is_valid=True), name="rating_period_idx"),
            # the rating list's keyset pages, newest first (issue 15)
            models.Index(fields=["created_at", "id"], name="rating_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
        ]

    def __str__(self):
        return f"{self.application.number} {self.get_level_display()}"

    @property
    def is_bad(self):
        return self.level in BAD_LEVELS

    def reason_labels(self):
        return [str(BAD_REASONS.get(code, code)) for code in self.reasons or []]

    @property
    def rated_name(self):
        return _rated_name(self)


class FollowUp(models.Model):
    """整改: what a bad rating asks of the rated department or hall, by `due` (working days)."""

    class State(models.TextChoices):
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已整改")
        VOIDED = "voided", _("申诉成立,已撤销")

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="followup")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("整改部门"))
    hall = models.ForeignKey(Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("整改大厅"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    opened_on = models.DateField(_("开始日期"))
    due = models.DateField(_("整改期限"))
    reply = models.TextField(_("整改情况"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["due", "pk"]
        indexes = [
            models.Index(fields=["state", "due"], name="followup_open_idx"),
            # the list's keyset pages by (due, id), one state or all (issue 15)
            models.Index(fields=["state", "due", "id"], name="followup_state_order_idx"),
            models.Index(fields=["due", "id"], name="followup_order_idx"),
        ]

    def __str__(self):
        return _("差评整改 %(number)s") % {"number": self.rating.application.number}

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def responsible(self):
        if self.department_id:
            return self.department.name
        return self.hall.name if self.hall_id else str(_("政务服务中心"))


class CallBack(models.Model):
    """回访: when, who, how, and what the citizen said."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        VISIT = "visit", _("上门回访")
        SMS = "sms", _("短信回访")

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="callbacks")
    called_at = models.DateTimeField(_("回访时间"))
    method = models.CharField(_("回访方式"), max_length=8, choices=Method.choices)
    summary = models.TextField(_("回访情况"))
    satisfied = models.BooleanField(_("群众认可整改"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("回访人"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["called_at", "pk"]


class RatingAppeal(models.Model):
    """申诉: the rated side says a bad rating was mistaken or malicious; a supervisor rules."""

    class Kind(models.TextChoices):
        MISTAKEN = "mistaken", _("误评")
        MALICIOUS = "malicious", _("恶意差评")

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        UPHELD = "upheld", _("申诉不成立,维持评价")
        ACCEPTED = "accepted", _("申诉成立,评价无效")

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="appeal")
    kind = models.CharField(_("申诉类型"), max_length=16, choices=Kind.choices)
    statement = models.TextField(_("申诉理由"))
    evidence = models.FileField(_("证明材料"), upload_to="rating_evidence/%Y/%m/", blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    evidence_type = models.CharField(max_length=64, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    appealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    appealed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")
        ordering = ["-appealed_at", "-pk"]


class Complaint(models.Model):
    """投诉举报 from anyone. Anonymous complainants follow it by `code` (12 random characters)."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("投诉")
        REPORT = "report", _("举报")

    class State(models.TextChoices):
        ROUTING = "routing", _("待分派")
        OPEN = "open", _("办理中")
        REPLIED = "replied", _("已答复")
        ESCALATED = "escalated", _("督查办理中")
        CLOSED = "closed", _("已办结")

    RUNNING_STATES = (State.ROUTING, State.OPEN, State.ESCALATED)

    code = models.CharField(_("查询码"), max_length=16, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.COMPLAINT)
    complainant = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="complaints", verbose_name=_("投诉人"))
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = EncryptedField(_("联系电话"), blank=True)  # encrypted at rest (core/pii.py)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="complaints", verbose_name=_("被投诉部门"), db_index=False)
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="complaints", verbose_name=_("相关办件"))
    intermediary = models.ForeignKey("market.Intermediary", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="complaints", verbose_name=_("被投诉中介机构"))
    upheld = models.BooleanField(_("投诉属实"), default=False,
                                 help_text=_("对中介机构的投诉经核实属实的,计入其信用分"))
    subject = models.CharField(_("标题"), max_length=80)
    content = models.TextField(_("内容"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices)
    submitted_on = models.DateField(_("提交日期"))
    due = models.DateField(_("办理期限"))
    routed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    routed_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("答复"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    escalation_reason = models.TextField(_("提请督查理由"), blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    close_note = models.TextField(_("办结说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "state", "due"], name="complaint_department_idx"),
            models.Index(fields=["state", "due"], name="complaint_open_idx"),
            # the list's keyset pages by (due, id): 未办结 (the default), one state, or all (issue 15)
            models.Index(fields=["due", "id"], condition=~models.Q(state="closed"), name="complaint_active_order_idx"),
            models.Index(fields=["state", "due", "id"], name="complaint_state_order_idx"),
            models.Index(fields=["due", "id"], name="complaint_order_idx"),
        ]

    def __str__(self):  # never the code: it is the complainant's key
        return f"{self.get_kind_display()} {self.pk}:{self.subject}"

    @property
    def is_running(self):
        return self.state in self.RUNNING_STATES

    @property
    def responsible(self):
        if self.state in (self.State.ROUTING, self.State.ESCALATED) or not self.department_id:
            return str(_("政务服务中心"))
        return self.department.name


class FeedbackLog(AppendOnlyModel):
    """Append-only: who did what to which rating, follow-up, appeal or complaint, and why."""

    rating = models.ForeignKey(Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="log")
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="log")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", help_text=_("为空表示群众(未登录)或系统"))
    action = models.CharField(max_length=64)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("评价与投诉日志")
        verbose_name_plural = _("评价与投诉日志")
        ordering = ["created_at", "pk"]

