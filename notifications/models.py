"""Messages to people (消息中心) and what each person wants to receive (issue 16: notifications go
through one service with channels, respect each person's preferences, and are logged).

An `AppDevice` is a phone on which the portal's mobile app (the installed 移动办事大厅) registered
for pushed notices; a `PushMessage` is one notice pushed to one such device through the messaging
platform (the same gateway as texts), once per device and dedupe key.

A `Message` is the in-site message itself and the log of it: who, what, about which case, when
it was read. `dedupe_key` makes a notification idempotent: a reminder sweep that runs twice, or a
task retried, finds the message already there. An `SmsMessage` is the text sent for the same
notification through the SMS gateway and its log (queued → sent → delivered | failed, the
gateway's message id), once per person and dedupe key; the number itself is read from the
account (encrypted at rest) when the text is sent and kept here only masked. A person's
`Preference` rows switch a kind off per channel (kinds the law requires — a supplement notice, a
refusal, a confirmation code — cannot be switched off on any channel).
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
    SUPPLEMENT_DUE = "supplement_due", _("补正材料待提交")
    COLLECT_DUE = "collect_due", _("办理结果待领取")
    RATING_DUE = "rating_due", _("办件待评价")
    BENEFIT = "benefit", _("免申即享待确认")
    MARKET = "market", _("中介超市项目动态")


class Channel(models.TextChoices):
    SITE = "site", _("站内信")
    SMS = "sms", _("短信")
    APP = "app", _("手机App推送")


# Notices the applicant must receive (一次性告知, refusal), the alert of a broken audit chain, and a
# confirmation code asked for on the spot (帮办): not switchable.
REQUIRED_KINDS = frozenset({Kind.SUPPLEMENT, Kind.NOT_ACCEPTED, Kind.AUDIT_BREAK, Kind.CONFIRMATION_CODE})
# Kinds never sent as a text (staff alerts read at the desk).
SITE_ONLY_KINDS = frozenset({Kind.AUDIT_BREAK})
# Kinds whose text a person must ask for (switched on in the preferences); every other kind goes
# by SMS too unless switched off.
SMS_OFF_BY_DEFAULT = frozenset({Kind.ACCEPTED, Kind.RATING_DUE})


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
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices, default=Channel.SITE)
    enabled = models.BooleanField(_("接收"), default=True)

    class Meta:
        verbose_name = _("消息偏好")
        verbose_name_plural = _("消息偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "channel"],
                                               name="one_preference_per_kind_channel")]


class SmsMessage(models.Model):
    """One text to one person for one notification (`dedupe_key`, as its in-site message), sent
    through the gateway once: `client_ref` is our reference at the gateway, which answers the same
    reference with the same message (a task run twice texts the handset once)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        SENT = "sent", _("已提交短信平台")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("发送失败")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("接收人"))
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    dedupe_key = models.CharField(_("去重键"), max_length=120)
    client_ref = models.CharField(_("发送编号"), max_length=40, unique=True)
    phone_masked = models.CharField(_("手机号码(脱敏)"), max_length=16)
    text = models.TextField(_("短信内容"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    provider_id = models.CharField(_("短信平台编号"), max_length=40, blank=True)
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信发送记录")
        verbose_name_plural = _("短信发送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="one_sms_per_event")]

    def __str__(self):
        return f"{self.phone_masked} {self.get_status_display()}"


class AppDevice(models.Model):
    """A phone on which the mobile app registered its push token for the signed-in person (the app
    calls `POST /api/notifications/devices/`); a token registered again by another person moves to
    them (a phone changes hands), and a removed device gets nothing more."""

    class Platform(models.TextChoices):
        ANDROID = "android", _("安卓")
        IOS = "ios", _("iOS")
        HARMONY = "harmony", _("鸿蒙")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_devices",
                             verbose_name=_("用户"))
    token = models.CharField(_("推送令牌"), max_length=200, unique=True)
    platform = models.CharField(_("系统"), max_length=12, choices=Platform.choices)
    name = models.CharField(_("设备名称"), max_length=64, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), auto_now=True)

    class Meta:
        verbose_name = _("手机App设备")
        verbose_name_plural = _("手机App设备")
        ordering = ["-registered_at", "-pk"]

    def __str__(self):
        return f"{self.user_id} {self.get_platform_display()} {self.name}"


class PushMessage(models.Model):
    """One notice pushed to one registered device for one notification (`dedupe_key`, as its
    in-site message), handed to the gateway once: `client_ref` is our reference there, which
    answers the same reference with the same push (a task run twice pushes once)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待推送")
        SENT = "sent", _("已提交推送平台")
        FAILED = "failed", _("推送失败")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("接收人"))
    device = models.ForeignKey(AppDevice, null=True, on_delete=models.SET_NULL, related_name="pushes",
                               verbose_name=_("设备"))
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    dedupe_key = models.CharField(_("去重键"), max_length=120)
    client_ref = models.CharField(_("推送编号"), max_length=40, unique=True)
    title = models.CharField(_("标题"), max_length=120)
    body = models.CharField(_("内容"), max_length=300, blank=True)
    link = models.CharField(_("链接"), max_length=255, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    provider_id = models.CharField(_("推送平台编号"), max_length=40, blank=True)
    attempts = models.PositiveIntegerField(_("推送次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("App推送记录")
        verbose_name_plural = _("App推送记录")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["device", "dedupe_key"], name="one_push_per_device_event")]

    def __str__(self):
        return f"{self.recipient_id} {self.title} {self.get_status_display()}"
