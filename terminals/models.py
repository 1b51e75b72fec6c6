"""市民之窗 (issue 13): the district's self-service terminals, and the sessions a resident's ID card
opens on them.

A terminal is a registered device of a hall with its own Ed25519 key pair; the private key never
leaves the device, the portal keeps the public key. What the device says (a card read, the card
taken out, a heartbeat) arrives signed with it (terminals.signing); a resident's session starts
with the card read (or, without the card, the ID number typed at the terminal) and becomes personal
only after a second factor: the PIN they set online, or a code texted to their registered phone."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Hall


class Terminal(models.Model):
    OFFLINE_AFTER = timedelta(minutes=2)  # the device beats every 30 s

    class Paper(models.TextChoices):
        OK = "ok", _("正常")
        LOW = "low", _("纸张将尽")
        OUT = "out", _("缺纸")

    code = models.CharField(_("终端编号"), max_length=32, unique=True)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="terminals", verbose_name=_("所属大厅"))
    location = models.CharField(_("摆放位置"), max_length=128, help_text=_("如:一楼大厅东侧、某社区服务站"))
    public_key = models.CharField(
        _("设备公钥(Ed25519,Base64)"), max_length=64, help_text=_("由终端设备生成密钥对,私钥不出设备;此处填写其公钥。")
    )
    active = models.BooleanField(_("启用"), default=True)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    last_heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    paper = models.CharField(_("打印纸"), max_length=8, choices=Paper.choices, default=Paper.OK)
    reader_ok = models.BooleanField(_("读卡器正常"), default=True)

    class Meta:
        verbose_name = _("自助终端")
        verbose_name_plural = _("自助终端")
        ordering = ["hall", "code"]

    def __str__(self):
        return f"{self.code} {self.location}"

    def is_online(self, now=None) -> bool:
        now = now or timezone.now()
        return self.last_heartbeat_at is not None and now - self.last_heartbeat_at <= self.OFFLINE_AFTER

    def problems(self, now=None) -> list[str]:
        """What the hall's staff must see to (empty when the terminal is fine)."""
        found = []
        if not self.active:
            return [str(_("已停用"))]
        if self.last_heartbeat_at is None:
            found.append(str(_("从未上线")))
        elif not self.is_online(now):
            found.append(str(_("离线")))
        if self.paper != self.Paper.OK:
            found.append(self.get_paper_display())
        if not self.reader_ok:
            found.append(str(_("读卡器故障")))
        return found


class TerminalNonce(models.Model):
    """Nonces of accepted device requests, per terminal, kept for twice the timestamp window: a
    second use is a replay (the unique key makes two simultaneous replays fail alike)."""

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["terminal", "nonce"], name="terminal_nonce_once")]


class TerminalRefusal(models.Model):
    """A device request refused (unknown device, bad signature, stale, replayed): kept for the
    hall's staff and the auditor."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    code = models.CharField(_("拒绝原因"), max_length=32)
    terminal_code = models.CharField(_("自称终端"), max_length=32, blank=True)
    path = models.CharField(max_length=255)
    remote_addr = models.CharField(_("来源地址"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("被拒绝的终端请求")
        verbose_name_plural = _("被拒绝的终端请求")
        ordering = ["-at"]


class TerminalPin(models.Model):
    """A resident's terminal PIN (终端密码, six digits), set online after signing in; the second
    factor after the card read. Stored as a password hash; five wrong entries lock it for 15
    minutes."""

    MAX_FAILURES = 5
    LOCK = timedelta(minutes=15)

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terminal_pin")
    pin_hash = models.CharField(max_length=256)
    set_at = models.DateTimeField(_("设置时间"), default=timezone.now)
    failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("终端密码")
        verbose_name_plural = _("终端密码")


class CardSession(models.Model):
    """One resident at one terminal, from the card read to its end. Personal pages need the
    state ACTIVE, reached by the PIN; 60 s without a touch, the card taken out, a new card read or
    the resident's 退出 ends it."""

    # 60 s without a touch end it (180 s on the texted code's screen): settings.TERMINAL_IDLE_SECONDS and
    # TERMINAL_CODE_IDLE_SECONDS, read by services.idle_limit()

    class State(models.TextChoices):
        AWAITING_PIN = "awaiting_pin", _("待输入终端密码")
        AWAITING_CODE = "awaiting_code", _("待输入短信验证码")
        ACTIVE = "active", _("使用中")
        ENDED = "ended", _("已结束")

    class EndReason(models.TextChoices):
        CARD_REMOVED = "card_removed", _("已取走身份证")
        IDLE = "idle", _("无操作超时")
        FINISHED = "finished", _("本人退出")
        REPLACED = "replaced", _("读取了另一张身份证")
        PIN_LOCKED = "pin_locked", _("终端密码错误次数过多")
        NO_ACCOUNT = "no_account", _("尚未注册")
        NO_PIN = "no_pin", _("尚未设置终端密码")
        CODE_FAILED = "code_failed", _("短信验证码错误次数过多")

    class Start(models.TextChoices):
        CARD = "card", _("读取身份证")
        ID_NUMBER = "id_number", _("输入身份证号码")

    class Factor(models.TextChoices):
        PIN = "pin", _("终端密码")
        SMS = "sms", _("短信验证码")

    terminal = models.ForeignKey(Terminal, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("终端"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("持卡人"),
    )
    card_name = models.CharField(_("证件姓名"), max_length=64)
    card_id_masked = models.CharField(_("证件号码(脱敏)"), max_length=18)
    photo_hash = models.CharField(_("证件照片摘要"), max_length=64, blank=True)
    started_by = models.CharField(_("开始方式"), max_length=16, choices=Start.choices, default=Start.CARD)
    factor = models.CharField(_("验证方式"), max_length=8, choices=Factor.choices, blank=True)
    # the SMS code (second factor): only its HMAC, its expiry, wrong tries and how many were sent
    code_hash = models.CharField(max_length=64, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_tries = models.PositiveSmallIntegerField(default=0)
    codes_sent = models.PositiveSmallIntegerField(default=0)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.AWAITING_PIN)
    started_at = models.DateTimeField(_("读卡时间"), default=timezone.now)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    last_touch_at = models.DateTimeField(_("最近操作"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        verbose_name = _("终端会话")
        verbose_name_plural = _("终端会话")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["terminal"], condition=~models.Q(state="ended"), name="one_open_session_per_terminal"
            ),
        ]

    def __str__(self):
        return f"{self.terminal.code} {self.card_id_masked} {self.get_state_display()}"


class TerminalEnrolment(models.Model):
    """A one-time code that binds a terminal's kiosk page (its browser) to the terminal: made by
    an administrator or the hall's head, shown once, typed at the terminal within 30 minutes. Its
    use sets the device cookie (signed, naming this enrolment); a later enrolment of the same
    terminal revokes the earlier one, so a cookie copied off an old browser stops working. Only
    the code's SHA-256 is kept."""

    VALID_FOR = timedelta(minutes=30)

    terminal = models.ForeignKey(Terminal, on_delete=models.CASCADE, related_name="enrolments",
                                 verbose_name=_("终端"))
    code_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("生成人"))
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("终端登记码")
        verbose_name_plural = _("终端登记码")
        ordering = ["-created_at"]


class KioskReceipt(models.Model):
    """One thing done at a terminal (a query answered, a fee paid, a number taken, an appointment
    checked in, a rating), printed as an 80 mm receipt while the session lasts. `lines` are the
    receipt's (label, value) rows, already masked."""

    class Kind(models.TextChoices):
        QUERY = "query", _("查询")
        PAYMENT = "payment", _("缴费")
        TICKET = "ticket", _("取号")
        CHECK_IN = "check_in", _("预约签到")
        RATING = "rating", _("评价")
        APPLY = "apply", _("申请")
        SUPPLEMENT = "supplement", _("补正告知")

    session = models.ForeignKey(CardSession, on_delete=models.PROTECT, related_name="receipts",
                                verbose_name=_("终端会话"))
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=64)
    lines = models.JSONField(_("内容"), default=list)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("终端凭条")
        verbose_name_plural = _("终端凭条")
        ordering = ["-created_at", "-pk"]
