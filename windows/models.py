"""The halls' windows and who sits at them (统一调配)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.models import Department, Hall
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
    asker_phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    asker_id_number = models.CharField(_("身份证号码"), max_length=18, blank=True)
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


class ConsultationEvent(models.Model):
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

    class Meta:
        verbose_name = _("咨询记录")
        verbose_name_plural = _("咨询记录")
        ordering = ["created_at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("consultation events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("consultation events are append-only")
