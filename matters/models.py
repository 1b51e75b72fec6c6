"""The matter catalog: matters (事项) with their standard, materials and form fields, and themes
("一件事") that bundle matters of several departments behind one form (一表式).

A theme's one form is the union of its matters' fields, keyed by `FormField.key`: a field that
several matters need (the company name, say) is asked once, and each department later sees only
the keys its own matter declares.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from core.clock.law import LEGAL_DECISION_DAYS
from core.models import AppendOnlyModel

from .search import KEY_FIELDS as SEARCH_KEY_FIELDS
from .search import SOURCE_FIELDS as SEARCH_SOURCE_FIELDS
from .search import fill_search_keys


class Target(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人")


class Matter(models.Model):
    class Kind(models.TextChoices):
        LICENSING = "licensing", _("行政许可")
        CONFIRMATION = "confirmation", _("行政确认")
        PAYMENT = "payment", _("行政给付")
        LEVY = "levy", _("行政征收")
        REWARD = "reward", _("行政奖励")
        ADJUDICATION = "adjudication", _("行政裁决")
        OTHER_POWER = "other_power", _("其他行政权力")
        PUBLIC_SERVICE = "public_service", _("公共服务")

    class Level(models.TextChoices):
        DISTRICT = "district", _("区级")
        TOWN = "town", _("镇级")
        VILLAGE = "village", _("村级")

    class EntryMode(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("综合窗口受理")
        DEPARTMENT = "department", _("部门窗口受理")

    class OnlineDepth(models.IntegerChoices):
        INFORMATION = 1, _("一级:信息公开")
        DOWNLOAD = 2, _("二级:表格下载")
        ONLINE_APPLY = 3, _("三级:网上申请、网上预审")
        FULLY_ONLINE = 4, _("四级:全程网办")

    code = models.CharField(_("实施编码"), max_length=48, unique=True)
    basic_code = models.CharField(_("基本编码"), max_length=32, blank=True)
    name = models.CharField(_("事项名称"), max_length=128)
    kind = models.CharField(_("事项类型"), max_length=16, choices=Kind.choices, default=Kind.LICENSING)
    type_code = models.CharField(
        _("办件类型码"), max_length=4, default="XK", help_text=_("办件编号中的类型段,如 XK 许可、QR 确认、GF 给付。")
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="matters", verbose_name=_("实施部门"))
    level = models.CharField(_("实施层级"), max_length=16, choices=Level.choices, default=Level.DISTRICT)
    target = models.CharField(_("服务对象"), max_length=16, choices=Target.choices)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    legal_days = models.PositiveSmallIntegerField(_("法定办结时限(工作日)"), default=LEGAL_DECISION_DAYS)
    promised_days = models.PositiveSmallIntegerField(_("承诺办结时限(工作日)"), help_text=_("即办件为0。"))
    fee_fen = models.PositiveIntegerField(_("收费标准(分)"), default=0)
    fee_basis = models.CharField(_("收费依据"), max_length=255, blank=True)
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=1)
    online_depth = models.PositiveSmallIntegerField(_("网办深度"), choices=OnlineDepth.choices, default=OnlineDepth.ONLINE_APPLY)
    citywide = models.BooleanField(_("同城通办"), default=True)
    in_hall = models.BooleanField(_("已进驻大厅"), default=True)
    home_visit = models.BooleanField(
        _("可上门办理"), default=False,
        help_text=_("行动不便的老年人、残疾人等可预约窗口人员上门收件(上门办理)。"),
    )
    self_service = models.BooleanField(
        _("可在自助终端办理"), default=False,
        help_text=_("群众可在市民之窗自助终端申请:表单由实名信息、共享数据或选项填写,所需材料均可免提交。"),
    )
    issues_licence = models.BooleanField(_("办结出具证照"), default=False)
    result_name = models.CharField(_("审批结果名称"), max_length=128, blank=True)
    # The licence's type (证照类型: name, code, holder, validity, data items, reminders) is the
    # exchange's record; the matter points at it.
    licence_type = models.ForeignKey(
        "exchange.LicenceType", null=True, blank=True, on_delete=models.PROTECT, related_name="matters",
        verbose_name=_("证照类型"), help_text=_("办结出具证照的事项:所出证照的类型(有效期、持证主体、照面信息)。"),
    )
    establishes_entity = models.BooleanField(
        _("设立登记"), default=False, help_text=_("申请时市场主体尚未成立,可不以企业名义申请(如企业设立登记)。")
    )
    entry_mode = models.CharField(
        _("进驻方式"), max_length=16, choices=EntryMode.choices, default=EntryMode.COMPREHENSIVE,
        help_text=_("进驻大厅的事项由综合窗口统一受理,或在部门窗口(如不动产登记、税务)受理。"),
    )
    phone = models.CharField(_("咨询电话"), max_length=32, blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=32, blank=True, default="12345")
    version = models.PositiveIntegerField(_("版本"), default=1)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)
    # Search columns (matters.search): pinyin initials and full pinyin of the name, then "|" and
    # those of the result name; and the folded text a query's words are looked for in. Filled on
    # every save; never typed by anyone.
    search_initials = models.CharField(_("拼音首字母"), max_length=300, blank=True, editable=False)
    search_pinyin = models.TextField(_("全拼"), blank=True, editable=False)
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)

    class Meta:
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("legal_days")), name="promised_within_legal"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        fill_search_keys(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SEARCH_SOURCE_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *SEARCH_KEY_FIELDS}
        super().save(*args, **kwargs)

    def clean(self):
        if self.promised_days is not None and self.legal_days is not None and self.promised_days > self.legal_days:
            raise ValidationError({"promised_days": _("承诺时限不得超过法定时限。")})

    @property
    def is_same_day(self):
        return self.promised_days == 0

    def licence_valid_until(self, issued_on):
        """The last day a licence of this matter issued on `issued_on` is valid, from its licence
        type, or None (长期, also for a matter without a type)."""
        return self.licence_type.valid_until(issued_on) if self.licence_type_id else None


class MaterialRequirement(models.Model):
    class Source(models.TextChoices):
        APPLICANT = "applicant", _("申请人提供")
        LICENCE = "licence", _("电子证照库获取(免提交)")
        DATA_SOURCE = "data_source", _("部门数据共享获取(免提交)")

    class TrustLevel(models.TextChoices):
        A = "A", _("A级:权威部门核发")
        B = "B", _("B级:窗口人员核验")
        C = "C", _("C级:申请人上传")
        D = "D", _("D级:申请人自制并承诺")

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        BOTH = "both", _("原件和复印件")
        ELECTRONIC = "electronic", _("电子材料")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=128)
    form = models.CharField(_("材料形式"), max_length=16, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    required = models.BooleanField(_("必须提供"), default=True)
    deferrable = models.BooleanField(
        _("容缺"), default=False, help_text=_("次要材料,可先受理、限期补交(容缺受理)。")
    )
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.APPLICANT)
    trust_level = models.CharField(
        _("可信等级"), max_length=1, choices=TrustLevel.choices, default=TrustLevel.C,
        help_text=_("A 权威部门核发;B 窗口人员核验;C 申请人上传;D 申请人自制并承诺。"),
    )
    note = models.CharField(_("填报说明"), max_length=255, blank=True)
    blank_form = models.FileField(_("空白表格"), upload_to="guides/forms/%Y/", blank=True, max_length=200)
    sample = models.FileField(_("示例样表"), upload_to="guides/samples/%Y/", blank=True, max_length=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["matter", "order", "pk"]

    def __str__(self):
        return self.name

    @property
    def must_be_brought(self):
        return self.source == self.Source.APPLICANT


class FormField(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", _("单行文本")
        TEXTAREA = "textarea", _("多行文本")
        NUMBER = "number", _("数字")
        DATE = "date", _("日期")
        CHOICE = "choice", _("单选")
        PHONE = "phone", _("手机号码")
        ID_NUMBER = "id_number", _("身份证号码")
        CREDIT_CODE = "credit_code", _("统一社会信用代码")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(_("字段键"), max_length=64, help_text=_("同一主题内多个事项用相同的键即共用一个填报项。"))
    label = models.CharField(_("标签"), max_length=64)
    type = models.CharField(_("类型"), max_length=16, choices=Type.choices, default=Type.TEXT)
    required = models.BooleanField(_("必填"), default=True)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    help_text = models.CharField(_("填写说明"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("表单字段")
        verbose_name_plural = _("表单字段")
        ordering = ["matter", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["matter", "key"], name="unique_field_key_per_matter")]

    def __str__(self):
        return self.label


class Theme(models.Model):
    """A bundle of matters applied for with one form ("一件事")."""

    code = models.SlugField(_("主题代码"), max_length=48, unique=True)
    name = models.CharField(_("主题名称"), max_length=128)
    target = models.CharField(_("服务对象"), max_length=16, choices=Target.choices)
    description = models.TextField(_("说明"), blank=True)
    matters = models.ManyToManyField(Matter, through="ThemeMatter", related_name="themes")
    is_active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("主题(一件事)")
        verbose_name_plural = _("主题(一件事)")
        ordering = ["code"]

    def __str__(self):
        return self.name


class ThemeMatter(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="links")
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="theme_links")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["theme", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["theme", "matter"], name="unique_theme_matter")]


class MatterVersion(models.Model):
    """One published version of a matter's standard (办事指南): the matter's fields, its
    materials and its form fields as they stood, frozen as JSON (`matters.versioning.snapshot`).
    Applications and their sub-cases point at the version they were submitted under."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="versions", verbose_name=_("事项"))
    number = models.PositiveIntegerField(_("版本号"))
    published_on = models.DateField(_("发布日期"))
    snapshot = models.JSONField(_("办事指南内容"))
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("发布人")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("办事指南版本")
        verbose_name_plural = _("办事指南版本")
        ordering = ["matter", "-number"]
        constraints = [models.UniqueConstraint(fields=["matter", "number"], name="unique_matter_version_number")]

    def __str__(self):
        return f"{self.matter_id} v{self.number}"

    @property
    def promised_days(self) -> int:
        return self.snapshot["matter"]["promised_days"]


# --- situation questions (情形引导) ------------------------------------------------------------
# A theme asks a few questions; each answer (option) may leave out matters of the theme and add or
# remove material requirements. matters.questions.resolve turns the answers into the matters,
# materials and form fields that apply: the one source for the theme page, the one-time notice,
# the apply form and the administrator's preview.


class SituationQuestion(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, verbose_name=_("主题"))
    text = models.CharField(_("问题"), max_length=128)
    help_text = models.CharField(_("说明"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("情形问题")
        verbose_name_plural = _("情形问题")
        ordering = ["theme", "order", "pk"]

    def __str__(self):
        return self.text


class SituationOption(models.Model):
    question = models.ForeignKey(SituationQuestion, on_delete=models.CASCADE, verbose_name=_("问题"))
    label = models.CharField(_("选项"), max_length=64)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    excluded_matters = models.ManyToManyField(
        Matter, blank=True, verbose_name=_("无需办理的事项"), help_text=_("选择此项时,这些事项不再办理(须为本主题的事项)。"),
    )

    class Meta:
        verbose_name = _("情形选项")
        verbose_name_plural = _("情形选项")
        ordering = ["question", "order", "pk"]

    def __str__(self):
        return f"{self.question.text} {self.label}"


class OptionMaterial(models.Model):
    """Choosing the option adds (include) or leaves out (exclude) one material requirement."""

    class Effect(models.TextChoices):
        INCLUDE = "include", _("需要提交")
        EXCLUDE = "exclude", _("无需提交")

    option = models.ForeignKey(SituationOption, on_delete=models.CASCADE, verbose_name=_("选项"))
    requirement = models.ForeignKey(MaterialRequirement, on_delete=models.CASCADE, verbose_name=_("申请材料"))
    effect = models.CharField(_("效果"), max_length=8, choices=Effect.choices, default=Effect.INCLUDE)

    class Meta:
        verbose_name = _("选项对应材料")
        verbose_name_plural = _("选项对应材料")
        ordering = ["option", "pk"]
        constraints = [models.UniqueConstraint(fields=["option", "requirement"], name="unique_option_requirement")]

    def __str__(self):
        return f"{self.get_effect_display()}:{self.requirement.name}"


class ConditionalMaterial(models.Model):
    """A material asked for in a theme only when a chosen option includes it (授权委托书 when an
    agent applies, say); without such an answer it is left out of the theme's list."""

    requirement = models.OneToOneField(MaterialRequirement, on_delete=models.CASCADE, verbose_name=_("申请材料"))
    note = models.CharField(_("适用情形"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("按情形提交的材料")
        verbose_name_plural = _("按情形提交的材料")
        ordering = ["requirement"]

    def __str__(self):
        return self.requirement.name


class FeeItem(models.Model):
    """A fee of a matter (收费项目): its amount in fen, the rule that sets it, and when it is
    charged. `payments` turns it into a fee line of each application of the matter."""

    class ChargeAt(models.TextChoices):
        ACCEPTANCE = "acceptance", _("受理后缴纳")
        DELIVERY = "delivery", _("出件前缴纳")

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="fee_items", verbose_name=_("事项"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("收费项目"), max_length=100)
    amount_fen = models.PositiveIntegerField(_("金额(分)"), help_text=_("以分为单位的整数,例如 10 元填 1000。"))
    legal_basis = models.CharField(_("收费依据"), max_length=255)
    charge_at = models.CharField(_("缴费时点"), max_length=16, choices=ChargeAt.choices, default=ChargeAt.ACCEPTANCE)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        ordering = ["matter", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="fee_item_amount_positive"),
        ]

    def __str__(self):
        return f"{self.name} {self.amount_fen / 100:.2f} 元"

    @property
    def amount_yuan(self) -> str:
        return f"{self.amount_fen // 100}.{self.amount_fen % 100:02d}"


class CatalogLog(AppendOnlyModel):
    """Append-only record of every catalog edit made in the admin (themes, situation questions
    and options, conditional materials, a matter's fee items, and the exchange's data-source
    policies, material and field sources): who, when, which object, and the object with its
    inline rows as it was and as it is (`matters.catalog_log`). On the audit hash chain."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("操作人"))
    action = models.CharField(_("操作"), max_length=64)  # "matters.theme.edited", "exchange.fieldsource.deleted"
    table = models.CharField(_("对象类型"), max_length=64)  # "matters.Theme"
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    data = models.JSONField(_("变更内容"), default=dict)  # {"before": …, "after": …, "via": "admin"}
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta(AppendOnlyModel.Meta):
        verbose_name = _("目录变更记录")
        verbose_name_plural = _("目录变更记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["table", "object_id"], name="cataloglog_object")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class CatalogVersion(models.Model):
    """One row: a token that changes with every change of what a submission reads from the
    catalog (themes and their links, matters, their fields and materials, the departments, the
    exchange's material and field sources), so that each web and worker process keeps a theme's
    matters read once and reads them again as soon as anything changed
    (`matters.selectors.theme_for_submission` compares the token: one small query instead of five).
    Random, never a counter (as `workflow.CalendarVersion`): a rolled-back change must not leave a
    number that a later, different change takes again. No row (an empty database): nothing is
    kept."""

    token = models.CharField(max_length=32, blank=True)


def catalog_changed(**_kwargs) -> None:
    """Give the catalog a new version (in the transaction of the change)."""
    import uuid

    token = uuid.uuid4().hex
    if not CatalogVersion.objects.filter(pk=1).update(token=token):
        CatalogVersion.objects.get_or_create(pk=1, defaults={"token": token})


def watch_catalog(*models_) -> None:
    """Every save and delete of these models' rows (the admin's and the catalog import's included)
    gives the catalog a new version; queryset updates call `catalog_changed` themselves."""
    for model in models_:
        label = f"{model._meta.app_label}_{model.__name__}"
        models.signals.post_save.connect(catalog_changed, sender=model, dispatch_uid=f"catalog_changed_save_{label}")
        models.signals.post_delete.connect(catalog_changed, sender=model,
                                           dispatch_uid=f"catalog_changed_delete_{label}")


watch_catalog(Theme, ThemeMatter, Matter, FormField, MaterialRequirement, Department)
