"""The matter catalog: matters (事项) with their standard, materials and form fields, and themes
("一件事") that bundle matters of several departments behind one form (一表式).

A theme's one form is the union of its matters' fields, keyed by `FormField.key`: a field that
several matters need (the company name, say) is asked once, and each department later sees only
the keys its own matter declares.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Department

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
    legal_days = models.PositiveSmallIntegerField(_("法定办结时限(工作日)"), default=20)
    promised_days = models.PositiveSmallIntegerField(_("承诺办结时限(工作日)"), help_text=_("即办件为0。"))
    fee_fen = models.PositiveIntegerField(_("收费标准(分)"), default=0)
    fee_basis = models.CharField(_("收费依据"), max_length=255, blank=True)
    visits = models.PositiveSmallIntegerField(_("到现场次数"), default=1)
    online_depth = models.PositiveSmallIntegerField(_("网办深度"), choices=OnlineDepth.choices, default=OnlineDepth.ONLINE_APPLY)
    citywide = models.BooleanField(_("同城通办"), default=True)
    in_hall = models.BooleanField(_("已进驻大厅"), default=True)
    issues_licence = models.BooleanField(_("办结出具证照"), default=False)
    result_name = models.CharField(_("审批结果名称"), max_length=128, blank=True)
    establishes_entity = models.BooleanField(
        _("设立登记"), default=False, help_text=_("申请时市场主体尚未成立,可不以企业名义申请(如企业设立登记)。")
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


class MaterialRequirement(models.Model):
    class Source(models.TextChoices):
        APPLICANT = "applicant", _("申请人提供")
        LICENCE = "licence", _("电子证照库获取(免提交)")
        DATA_SOURCE = "data_source", _("部门数据共享获取(免提交)")

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
    note = models.CharField(_("填报说明"), max_length=255, blank=True)
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
