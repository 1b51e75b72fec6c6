"""The halls' windows and who sits at them (统一调配)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.models import Department, Hall
from core.models import AppendOnlyModel
from core.pii import EncryptedField
from matters.models import Target


class Window(models.Model):
    class Category(models.TextChoices):
        NATURAL = "natural", _("自然人综合窗口")
        LEGAL = "legal", _("法人综合窗口")
        ASSIST = "assist", _("帮办窗口")
        DELIVERY = "delivery", _("综合出件窗口")
        DEPARTMENT = "department", _("部门窗口")

    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="windows", verbose_name=_("大厅"))
    number = models.CharField(_("窗口号"), max_length=8)
    name = models.CharField(_("窗口名称"), max_length=64)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("部门(部门窗口)")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="unique_window_number_per_hall")]

    def __str__(self):
        return f"{self.hall.name} {self.number} {self.name}"

    @property
    def accepts_category(self):
        """The application category (自然人/法人) this window accepts, or None."""
        return {self.Category.NATURAL: Target.NATURAL, self.Category.LEGAL: Target.LEGAL}.get(self.category)


class SeatQuerySet(models.QuerySet):
    def on(self, day: dt.date):
        return self.filter(starts_on__lte=day).filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day))


class Seat(models.Model):
    """A clerk sits at a window from one day to another (open-ended when `ends_on` is empty)."""

    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seats", verbose_name=_("窗口人员"))
    window = models.ForeignKey(Window, on_delete=models.PROTECT, related_name="seats", verbose_name=_("窗口"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)

    objects = SeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("窗口排班")
        verbose_name_plural = _("窗口排班")
        ordering = ["-starts_on"]


# --- the queue (取号叫号) and appointments (预约) ------------------------------------------------

# The letter a ticket number starts with, per queue category (the window category it is served at).
TICKET_PREFIXES = {
    Window.Category.NATURAL: "A",
    Window.Category.LEGAL: "B",
    Window.Category.ASSIST: "C",
    Window.Category.DELIVERY: "D",
    Window.Category.DEPARTMENT: "E",
}
QUEUE_LABELS = {
    Window.Category.NATURAL: _("个人业务"),
    Window.Category.LEGAL: _("企业业务"),
    Window.Category.ASSIST: _("帮办代办"),
    Window.Category.DELIVERY: _("领取结果"),
    Window.Category.DEPARTMENT: _("部门业务"),
}


class TicketSequence(models.Model):
    """Per (hall, Beijing day, prefix) counter; the row is locked while a number is drawn, so two
    terminals never hand out the same number. Numbers restart every day."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    prefix = models.CharField(max_length=2)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hall", "day", "prefix"], name="unique_ticket_sequence")]


class Ticket(models.Model):
    """A queue ticket (取号). Its timestamps and the hall, window and clerk that served it are
    what the supervision dashboard reads for queue wait (called_at − issued_at) and service time
    (finished_at − called_at)."""

    class Source(models.TextChoices):
        TERMINAL = "terminal", _("自助取号机")
        PHONE = "phone", _("手机取号")
        APPOINTMENT = "appointment", _("预约签到")

    class State(models.TextChoices):
        WAITING = "waiting", _("等候中")
        CALLED = "called", _("已叫号")
        SERVED = "served", _("已办结")
        NO_SHOW = "no_show", _("过号未到")
        CANCELLED = "cancelled", _("已取消")

    class Priority(models.IntegerChoices):
        NORMAL = 0, _("普通")
        APPOINTMENT = 1, _("预约优先")

    token = models.UUIDField(_("查询凭证"), unique=True, editable=False)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("大厅"))
    day = models.DateField(_("取号日期"))
    category = models.CharField(_("业务类别"), max_length=16, choices=Window.Category.choices)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("部门(部门窗口)"))
    prefix = models.CharField(_("字头"), max_length=2)
    sequence = models.PositiveIntegerField(_("顺序号"))
    number = models.CharField(_("号码"), max_length=8)
    source = models.CharField(_("取号方式"), max_length=16, choices=Source.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="tickets", verbose_name=_("取号人"))
    phone_masked = models.CharField(_("手机号码(脱敏)"), max_length=16, blank=True)
    priority = models.PositiveSmallIntegerField(_("优先级"), choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.WAITING)
    issued_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("首次叫号时间"), null=True, blank=True)
    announced_at = models.DateTimeField(_("最近呼叫时间"), null=True, blank=True,
                                        help_text=_("叫号或重呼的时间,大厅屏幕按此排序。"))
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="called_tickets", verbose_name=_("叫号人员"))
    window = models.ForeignKey(Window, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets",
                               verbose_name=_("窗口"))
    recall_count = models.PositiveSmallIntegerField(_("重呼次数"), default=0)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        ordering = ["-day", "hall", "-priority", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "prefix", "sequence"], name="unique_ticket_number"),
            # A clerk has at most one called ticket at a time: the database says so too.
            models.UniqueConstraint(fields=["called_by"], condition=models.Q(state="called"),
                                    name="one_called_ticket_per_clerk"),
            models.CheckConstraint(condition=~models.Q(category="department") | models.Q(department__isnull=False),
                                   name="department_ticket_has_department"),
        ]
        indexes = [
            # the queue of a hall today, and the dashboard's figures by hall and day
            models.Index(fields=["hall", "day", "state", "category"], name="ticket_hall_day_state"),
            models.Index(fields=["hall", "day", "announced_at"], name="ticket_hall_day_announced"),
            models.Index(fields=["window", "day"], name="ticket_window_day"),
            models.Index(fields=["called_by", "day"], name="ticket_clerk_day"),
            # the dashboard's rollup refresh reads the tickets of a range of days, every hall
            models.Index(fields=["day"], name="ticket_day"),
        ]

    def __str__(self):
        return f"{self.hall.name} {self.day} {self.number}"

    @property
    def category_label(self):
        if self.category == Window.Category.DEPARTMENT and self.department_id:
            return self.department.short_name or self.department.name
        return QUEUE_LABELS[self.category]

    @property
    def is_open(self):
        return self.state in (self.State.WAITING, self.State.CALLED)


class AppointmentSlot(models.Model):
    """A bookable time range at a hall for one queue category, with a capacity. `booked` only
    moves by a conditional UPDATE (`booked < capacity`), so it can never pass the capacity."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="appointment_slots", verbose_name=_("大厅"))
    category = models.CharField(_("业务类别"), max_length=16, choices=Window.Category.choices)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("部门(部门窗口)"))
    date = models.DateField(_("日期"))
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("可预约人数"))
    booked = models.PositiveIntegerField(_("已预约人数"), default=0)

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["date", "starts_at", "hall", "category"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "category", "starts_at"], condition=models.Q(department__isnull=True),
                                    name="unique_appointment_slot"),
            models.UniqueConstraint(fields=["hall", "department", "starts_at"], condition=models.Q(department__isnull=False),
                                    name="unique_department_appointment_slot"),
            models.CheckConstraint(condition=models.Q(booked__lte=models.F("capacity")), name="slot_not_overbooked"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start"),
        ]
        indexes = [models.Index(fields=["hall", "date", "category"], name="slot_hall_date_category")]

    def __str__(self):
        return f"{self.hall.name} {self.date} {self.category}"

    def clean(self):
        super().clean()
        if self.capacity is not None and self.capacity < self.booked:
            raise ValidationError({"capacity": _("已有 %(n)s 人预约,可预约人数不能少于已预约人数。") % {"n": self.booked}})
        if self.category == Window.Category.DEPARTMENT and not self.department_id:
            raise ValidationError({"department": _("部门窗口的时段须选择部门。")})

    @property
    def remaining(self):
        return max(self.capacity - self.booked, 0)

    @property
    def category_label(self):
        if self.category == Window.Category.DEPARTMENT and self.department_id:
            return self.department.short_name or self.department.name
        return QUEUE_LABELS[self.category]


class Appointment(models.Model):
    class State(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CHECKED_IN = "checked_in", _("已签到取号")
        CANCELLED = "cancelled", _("已取消")
        NO_SHOW = "no_show", _("爽约")

    code = models.CharField(_("预约码"), max_length=8, unique=True)
    slot = models.ForeignKey(AppointmentSlot, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("时段"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments",
                             verbose_name=_("预约人"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.BOOKED)
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    ticket = models.OneToOneField(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment",
                                  verbose_name=_("签到所取的号"))

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "user"], condition=models.Q(state__in=["booked", "checked_in"]),
                                    name="one_active_appointment_per_user_and_slot"),
        ]
        indexes = [models.Index(fields=["state", "slot"], name="appointment_state_slot")]

    def __str__(self):
        return self.code


class ClerkAuthorisationQuerySet(models.QuerySet):
    def on(self, day: dt.date):
        return self.filter(starts_on__lte=day).filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=day))


class ClerkAuthorisation(models.Model):
    """授权: the matters a clerk may accept, from one day to another. Either every matter of an
    application category (自然人/法人, `all_matters`) or the matters named."""

    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="matter_authorisations",
                              verbose_name=_("窗口人员"))
    category = models.CharField(_("事项类别"), max_length=16, choices=Target.choices, blank=True,
                                help_text=_("与“全部事项”一起使用:该类别的全部事项;留空为全部类别。"))
    all_matters = models.BooleanField(_("全部事项"), default=False)
    matters = models.ManyToManyField("matters.Matter", blank=True, related_name="+", verbose_name=_("授权事项"))
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("授权人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = ClerkAuthorisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("窗口人员事项授权")
        verbose_name_plural = _("窗口人员事项授权")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return f"{self.clerk} {self.starts_on}"


class RosterLog(AppendOnlyModel):
    """Append-only record of every change to seats and authorisations (统一调配)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("操作人"))
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="roster_log",
                              verbose_name=_("窗口人员"))
    action = models.CharField(_("操作"), max_length=64)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("调配记录")
        verbose_name_plural = _("调配记录")
        ordering = ["-created_at", "-pk"]


class Consultation(ConcurrentTransitionMixin, models.Model):
    """首问责任: the first staff member a person asks records the question and owns the answer
    until it is answered (which closes it) or handed over to another staff member.

    The owner changes only through a hand-over (`ConsultationEvent`, append-only); the previous
    owners keep reading it. The due date is stored when the consultation is opened, in working
    days after the day it was asked (windows.services.CONSULTATION_ANSWER_DAYS)."""

    class Channel(models.TextChoices):
        WINDOW = "window", _("窗口")
        PHONE = "phone", _("电话")
        ONLINE = "online", _("网上")

    class State(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    number = models.CharField(_("咨询编号"), max_length=32, unique=True)
    channel = models.CharField(_("咨询渠道"), max_length=16, choices=Channel.choices)
    hall = models.ForeignKey(Hall, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("大厅"))
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="consultations",
        verbose_name=_("咨询人账号"), help_text=_("已实名登记的咨询人:本人登录后可查看咨询及答复。"),
    )
    asker_name = models.CharField(_("咨询人姓名"), max_length=64)
    asker_phone = EncryptedField(_("联系电话"), blank=True)  # encrypted at rest (core/pii.py)
    asker_id_number = EncryptedField(_("身份证号码"), blank=True)
    topic = models.CharField(_("咨询主题"), max_length=64)
    matter = models.ForeignKey("matters.Matter", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("相关事项"))
    question = models.TextField(_("咨询内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("首问责任人"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_consultations",
                              verbose_name=_("当前责任人"))
    state = FSMField(_("状态"), default=State.OPEN, choices=State.choices, protected=True)
    opened_at = models.DateTimeField(_("登记时间"))
    due_on = models.DateField(_("答复期限"))
    answer = models.TextField(_("答复内容"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("答复人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("咨询(首问责任)")
        verbose_name_plural = _("咨询(首问责任)")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["owner", "state", "due_on"], name="consultation_owner_open")]

    def __str__(self):
        return f"{self.number} {self.topic}"

    @transition(field=state, source=State.OPEN, target=State.ANSWERED)
    def close(self):
        """Answered: the answer is recorded and nothing changes afterwards."""

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and today > self.due_on


class ConsultationEvent(AppendOnlyModel):
    """Append-only history of a consultation: opened, handed over (from, to, why), answered."""

    class Action(models.TextChoices):
        OPENED = "opened", _("登记咨询")
        HANDED_OVER = "handed_over", _("移交")
        ANSWERED = "answered", _("答复并办结")

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="consultations_handed_away")
    to_owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("咨询记录")
        verbose_name_plural = _("咨询记录")
        ordering = ["created_at", "pk"]



from .home_visit_models import HallHead, HelpDeskDraft, HelpDeskFile, HomeVisit, HomeVisitEvent  # noqa: E402, F401
