"""The halls' windows and who sits at them (统一调配)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class RosterLog(models.Model):
    """Append-only record of every change to seats and authorisations (统一调配)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("操作人"))
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roster_log",
                              verbose_name=_("窗口人员"))
    action = models.CharField(_("操作"), max_length=64)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("调配记录")
        verbose_name_plural = _("调配记录")
        ordering = ["-created_at", "-pk"]
