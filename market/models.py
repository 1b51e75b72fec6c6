"""中介超市 (intermediary services market): the services a matter needs before a department can
decide (测绘, 环评 …), the intermediaries that offer them, the demands project owners post, the
bids, the selection and the contract with its working-day clock, delivery and rating.

What "may be selected" means is a query on dates (`IntermediaryQuerySet.selectable`): a valid
qualification for the service on the day and no blacklist entry in force on it; nobody has to
remember to switch a flag when a certificate expires or a blacklist period ends.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, Enterprise
from core.models import AppendOnlyModel
from matters.models import Matter


def yuan(fen: int | None) -> str:
    fen = fen or 0
    return f"{fen // 100}.{fen % 100:02d}"


class ServiceItem(models.Model):
    """A kind of intermediary service (测绘, 环评 …) and the matters whose application needs its
    result (the guide names it)."""

    code = models.CharField(_("服务事项代码"), max_length=32, unique=True)
    name = models.CharField(_("服务事项名称"), max_length=64)
    description = models.TextField(_("服务内容"), blank=True)
    report_name = models.CharField(_("服务成果"), max_length=64, help_text=_("例如“测绘成果报告”,可作为申请材料提交"))
    matters = models.ManyToManyField(
        Matter, blank=True, related_name="market_services", verbose_name=_("需要该服务的事项")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("中介服务事项")
        verbose_name_plural = _("中介服务事项")
        ordering = ["code"]

    def __str__(self):
        return self.name


class IntermediaryQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=Intermediary.Status.APPROVED)

    def blacklisted_on(self, day: dt.date):
        return self.filter(Exists(Blacklisting.objects.in_force(day).filter(intermediary=OuterRef("pk"))))

    def selectable(self, *, service_item, day: dt.date):
        """Approved, holding a qualification for `service_item` valid on `day`, not blacklisted on it."""
        qualified = Qualification.objects.valid_on(day).filter(intermediary=OuterRef("pk"), service_item=service_item)
        in_force = Blacklisting.objects.in_force(day).filter(intermediary=OuterRef("pk"))
        return self.approved().filter(Exists(qualified)).exclude(Exists(in_force))


class Intermediary(models.Model):
    """An intermediary (中介机构): an enterprise registered in the market, checked by the centre."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已入驻")
        REJECTED = "rejected", _("未通过")

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.PROTECT, related_name="intermediary", verbose_name=_("企业")
    )
    contact_name = models.CharField(_("联系人"), max_length=32)
    contact_phone = models.CharField(_("联系电话"), max_length=32, help_text=_("办公电话,将在名录中公开"))
    address = models.CharField(_("办公地址"), max_length=255)
    introduction = models.TextField(_("机构简介"), blank=True)
    status = models.CharField(_("审核状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=255, blank=True)

    objects = IntermediaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("中介机构")
        verbose_name_plural = _("中介机构")
        ordering = ["pk"]

    def __str__(self):
        return self.enterprise.name

    @property
    def name(self) -> str:
        return self.enterprise.name

    @property
    def credit_code(self) -> str:
        return self.enterprise.credit_code


class QualificationQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date):
        return self.filter(valid_from__lte=day, valid_until__gte=day)


class Qualification(models.Model):
    """A qualification certificate (资质证书) for one service item: level, scope, validity."""

    intermediary = models.ForeignKey(Intermediary, on_delete=models.CASCADE, related_name="qualifications")
    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="qualifications", verbose_name=_("服务事项")
    )
    name = models.CharField(_("资质名称"), max_length=64)
    level = models.CharField(_("资质等级"), max_length=16)
    scope = models.CharField(_("业务范围"), max_length=255)
    certificate_number = models.CharField(_("证书编号"), max_length=64)
    issuer = models.CharField(_("发证机关"), max_length=64)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))

    objects = QualificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        ordering = ["service_item_id", "-valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="qualification_period_ordered"
            )
        ]

    def __str__(self):
        return f"{self.name}({self.level})"


class StaffMember(models.Model):
    """A practitioner (执业人员) of an intermediary and their certificate."""

    intermediary = models.ForeignKey(Intermediary, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=32)
    certificate_name = models.CharField(_("执业资格"), max_length=64)
    certificate_number = models.CharField(_("证书编号"), max_length=64)
    valid_until = models.DateField(_("证书有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("执业人员")
        verbose_name_plural = _("执业人员")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class BlacklistingQuerySet(models.QuerySet):
    def in_force(self, day: dt.date):
        return self.filter(starts_on__lte=day, ends_on__gte=day, lifted_at__isnull=True)


class Blacklisting(models.Model):
    """A blacklist entry (黑名单) with its reason and period; lifted early only with a reason."""

    intermediary = models.ForeignKey(Intermediary, on_delete=models.PROTECT, related_name="blacklistings")
    reason = models.CharField(_("列入原因"), max_length=255)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(_("提前解除时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lift_reason = models.CharField(_("解除原因"), max_length=255, blank=True)

    objects = BlacklistingQuerySet.as_manager()

    class Meta:
        verbose_name = _("黑名单")
        verbose_name_plural = _("黑名单")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="blacklisting_period_ordered")
        ]


class DepartmentBar(models.Model):
    """回避: an intermediary may not serve a demand tied to a case this department decides (e.g. it
    was run by the department, or its staff came from it recently)."""

    intermediary = models.ForeignKey(Intermediary, on_delete=models.CASCADE, related_name="bars")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("回避部门"))
    reason = models.CharField(_("回避原因"), max_length=255)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("回避部门")
        verbose_name_plural = _("回避部门")
        constraints = [models.UniqueConstraint(fields=["intermediary", "department"], name="one_bar_per_department")]


class Demand(models.Model):
    """A project owner's demand (采购需求): an enterprise, or a department buying with public money."""

    class Method(models.TextChoices):
        DIRECT = "direct", _("直接选取")
        DRAW = "draw", _("随机抽取")
        LOWEST = "lowest", _("最低价中选")
        SCORED = "scored", _("综合评分")

    class State(models.TextChoices):
        OPEN = "open", _("报名中")
        SELECTED = "selected", _("已选定")
        FAILED = "failed", _("流标")
        CANCELLED = "cancelled", _("已撤销")

    number = models.CharField(_("项目编号"), max_length=24, unique=True, null=True, blank=True)
    title = models.CharField(_("项目名称"), max_length=128)
    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="demands", verbose_name=_("服务事项")
    )
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("关联审批事项")
    )
    application = models.ForeignKey(
        "workflow.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("关联办件"),
    )
    scope = models.TextField(_("服务范围与要求"))
    budget_ceiling_fen = models.PositiveBigIntegerField(_("最高限价(分)"))
    bid_deadline = models.DateField(_("报名截止日期"))
    service_days = models.PositiveSmallIntegerField(_("服务时限(工作日)"))
    method = models.CharField(_("选取方式"), max_length=16, choices=Method.choices)
    owner_enterprise = models.ForeignKey(
        Enterprise, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("项目业主(企业)")
    )
    owner_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("项目业主(部门)")
    )
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    # The draw's seed is drawn at posting; its SHA-256 (the commitment) is public from then on, the
    # seed itself from the draw on, so nobody can choose it after seeing the bidders.
    seed = models.CharField(max_length=64)
    seed_commitment = models.CharField(_("种子承诺值"), max_length=64)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.OPEN)
    selected_at = models.DateTimeField(_("选取时间"), null=True, blank=True)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    winning_bid = models.OneToOneField("Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    draw_list = models.JSONField(_("参与抽取的单位(有序)"), default=list, blank=True)
    draw_digest = models.CharField(_("抽取摘要"), max_length=64, blank=True)
    draw_index = models.PositiveSmallIntegerField(null=True, blank=True)
    excluded = models.JSONField(_("未参与选取的报名单位及原因"), default=list, blank=True)
    result_note = models.CharField(_("结果说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("中介服务项目")
        verbose_name_plural = _("中介服务项目")
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_enterprise__isnull=True) ^ Q(owner_department__isnull=True),
                name="demand_has_one_owner",
            ),
            models.CheckConstraint(condition=Q(budget_ceiling_fen__gt=0), name="demand_ceiling_positive"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def owner_name(self) -> str:
        return self.owner_enterprise.name if self.owner_enterprise_id else self.owner_department.name

    @property
    def ceiling_yuan(self) -> str:
        return yuan(self.budget_ceiling_fen)

    @property
    def drawn(self) -> bool:
        return self.method == self.Method.DRAW and bool(self.draw_digest)


class Bid(models.Model):
    """An intermediary's bid (报名/报价) on a demand: a fee within the ceiling and a time limit."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="bids")
    intermediary = models.ForeignKey(Intermediary, on_delete=models.PROTECT, related_name="bids")
    price_fen = models.PositiveBigIntegerField(_("报价(分)"))
    days = models.PositiveSmallIntegerField(_("承诺服务时限(工作日)"))
    note = models.CharField(_("服务方案简述"), max_length=500, blank=True)
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["submitted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["demand", "intermediary"], name="one_bid_per_intermediary")]

    @property
    def price_yuan(self) -> str:
        return yuan(self.price_fen)


class Contract(models.Model):
    """The service contract (服务合同) of a selected bid: its clock in working days (the same
    calendar as cases), the delivered report, the owner's rating."""

    class State(models.TextChoices):
        IN_SERVICE = "in_service", _("服务中")
        DELIVERED = "delivered", _("已交付")
        CLOSED = "closed", _("已评价")

    demand = models.OneToOneField(Demand, on_delete=models.PROTECT, related_name="contract")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="contract")
    intermediary = models.ForeignKey(Intermediary, on_delete=models.PROTECT, related_name="contracts")
    fee_fen = models.PositiveBigIntegerField(_("服务费(分)"))
    service_days = models.PositiveSmallIntegerField(_("服务时限(工作日)"))
    signed_on = models.DateField(_("签订日期"))
    due_on = models.DateField(_("应交付日期"))
    due_provisional = models.BooleanField(default=False, help_text=_("期限跨越尚未公布放假安排的年度"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.IN_SERVICE)
    report = models.FileField(_("服务成果"), upload_to="market/reports/%Y/%m/", blank=True)
    report_name = models.CharField(_("成果文件名"), max_length=255, blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    report_size = models.PositiveIntegerField(default=0)
    delivered_on = models.DateField(_("交付日期"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField(_("逾期交付"), default=False)
    rating = models.PositiveSmallIntegerField(_("评价(1-5星)"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("服务合同")
        verbose_name_plural = _("服务合同")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="contract_rating_1_to_5"
            )
        ]

    @property
    def number(self) -> str:
        return self.demand.number

    @property
    def fee_yuan(self) -> str:
        return yuan(self.fee_fen)


class ReportUse(models.Model):
    """A delivered report attached as a material of one of the owner's applications."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="uses")
    material = models.OneToOneField("workflow.Material", on_delete=models.PROTECT, related_name="+")
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("成果复用记录")
        verbose_name_plural = _("成果复用记录")


class MarketLog(AppendOnlyModel):
    """Append-only (hash-chained): who did what in the market, on which demand or intermediary."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64)
    demand = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.PROTECT, related_name="log")
    intermediary = models.ForeignKey(Intermediary, null=True, blank=True, on_delete=models.PROTECT, related_name="log")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("中介超市日志")
        verbose_name_plural = _("中介超市日志")
        ordering = ["created_at", "pk"]
