"""Messages to people (消息中心) and what each person wants to receive (issue 16: notifications go
through one service with channels, respect each person's preferences, and are logged).

A `Message` is the in-site message itself and the log of it: who, what, about which case, when
it was read. `dedupe_key` makes a notification idempotent: a reminder sweep that runs twice, or a
task retried, finds the message already there. A person's `Preference` rows switch a kind off
(kinds the law requires — a supplement notice, a refusal — cannot be switched off).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ACCEPTED = "accepted", _("办件已受理")
    SUPPLEMENT = "supplement", _("需要补正材料")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    RESULT_READY = "result_ready", _("办理结果可领取")
    DEFERRED_DUE = "deferred_due", _("容缺材料即将到期")
    APPOINTMENT = "appointment", _("明日预约提醒")
    LICENCE_EXPIRY = "licence_expiry", _("证照即将到期")
    AUDIT_BREAK = "audit_break", _("日志哈希链断裂")
    HOME_VISIT = "home_visit", _("上门办理安排")
    CONFIRMATION_CODE = "confirmation_code", _("确认验证码")


# Notices the applicant must receive (一次性告知, refusal), the alert of a broken audit chain, and a
# confirmation code asked for on the spot (帮办): not switchable.
REQUIRED_KINDS = frozenset({Kind.SUPPLEMENT, Kind.NOT_ACCEPTED, Kind.AUDIT_BREAK, Kind.CONFIRMATION_CODE})


class Message(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages",
                                  verbose_name=_("接收人"))
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=255, blank=True)
    dedupe_key = models.CharField(_("去重键"), max_length=120)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="one_message_per_event")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_unread")]

    def __str__(self):
        return f"{self.recipient_id} {self.title}"


class Preference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    enabled = models.BooleanField(_("接收"), default=True)

    class Meta:
        verbose_name = _("消息偏好")
        verbose_name_plural = _("消息偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]
