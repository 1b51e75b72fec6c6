"""Applications (办件), their sub-cases (子件) per department, materials, notices, the append-only
case log, the application number sequences and the working-day calendar.

State fields are django-fsm-2 `FSMField(protected=True)` on models with
`ConcurrentTransitionMixin`. Transition methods only guard and change state; everything else
(logging, timestamps, dispatch) is done by the one service per use case in services.py.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.models import Department, Enterprise, Hall
from core.models import AppendOnlyModel
from core.pii import EncryptedField, EncryptedJSONField
from matters.models import MaterialRequirement, Matter, Target, Theme

from . import rules


class CalendarYear(models.Model):
    """A year whose public holidays and make-up working days are known (seeded or entered).

    Dates in years without a row are treated as ordinary weeks (Mon-Fri working), and every
    answer that used such a year says so.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=128, help_text=_("如:国务院办公厅节假日安排通知,chinese-calendar 1.11.0"))
    note = models.CharField(_("备注"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to the ordinary week: a weekday off (法定节假日) or a weekend working day (调休)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"), help_text=_("勾选表示周末调休上班;不勾选表示工作日放假。"))
    name = models.CharField(_("名称"), max_length=64, blank=True, help_text=_("如:国庆节、国庆节调休"))

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}"


class CalendarVersion(models.Model):
    """One row: a token that changes with every change of the calendar (`CalendarYear`,
    `CalendarDay`), so that each web and worker process keeps the calendar read once and reads
    it again as soon as an administrator changed it (`calendar_store.load_calendar` compares the
    token, one small query). Random, never a counter: a rolled-back change must not leave a
    number that a later, different change takes again."""

    token = models.CharField(max_length=32, blank=True)


def calendar_changed(**_kwargs) -> None:
    """Give the calendar a new version (in the transaction of the change)."""
    import uuid

    token = uuid.uuid4().hex
    if not CalendarVersion.objects.filter(pk=1).update(token=token):
        CalendarVersion.objects.get_or_create(pk=1, defaults={"token": token})


# Every save and delete of a calendar row, the admin's included (a queryset delete too: Django
# sends post_delete per row); bulk writes call `calendar_changed` themselves (calendar_store).
for _model in (CalendarYear, CalendarDay):
    models.signals.post_save.connect(calendar_changed, sender=_model, dispatch_uid=f"calendar_changed_save_{_model.__name__}")
    models.signals.post_delete.connect(calendar_changed, sender=_model,
                                       dispatch_uid=f"calendar_changed_delete_{_model.__name__}")


class CalendarChange(AppendOnlyModel):
    """One stored deadline of an open case that moved when an administrator entered a year's
    holidays: which deadline, from which day to which, when and by whom (the log the entry leaves)."""

    class Field(models.TextChoices):
        PRE_REVIEW = "pre_review_due", _("预审期限")
        DECISION = "deadline", _("办结期限")
        YELLOW = "yellow_from", _("黄牌预警日期")
        LICENCE = "licence_due", _("颁证送达期限")

    year = models.PositiveSmallIntegerField(_("录入年度"))
    application = models.ForeignKey("Application", on_delete=models.PROTECT, related_name="calendar_changes")
    subcase = models.ForeignKey("SubCase", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(_("期限"), max_length=16, choices=Field.choices)
    old_date = models.DateField(_("原日期"))
    new_date = models.DateField(_("新日期"))
    still_provisional = models.BooleanField(_("仍为暂定"), default=False)
    changed_at = models.DateTimeField(_("变更时间"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("录入人"),
    )

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("节假日录入引起的期限变更")
        verbose_name_plural = _("节假日录入引起的期限变更")
        ordering = ["-changed_at", "pk"]
        indexes = [models.Index(fields=["year", "changed_at"], name="calendar_change_year_idx")]

    def __str__(self):
        return f"{self.year} {self.get_field_display()} {self.old_date} → {self.new_date}"


class NumberSequence(models.Model):
    """Per-prefix counter for application numbers; the row is locked while a number is drawn."""

    prefix = models.CharField(max_length=32, unique=True)
    last = models.PositiveIntegerField(default=0)


class Channel(models.TextChoices):
    ONLINE = "online", _("网上申办")
    WINDOW = "window", _("窗口申办")


class Source(models.TextChoices):
    """How the applicant was served besides the channel (三.二.3 上门办理, 三.三 帮办)."""

    NONE = "", _("—")
    HOME_VISIT = "home_visit", _("上门办理")
    HELP_DESK = "help_desk", _("帮办")


class DeliveryMethod(models.TextChoices):
    """How the applicant receives the result (统一窗口出件)."""

    HALL = "hall", _("窗口领取")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子证照")


class ApplicationQuerySet(models.QuerySet):
    def in_hand_of(self, clerk):
        """我经手的在办件: what still waits on this clerk, wherever they sit today — walk-ins they
        registered and have not accepted yet, applications they asked to supplement (the open
        request is theirs), and applications they accepted with 容缺 materials still outstanding."""
        open_requests = SupplementRequest.objects.filter(requested_by=clerk, resolved_at__isnull=True)
        deferred = Material.objects.filter(source=Material.Source.DEFERRED, fulfilled_at__isnull=True)
        S = Application.State
        return self.filter(
            models.Q(state=S.SUBMITTED, created_by=clerk, channel="window")
            | models.Q(state=S.SUPPLEMENT_REQUESTED, pk__in=open_requests.values("application_id"))
            | models.Q(state__in=(S.ACCEPTED, S.IN_REVIEW), accepted_by=clerk,
                       pk__in=deferred.values("application_id"))
        )


# An application accepted, but not by the clerk who registered it (by another clerk, or deemed
# accepted): the same clauses in the index's condition and in the query, so that PostgreSQL
# proves the one from the other.
REGISTERED_ELSEWHERE = models.Q(accepted_on__isnull=False) & (
    models.Q(accepted_by__isnull=True) | models.Q(accepted_by__lt=models.F("created_by"))
    | models.Q(accepted_by__gt=models.F("created_by")))


class Application(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待受理")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("待补正")
        ACCEPTED = "accepted", _("已受理")
        NOT_ACCEPTED = "not_accepted", _("不予受理")
        IN_REVIEW = "in_review", _("审批中")
        CONCLUDED = "concluded", _("已办结")
        RESULT_READY = "result_ready", _("待出件")
        DELIVERED = "delivered", _("已出件")
        ARCHIVED = "archived", _("已归档")
        WITHDRAWN = "withdrawn", _("已撤回")

    S = State
    OPEN_STATES = (S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.ACCEPTED, S.IN_REVIEW)

    number = models.CharField(_("办件编号"), max_length=32, unique=True, null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申请人")
    )
    enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="applications", verbose_name=_("申请单位")
    )
    category = models.CharField(_("类别"), max_length=16, choices=Target.choices)
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("主题"))
    matters = models.ManyToManyField(Matter, related_name="applications", verbose_name=_("申办事项"))
    matter_versions = models.ManyToManyField(
        "matters.MatterVersion", related_name="applications", blank=True, verbose_name=_("申请时的办事指南版本")
    )
    title = models.CharField(_("办件名称"), max_length=160)
    form_data = EncryptedJSONField(_("表单内容"), default=dict)  # ID numbers and phones inside: encrypted at rest
    situation = models.JSONField(
        _("情形引导答案"), default=dict, blank=True,
        help_text=_("申请时回答的情形问题及由此确定的事项和材料(问题文字一并保存)。"),
    )
    channel = models.CharField(_("申办渠道"), max_length=16, choices=Channel.choices, default=Channel.ONLINE)
    source = models.CharField(_("办理方式"), max_length=16, choices=Source.choices, default=Source.NONE, blank=True,
                              help_text=_("上门办理:窗口人员在申请人住所收件;帮办:帮办窗口协助填报、申请人确认后提交。"))
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="applications_as_agent",
        verbose_name=_("代办人"), help_text=_("受申请人委托代为申请的人;申请人仍为委托人。"),
    )
    agent_authorisation = models.ForeignKey(
        "accounts.AgentAuthorisation", null=True, blank=True, on_delete=models.PROTECT, related_name="applications",
        verbose_name=_("委托代办授权"),
    )
    received_hall = models.ForeignKey(
        Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("收件大厅")
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True,
                                        help_text=_("最近一次提交(补正后重新提交时更新),窗口队列按此排序。"))
    first_submitted_at = models.DateTimeField(
        _("原始收件时间"), null=True, blank=True,
        help_text=_("第一次提交或窗口收件的时间,补正后不变;告知书中“于…提出的申请”即此时间。"),
    )
    received_on = models.DateField(
        _("收件日期"), null=True, blank=True,
        help_text=_("收到申请(或补正材料)之日,北京时间;视为受理时即为受理日期(行政许可法第三十二条)。"),
    )
    pre_review_due = models.DateField(_("预审期限"), null=True, blank=True)
    pre_review_due_provisional = models.BooleanField(
        _("预审期限暂定"), default=False, help_text=_("期限所在年度的节假日安排尚未录入,按法定节日暂算。")
    )
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理人")
    )
    accepted_hall = models.ForeignKey(
        Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("受理大厅")
    )
    deemed_accepted = models.BooleanField(
        _("视为受理"), default=False, help_text=_("窗口未在5个工作日内作出决定,自收到申请之日起视为受理(第三十二条)。")
    )
    refusal_reason = models.TextField(_("不予受理理由"), blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("出件时间"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("出件人")
    )
    delivery_hall = models.ForeignKey(
        Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("出件大厅")
    )
    # The applicant's choice of how to receive the result (同城通办: any hall of the district).
    delivery_method = models.CharField(
        _("领取方式"), max_length=16, choices=DeliveryMethod.choices, default=DeliveryMethod.HALL
    )
    pickup_hall = models.ForeignKey(
        Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("领取大厅"),
        help_text=_("窗口领取时选择的大厅;为空表示任一大厅(如视为受理的网上申请未选择)。"),
    )
    post_recipient = models.CharField(_("收件人"), max_length=32, blank=True)
    post_phone = EncryptedField(_("收件人电话"), blank=True)  # encrypted at rest (core/pii.py)
    post_address = EncryptedField(_("邮寄地址"), blank=True)
    post_carrier = models.CharField(_("寄递企业"), max_length=32, blank=True)
    post_tracking_number = models.CharField(_("邮件单号"), max_length=32, blank=True)
    posted_at = models.DateTimeField(_("交寄时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="unique_application_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            # the dashboard's drill-down pages list an event's cases by its date (supervision/figures.py);
            # 办件公示 pages by (submitted_at, id) descending on the first, keyset (workflow/disclosure.py)
            models.Index(fields=["submitted_at", "id"], name="application_submitted_idx"),
            models.Index(fields=["first_submitted_at", "id"], name="application_first_received_idx"),
            models.Index(fields=["accepted_on", "id"], name="application_accepted_idx"),
            models.Index(fields=["delivered_at", "id"], name="application_delivered_idx"),
            # keyset worklists (issue 15, core.web.paging.keyset_page): 我的办件 newest first
            models.Index(fields=["applicant", "-submitted_at", "-id"], name="application_mine_idx"),
            # the delivery window's results (the clerk's queues use ("state", "submitted_at") above)
            models.Index(fields=["concluded_at", "id"], name="application_result_ready_idx",
                         condition=models.Q(state="result_ready")),
            # art. 32 settled on every read (`selectors.settle_deemed_acceptance`): one index probe
            models.Index(fields=["pre_review_due"], name="application_prereview_due_idx",
                         condition=models.Q(state="submitted")),
            # 我经手的在办件: what a clerk accepted and still has open
            models.Index(fields=["accepted_by", "state"], name="application_accepted_by_idx"),
            # a clerk's sub-cases: the cases she registered that someone else accepted (few; the
            # rest she accepted herself, SubCase.accepted_by): selectors.clerk_subcase_parts
            models.Index(fields=["created_by"], name="application_registered_idx",
                         condition=models.Q(created_by__isnull=False) & REGISTERED_ELSEWHERE),
        ]

    def __str__(self):
        return self.number or f"草稿 {self.pk}"

    @property
    def received_at(self):
        """The original receipt (first submission or window intake), which supplements do not move."""
        return self.first_submitted_at or self.submitted_at

    @property
    def resubmitted_at(self):
        """The latest resubmission after a supplement, or None if there was none."""
        if self.first_submitted_at and self.submitted_at and self.submitted_at != self.first_submitted_at:
            return self.submitted_at
        return None

    def is_in_hand_of(self, clerk) -> bool:
        return Application.objects.in_hand_of(clerk).filter(pk=self.pk).exists()

    # --- transitions: guards and state only; who may take each is its `permission=` (rules.py),
    # asked by pages and the API with `has_transition_perm` and by services before they act.
    # The system's own steps (dispatch, conclusion, result, archive, deemed acceptance) are
    # taken by services with no person; no person may take the first four.
    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED, permission=rules.submitter)
    def submit(self):
        pass

    @transition(field=state, source=S.SUPPLEMENT_REQUESTED, target=S.SUBMITTED, permission=rules.applicant_resubmit)
    def resubmit(self):
        """The applicant (or their agent) supplements online."""

    @transition(field=state, source=S.SUPPLEMENT_REQUESTED, target=S.SUBMITTED, permission=rules.window)
    def supplement_at_window(self):
        """The applicant brings the supplement to a window (同城通办)."""

    @transition(field=state, source=S.SUBMITTED, target=S.SUPPLEMENT_REQUESTED, permission=rules.window)
    def request_supplement(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.ACCEPTED, permission=rules.window)
    def accept(self):
        pass

    @transition(field=state, source=S.SUBMITTED, target=S.NOT_ACCEPTED, permission=rules.window)
    def refuse(self):
        pass

    @transition(field=state, source=S.ACCEPTED, target=S.IN_REVIEW, permission=rules.system)
    def start_review(self):
        pass

    @transition(field=state, source=[S.ACCEPTED, S.IN_REVIEW], target=S.CONCLUDED, permission=rules.system)
    def conclude(self):
        pass

    @transition(field=state, source=S.CONCLUDED, target=S.RESULT_READY, permission=rules.system)
    def make_result_ready(self):
        pass

    @transition(field=state, source=S.RESULT_READY, target=S.DELIVERED, permission=rules.delivery_window)
    def deliver(self):
        """At a delivery window or by post; electronically the system delivers (no person)."""

    @transition(field=state, source=S.DELIVERED, target=S.ARCHIVED, permission=rules.system)
    def archive(self):
        pass

    @transition(
        field=state,
        source=[S.DRAFT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.ACCEPTED, S.IN_REVIEW],
        target=S.WITHDRAWN,
        permission=rules.applicant_withdraw,
    )
    def withdraw(self):
        pass

    # --- actions that keep the state (target=None): in which states and by whom, said here once
    @transition(field=state, source=[S.SUBMITTED, S.SUPPLEMENT_REQUESTED], target=None, permission=rules.supervisor)
    def allow_repeat_supplement(self):
        """A supervisor lets the window ask once more for a material already asked for."""

    @transition(field=state, source=[S.ACCEPTED, S.IN_REVIEW], target=None, permission=rules.applicant_or_window)
    def provide_deferred(self):
        """A 容缺 material handed in after acceptance."""

    @transition(field=state, source=[S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.ACCEPTED, S.IN_REVIEW, S.CONCLUDED,
                                     S.RESULT_READY], target=None, permission=rules.applicant_self)
    def choose_delivery(self):
        """The applicant chooses or changes how to receive the result, until it is handed out."""

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES


class SupplementRequest(models.Model):
    """One complete notice (一次性告知) of everything missing or defective."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="supplement_requests")
    items = models.JSONField(_("补正事项"), help_text=_('[{"material": "...", "reason": "..."}]'))
    note = models.TextField(_("说明"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["-requested_at"]


class SupplementRepeatPermit(models.Model):
    """A supervisor's leave for the window to ask again for a material already asked for once
    (一次性告知 means one notice; a repeat needs a reason someone above the window accepts)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="repeat_permits")
    reason = models.TextField(_("理由"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("再次补正许可")
        verbose_name_plural = _("再次补正许可")


def reviewer_of_department(subcase, user) -> bool:
    """Who may examine, stop, restart and decide a sub-case in the portal: a reviewer of its
    department (django-fsm `permission=`; pages ask `has_transition_perm`)."""
    return bool(getattr(user, "is_reviewer", False)) and user.department_id == subcase.department_id


class SubCase(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        DISPATCHED = "dispatched", _("已分派")
        EXAMINING = "examining", _("审查中")
        SUSPENDED = "suspended", _("特别程序中")
        APPROVED = "approved", _("准予许可")
        DENIED = "denied", _("不予许可")
        WITHDRAWN = "withdrawn", _("已撤回")

    S = State
    OPEN_STATES = (S.DISPATCHED, S.EXAMINING, S.SUSPENDED)
    RUNNING_STATES = (S.DISPATCHED, S.EXAMINING)  # the clock runs; it stops while suspended
    DECIDED_STATES = (S.APPROVED, S.DENIED)

    number = models.CharField(_("子件编号"), max_length=40, unique=True)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="subcases")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="subcases", verbose_name=_("事项"))
    matter_version = models.ForeignKey(
        "matters.MatterVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="subcases",
        verbose_name=_("办事指南版本"),
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="subcases", verbose_name=_("承办部门"))
    # the application's, copied when it is accepted (a sub-case exists from then on, and who
    # accepted it never changes): a clerk's sub-cases newest first are one index range
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("受理人"), db_index=False,  # subcase_accepted_by_idx leads with it
    )
    state = FSMField(_("状态"), default=State.DISPATCHED, choices=State.choices, protected=True)
    promised_days = models.PositiveSmallIntegerField(_("承诺时限(工作日)"))
    started_on = models.DateField(_("起算日期"), help_text=_("受理日期;当日不计入。"))
    deadline = models.DateField(_("办结期限"))
    deadline_provisional = models.BooleanField(
        _("办结期限暂定"), default=False, help_text=_("期限所在年度的节假日安排尚未录入,按法定节日暂算。")
    )
    yellow_from = models.DateField(_("黄牌预警日期"), help_text=_("自该日起剩余时限不超过20%或2个工作日。"))
    dispatched_at = models.DateTimeField(_("分派时间"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("审批人")
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    paused_days = models.PositiveSmallIntegerField(
        _("暂停工作日"), default=0, help_text=_("特别程序及受理后补正不计入办理期限的工作日合计。")
    )
    extension_days = models.PositiveSmallIntegerField(_("延长工作日"), default=0)
    licence_due = models.DateField(
        _("颁证送达期限"), null=True, blank=True, help_text=_("准予许可之日起10个工作日内颁发、送达(行政许可法第四十四条)。")
    )
    licence_due_provisional = models.BooleanField(_("颁证送达期限暂定"), default=False)

    class Meta:
        verbose_name = _("子件")
        verbose_name_plural = _("子件")
        ordering = ["deadline", "pk"]
        indexes = [
            models.Index(fields=["department", "state"]),
            models.Index(fields=["state", "deadline"]),
            # figures by period (supervision.evaluation): accepted and decided in a date range,
            # for all departments or one
            models.Index(fields=["started_on", "department"], name="subcase_started_dept_idx"),
            models.Index(fields=["decided_on", "department"], name="subcase_decided_dept_idx"),
            # the dashboard's drill-down pages list an event's cases by its date (supervision/figures.py)
            models.Index(fields=["decided_on", "id"], name="subcase_decided_idx"),
            models.Index(fields=["started_on", "id"], name="subcase_started_idx"),
            # the department's review list (issue 15, keyset): 待办 by deadline, 已办 newest decision first
            models.Index(fields=["department", "deadline", "id"], name="subcase_open_idx",
                         condition=models.Q(state__in=("dispatched", "examining", "suspended"))),
            models.Index(fields=["department", "-decided_at", "-id"], name="subcase_decided_list_idx",
                         condition=~models.Q(state__in=("dispatched", "examining", "suspended"))),
            # a reviewer's applications: EXISTS a sub-case of her department (index only)
            models.Index(fields=["department", "application"], name="subcase_department_app_idx"),
            # a clerk's sub-cases newest first (the API's cursor): those she accepted
            models.Index(fields=["accepted_by", "id"], name="subcase_accepted_by_idx"),
        ]

    def __str__(self):
        return self.number

    @transition(field=state, source=S.DISPATCHED, target=S.EXAMINING, permission=reviewer_of_department)
    def start_examining(self):
        pass

    @transition(field=state, source=[S.DISPATCHED, S.EXAMINING], target=S.APPROVED, permission=reviewer_of_department)
    def approve(self):
        pass

    @transition(field=state, source=[S.DISPATCHED, S.EXAMINING], target=S.DENIED, permission=reviewer_of_department)
    def deny(self):
        pass

    @transition(field=state, source=[S.DISPATCHED, S.EXAMINING, S.SUSPENDED], target=S.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=[S.DISPATCHED, S.EXAMINING], target=S.SUSPENDED,
                permission=reviewer_of_department)
    def suspend(self):
        pass

    @transition(field=state, source=S.SUSPENDED, target=S.EXAMINING, permission=reviewer_of_department)
    def resume(self):
        pass

    @property
    def is_open(self):
        return self.state in self.OPEN_STATES


class SubCasePause(models.Model):
    """A stop of a sub-case's clock: a special procedure (行政许可法 art. 45) or a supplement
    asked for after acceptance. The working days left when it began are kept, so that the clock
    restarts with exactly those days from the day it ends."""

    class Kind(models.TextChoices):
        HEARING = "hearing", _("听证")
        BIDDING = "bidding", _("招标")
        AUCTION = "auction", _("拍卖")
        INSPECTION = "inspection", _("检验")
        TESTING = "testing", _("检测")
        QUARANTINE = "quarantine", _("检疫")
        APPRAISAL = "appraisal", _("鉴定")
        EXPERT_REVIEW = "expert_review", _("专家评审")
        SUPPLEMENT = "supplement", _("受理后补正材料")

    subcase = models.ForeignKey(SubCase, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("事由"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("说明"))
    started_on = models.DateField(_("开始日期"))
    remaining_days = models.SmallIntegerField(_("暂停时剩余工作日"), help_text=_("已超期时为负数。"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paused_days = models.PositiveSmallIntegerField(_("暂停工作日"), default=0)
    result = models.TextField(_("结果"), blank=True)

    class Meta:
        verbose_name = _("期限暂停")
        verbose_name_plural = _("期限暂停")
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subcase"], condition=models.Q(ended_on__isnull=True), name="one_open_pause_per_subcase"
            ),
        ]


class SubCaseExtension(models.Model):
    """The one extension of a decision limit (art. 42): at most 10 working days, approved by the
    department's leader (负责人)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待批准")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    subcase = models.ForeignKey(SubCase, on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("理由"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    old_deadline = models.DateField(_("原期限"), null=True, blank=True)
    new_deadline = models.DateField(_("延长后期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subcase"], condition=~models.Q(status="rejected"), name="one_live_extension_per_subcase"
            ),
        ]


class Material(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", _("申请人上传")
        WINDOW = "window", _("窗口收取")
        LICENCE = "licence", _("电子证照")
        DATA_SOURCE = "data_source", _("数据共享")
        DEFERRED = "deferred", _("容缺待补")
        INTERMEDIARY = "intermediary", _("中介服务成果")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="materials")
    requirement = models.ForeignKey(
        MaterialRequirement, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("材料要求")
    )
    name = models.CharField(_("材料名称"), max_length=128)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.UPLOAD)
    file = models.FileField(_("文件"), upload_to="materials/%Y/%m/", blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    content_type = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    reference = models.CharField(_("来源凭据"), max_length=128, blank=True, help_text=_("电子证照编号或数据查询日志编号"))
    data_query = models.ForeignKey("exchange.DataQuery", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("数据查询"),
                                   help_text=_("免提交:材料由此次数据共享查询获取(审批人员可查看所获数据)"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    due_on = models.DateField(_("补交期限"), null=True, blank=True, help_text=_("容缺受理的材料须在此日期前补交。"))
    fulfilled_at = models.DateTimeField(_("补交时间"), null=True, blank=True)
    # A material handed in again for the same requirement (补正) replaces this one: kept as
    # history behind the current one, never shown as if it were current.
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced",
                                    verbose_name=_("被替换为"))
    replaced_at = models.DateTimeField(_("替换时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["added_at", "pk"]
        indexes = [
            # the card sweep's 容缺 trigger reads only the materials still owed
            models.Index(fields=["due_on"], condition=models.Q(source="deferred", fulfilled_at__isnull=True),
                         name="material_deferred_owed_idx"),
        ]

    def __str__(self):
        return self.name

    # Trust levels of the material's source: A issued by an authority (e-licence, another
    # department's data), B checked against the original by a clerk, C uploaded by the applicant.
    # D (made and vouched for by the applicant, e.g. a 承诺书) is a property of the requirement,
    # which the catalog will carry (issue 3). A report an intermediary delivered through the market
    # (中介服务成果) is B: its origin is checked by the system as a clerk checks an original (a
    # qualified intermediary the centre approved delivered it, its digest fixed at delivery and the
    # applicant never held the file), but an intermediary is no authority (docs/decisions.md).
    TRUST_BY_SOURCE = {Source.LICENCE: "A", Source.DATA_SOURCE: "A", Source.WINDOW: "B", Source.INTERMEDIARY: "B",
                       Source.UPLOAD: "C"}

    @property
    def trust_level(self) -> str:
        """"" for a 容缺 placeholder: nothing has been provided yet."""
        return "" if self.source == self.Source.DEFERRED else self.TRUST_BY_SOURCE.get(self.source, "C")

    @property
    def is_outstanding(self) -> bool:
        return self.source == self.Source.DEFERRED and self.fulfilled_at is None


class Notice(models.Model):
    """A document (文书) issued on an application or one of its sub-cases, stored as a PDF.

    `digest` is the SHA-256 of the notice's canonical content (kind, numbers, parties, dates,
    decision text); its first characters are printed on the document as the verification code
    that the public verification page checks. `sha256` is the digest of the PDF file itself.
    """

    class Kind(models.TextChoices):
        ACCEPTANCE = "acceptance", _("受理通知书")
        REFUSAL = "refusal", _("不予受理决定书")
        SUPPLEMENT = "supplement", _("补正材料通知书")
        SPECIAL_PROCEDURE = "special_procedure", _("特别程序告知书")
        EXTENSION = "extension", _("延期决定书")
        APPROVAL = "approval", _("准予行政许可决定书")
        DENIAL = "denial", _("不予行政许可决定书")
        CONCLUSION = "conclusion", _("办结通知书")

    key = models.CharField(max_length=64, unique=True, help_text=_("一份文书一个键,重复生成时复用"))
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notices")
    subcase = models.ForeignKey("SubCase", null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("文书"), max_length=32, choices=Kind.choices)
    file = models.FileField(upload_to="notices/%Y/%m/")
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    digest = models.CharField(_("内容摘要"), max_length=64, blank=True, db_index=True)
    # Ed25519 signature of `digest` by the issuing department's or hall's key (exchange.licence_signing);
    # empty for a notice issued before notices were signed.
    signature = models.CharField(_("签名(Base64)"), max_length=128, blank=True)
    signing_key = models.ForeignKey("exchange.IssuerKey", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("签名密钥"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.application}"


class CaseLog(AppendOnlyModel):
    """Append-only: who did what to which case, from which state to which, when and why."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="log")
    subcase = models.ForeignKey(SubCase, null=True, blank=True, on_delete=models.PROTECT, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("为空表示系统自动"),
    )
    action = models.CharField(max_length=64)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("办件日志")
        verbose_name_plural = _("办件日志")
        ordering = ["created_at", "pk"]



class PendingUpload(models.Model):
    """A material file that passed the upload check on a form that was sent back with errors,
    kept so that the person does not choose it again: the re-rendered form names it
    ("已选择:name") and carries its token; only its owner can use the token, on the same field.
    Used files are removed when the form is accepted; the rest after a day (`pending.purge`)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    field = models.CharField(max_length=64)
    file = models.FileField(upload_to="pending/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("待提交的已选文件")
        verbose_name_plural = _("待提交的已选文件")

    def __str__(self):
        return self.original_name
