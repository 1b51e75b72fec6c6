"""Supervision's own records: red and yellow cards on sub-case clocks."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.models import SubCase


class Card(models.Model):
    class Level(models.TextChoices):
        YELLOW = "yellow", _("黄牌")
        RED = "red", _("红牌")

    subcase = models.ForeignKey(SubCase, on_delete=models.CASCADE, related_name="cards", verbose_name=_("子件"))
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    reason = models.CharField(_("原因"), max_length=255)
    opened_at = models.DateTimeField(_("亮牌时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("撤牌时间"), null=True, blank=True)
    close_reason = models.CharField(_("撤牌原因"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("红黄牌")
        verbose_name_plural = _("红黄牌")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subcase", "level"], condition=models.Q(closed_at__isnull=True), name="one_open_card_per_level"
            ),
        ]
