"""Fees (缴): the fee lines of an application, the provider orders that pay them, every
notification received, and the daily reconciliation. Amounts are integers in fen."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matters.models import FeeItem
from workflow.models import Application


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


class FeeLine(models.Model):
    """One fee an application owes, copied from the matter's fee item when it became due."""

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("待缴费")
        PAID = "paid", _("已缴费")
        REFUNDED = "refunded", _("已退费")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="fee_lines",
                                    verbose_name=_("办件"))
    fee_item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("收费项目"))
    name = models.CharField(_("收费项目"), max_length=100)
    amount_fen = models.PositiveIntegerField(_("金额(分)"))
    legal_basis = models.CharField(_("收费依据"), max_length=255)
    charge_at = models.CharField(_("缴费时点"), max_length=16, choices=FeeItem.ChargeAt.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.UNPAID)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("缴费时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("应缴费用")
        verbose_name_plural = _("应缴费用")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "fee_item"], name="one_fee_line_per_item"),
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="fee_line_amount_positive"),
        ]

    def __str__(self):
        return f"{self.name} {yuan(self.amount_fen)} 元"

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)


class UtilityBill(models.Model):
    """Arrears of a 水/电/燃气 account that a data source reported for a person (the answer logged
    as `data_query`), made payable: one row per account and bill month, paid at most once through
    a PaymentOrder like a fee line (services.start_bill_payment)."""

    class Source(models.TextChoices):
        WATER = "shui", _("水费")
        POWER = "dian", _("电费")
        GAS = "ranqi", _("燃气费")

    class Status(models.TextChoices):
        UNPAID = "unpaid", _("待缴费")
        PAID = "paid", _("已缴费")
        REFUNDED = "refunded", _("已退费")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="utility_bills",
                               verbose_name=_("缴费人"))
    source = models.CharField(_("类别"), max_length=8, choices=Source.choices)
    account = models.CharField(_("户号"), max_length=32)
    bill_month = models.CharField(_("账单月份"), max_length=7)
    amount_fen = models.PositiveIntegerField(_("欠费金额(分)"))
    data_query = models.ForeignKey("exchange.DataQuery", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("数据查询记录"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.UNPAID)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("缴费时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("水电燃气欠费")
        verbose_name_plural = _("水电燃气欠费")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "account", "bill_month"], name="one_bill_per_account_month"),
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="bill_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.account} {self.bill_month}"

    @property
    def name(self) -> str:
        return _("%(kind)s(户号 %(account)s,%(month)s)") % {
            "kind": self.get_source_display(), "account": self.account, "month": self.bill_month}

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)


class PaymentOrder(models.Model):
    """An order at the payment provider for one fee line or one utility bill (exactly one of the
    two). Each has at most one order that is not closed; the order is paid at most once
    (services.settle_paid)."""

    class Status(models.TextChoices):
        CREATED = "created", _("待支付")
        PAID = "paid", _("已支付")
        REFUNDED = "refunded", _("已退款")

    fee_line = models.ForeignKey(FeeLine, on_delete=models.PROTECT, related_name="orders", verbose_name=_("应缴费用"),
                                 null=True, blank=True)
    bill = models.ForeignKey(UtilityBill, on_delete=models.PROTECT, related_name="orders",
                             verbose_name=_("水电燃气欠费"), null=True, blank=True)
    out_trade_no = models.CharField(_("订单号"), max_length=32, unique=True)
    amount_fen = models.PositiveIntegerField(_("金额(分)"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.CREATED)
    provider_order_id = models.CharField(_("支付平台订单号"), max_length=64, blank=True)
    pay_url = models.URLField(_("支付地址"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("下单时间"), auto_now_add=True)
    paid_at = models.DateTimeField(_("支付时间"), null=True, blank=True)
    settled_by = models.CharField(_("到账确认方式"), max_length=16, blank=True)  # "notification" | "query"
    receipt_number = models.CharField(_("电子票据号"), max_length=32, blank=True)
    refunded_fen = models.PositiveIntegerField(_("已退款(分)"), default=0)
    refunded_at = models.DateTimeField(_("退款时间"), null=True, blank=True)
    refund_reason = models.CharField(_("退款原因"), max_length=200, blank=True)
    refunded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("退款经办人"))
    queried_at = models.DateTimeField(_("最近查询"), null=True, blank=True)

    class Meta:
        verbose_name = _("支付订单")
        verbose_name_plural = _("支付订单")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="order_amount_positive"),
            models.UniqueConstraint(fields=["fee_line"], condition=models.Q(status__in=["created", "paid"]),
                                    name="one_live_order_per_fee_line"),
            models.UniqueConstraint(fields=["bill"], condition=models.Q(status__in=["created", "paid"]),
                                    name="one_live_order_per_bill"),
            models.CheckConstraint(
                condition=models.Q(fee_line__isnull=False, bill__isnull=True)
                | models.Q(fee_line__isnull=True, bill__isnull=False), name="order_pays_one_thing"),
        ]

    def __str__(self):
        return self.out_trade_no

    @property
    def paid_for(self) -> str:
        """What the order pays, in words (the fee's or the bill's name)."""
        return self.fee_line.name if self.fee_line_id else self.bill.name

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)


class PaymentNotification(models.Model):
    """Every asynchronous notification that reached the callback, accepted or not."""

    class Outcome(models.TextChoices):
        SETTLED = "settled", _("已入账")
        DUPLICATE = "duplicate", _("重复通知,未作变更")
        BAD_SIGNATURE = "bad_signature", _("签名不正确,已拒绝")
        REJECTED = "rejected", _("内容不符,已拒绝")

    received_at = models.DateTimeField(_("收到时间"), auto_now_add=True)
    out_trade_no = models.CharField(_("订单号"), max_length=64, blank=True)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=Outcome.choices)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    body = models.TextField(_("报文"))

    class Meta:
        verbose_name = _("支付通知")
        verbose_name_plural = _("支付通知")
        ordering = ["-received_at", "-id"]


class Reconciliation(models.Model):
    """The day's statement of the provider compared with our orders; `differences` lists each
    one: {"kind", "out_trade_no", "ours_fen", "theirs_fen", "note"}."""

    day = models.DateField(_("对账日期"), unique=True)
    ran_at = models.DateTimeField(_("对账时间"))
    provider_pay_fen = models.BigIntegerField(_("平台收款合计(分)"), default=0)
    provider_refund_fen = models.BigIntegerField(_("平台退款合计(分)"), default=0)
    our_pay_fen = models.BigIntegerField(_("本系统收款合计(分)"), default=0)
    our_refund_fen = models.BigIntegerField(_("本系统退款合计(分)"), default=0)
    differences = models.JSONField(_("差异"), default=list)

    class Meta:
        verbose_name = _("对账")
        verbose_name_plural = _("对账")
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day} 对账"
