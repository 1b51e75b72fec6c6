from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from matters.admin import CatalogLoggedAdmin

from . import departments
from .models import (
    CatalogFeedVersion,
    DataQuery,
    DataSourcePolicy,
    DepartmentKey,
    DepartmentSystem,
    ElectronicLicence,
    ExchangeMessage,
    Exemption,
    FieldSource,
    InboundMessage,
    IssuerKey,
    LicenceType,
    MaterialDownload,
    MaterialSource,
    OutboxMessage,
    Reconciliation,
    RefusedRequest,
)


@admin.register(ExchangeMessage)
class ExchangeMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "channel", "department", "case_ref"]
    list_filter = ["kind", "channel", "department"]
    search_fields = ["case_ref"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ElectronicLicence)
class ElectronicLicenceAdmin(ReadOnlyAdmin):
    """Read-only: licences are issued by the workflow and revoked through
    `exchange.services.licence_revoke`, never edited."""

    list_display = ["number", "name", "holder_name", "holder_id_masked", "department", "issued_on", "revoked_at"]
    list_filter = ["department", "issued_on"]
    search_fields = ["number", "case_ref", "application_number", "holder_name"]
    exclude = ["holder_id_number", "guardian_id_number"]


# --- department systems --------------------------------------------------------------------------


class DepartmentKeyInline(admin.TabularInline):
    model = DepartmentKey
    extra = 0
    fields = ["key_id", "secret", "active", "created_at", "retired_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DepartmentSystem)
class DepartmentSystemAdmin(admin.ModelAdmin):
    """Set a department to decide in its own system; its keys (rotate: a new one signs, the
    previous one stays active until the department has switched)."""

    list_display = ["name", "department", "base_url", "active", "account"]
    list_filter = ["active"]
    inlines = [DepartmentKeyInline]
    actions = ["rotate_keys"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        departments.ensure_account(obj)
        departments.signing_key(obj)

    @admin.action(description=_("生成新密钥(轮换:新旧两把同时有效)"))
    def rotate_keys(self, request, queryset):
        for system in queryset:
            key = departments.rotate_key(system)
            self.message_user(request, _("%(system)s 的新密钥 %(key)s 已生成,请交部门系统配置后停用旧密钥。")
                              % {"system": system.name, "key": key.key_id})


@admin.register(MaterialDownload)
class MaterialDownloadAdmin(ReadOnlyAdmin):
    """Materials' files fetched by department systems (signed download): who, what, when, digest."""

    list_display = ["at", "department", "key_id", "case_ref", "material_id", "name", "size", "sha256"]
    list_filter = ["department"]
    search_fields = ["case_ref"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Messages to department systems; dead letters wait here for a person to re-send them."""

    list_display = ["created_at", "kind", "case_ref", "department", "status", "attempts", "last_status", "last_error",
                    "next_attempt_at", "delivered_at"]
    list_filter = ["status", "kind", "department"]
    search_fields = ["case_ref", "message_id"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新发送所选消息"))
    def resend(self, request, queryset):
        count = departments.resend(list(queryset))
        self.message_user(request, _("已重新排入发送队列 %(n)s 条(已送达的不重发)。") % {"n": count})

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("exchange.change_outboxmessage"):
            actions.pop("resend", None)
        return actions


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "kind", "case_ref", "department", "outcome", "status_code", "source"]
    list_filter = ["outcome", "kind", "source", "department"]
    search_fields = ["case_ref", "message_id"]
    readonly_fields = [f.name for f in InboundMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RefusedRequest)
class RefusedRequestAdmin(ReadOnlyAdmin):
    list_display = ["at", "code", "department_code", "key_id", "method", "path", "remote_addr"]
    list_filter = ["code"]
    readonly_fields = [f.name for f in RefusedRequest._meta.fields]


@admin.register(Reconciliation)
class ReconciliationAdmin(admin.ModelAdmin):
    list_display = ["at", "department", "ok", "unacknowledged_count", "resent_count", "applied_count", "error"]
    list_filter = ["ok", "department"]
    readonly_fields = [f.name for f in Reconciliation._meta.fields]

    @admin.display(description=_("未获确认"))
    def unacknowledged_count(self, obj):
        return len(obj.unacknowledged)

    @admin.display(description=_("已重发"))
    def resent_count(self, obj):
        return len(obj.resent)

    @admin.display(description=_("补办结果"))
    def applied_count(self, obj):
        return len(obj.applied)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CatalogFeedVersion)
class CatalogFeedVersionAdmin(ReadOnlyAdmin):
    list_display = ["version", "published_on", "fetched_at", "what_changed"]
    readonly_fields = ["version", "published_on", "fetched_at", "what_changed", "report"]
    exclude = ["matters"]

    @admin.display(description=_("变更摘要"))
    def what_changed(self, obj):
        from .catalog_sync import summary

        return summary(obj.report)


@admin.register(DataSourcePolicy)
class DataSourcePolicyAdmin(CatalogLoggedAdmin):
    list_display = ("matter", "source", "fields", "purpose")
    list_filter = ("source",)
    search_fields = ("matter__name", "purpose")
    autocomplete_fields = ("matter",)


@admin.register(DataQuery)
class DataQueryAdmin(ReadOnlyAdmin):
    list_display = ("asked_at", "subject", "subject_enterprise", "source", "fields", "matter", "case_ref", "asked_by",
                    "outcome")
    list_filter = ("source", "outcome")
    search_fields = ("case_ref",)


@admin.register(MaterialSource)
class MaterialSourceAdmin(CatalogLoggedAdmin):
    """免提交: which material is taken from which data source or e-licence (validated against the
    matter's 数据共享授权 in `MaterialSource.clean`)."""

    list_display = ("requirement", "matter", "kind", "source", "fields", "licence_name")
    list_filter = ("kind", "source")
    search_fields = ("requirement__name", "requirement__matter__name", "licence_name")
    raw_id_fields = ("requirement",)

    @admin.display(description=_("事项"))
    def matter(self, obj):
        return obj.requirement.matter


@admin.register(FieldSource)
class FieldSourceAdmin(CatalogLoggedAdmin):
    list_display = ("matter", "field_key", "source", "source_field")
    list_filter = ("source",)
    search_fields = ("matter__name", "field_key")
    autocomplete_fields = ("matter",)


@admin.register(Exemption)
class ExemptionAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "case_ref", "matter", "name", "source", "reference", "corrected")
    list_filter = ("kind", "source", "corrected")
    search_fields = ("case_ref",)


@admin.register(IssuerKey)
class IssuerKeyAdmin(ReadOnlyAdmin):
    """The issuers' signing keys (departments: licences and decisions; halls: window notices; the
    centre): public half shown, private half never."""

    list_display = ("key_id", "department", "hall", "algorithm", "public_key", "active", "created_at")
    list_filter = ("active",)
    exclude = ("private_key",)
    actions = ["rotate"]

    def get_actions(self, request):
        from matters.catalog_log import is_administrator

        return super().get_actions(request) if is_administrator(request.user) else {}

    @admin.action(description=_("轮换签名密钥(新密钥签发,旧密钥仍可核验)"))
    def rotate(self, request, queryset):
        from matters.catalog_log import is_administrator

        from .licence_signing import rotate

        if not is_administrator(request.user):
            raise PermissionDenied
        done = set()
        for key in queryset.select_related("department", "hall"):
            issuer = (key.department_id, key.hall_id)
            if issuer in done:
                continue
            done.add(issuer)
            new = rotate(key=key)
            self.message_user(request, _("%(issuer)s 的新签名密钥 %(key)s 已启用;此前的密钥不再签发,已签发的证照和文书仍可核验。")
                              % {"issuer": new.issuer_name, "key": new.key_id})


class NationalCodeFilter(admin.SimpleListFilter):
    """待录入国家目录编码: types on a placeholder code (LOCAL-…) or without an issuer credit code."""

    title = _("国家目录编码")
    parameter_name = "national_code"

    def lookups(self, request, model_admin):
        return [("missing", _("待录入国家目录编码")), ("entered", _("已录入"))]

    def queryset(self, request, queryset):
        if self.value() == "missing":
            return queryset.filter(LicenceType.on_local_codes())
        if self.value() == "entered":
            return queryset.exclude(LicenceType.on_local_codes())
        return queryset


@admin.register(LicenceType)
class LicenceTypeAdmin(CatalogLoggedAdmin):
    """证照类型: GB/T 36903-style metadata of a licence type, its data items (checked in
    `LicenceType.clean`), validity and reminder settings. Administrators only, on the catalog log."""

    list_display = ("name", "code", "national_code", "level", "holder_kind", "validity", "item_count", "days_ahead",
                    "renewal_matter")
    list_filter = (NationalCodeFilter, "level", "holder_kind")
    search_fields = ("name", "code")
    autocomplete_fields = ("renewal_matter",)
    fieldsets = (
        (_("证照类型"), {"fields": ("name", "code", "level", "issuer_code")}),
        (_("持证主体"), {"fields": ("holder_kind", "holder_fields")}),
        (_("照面信息与有效期"), {"fields": ("data_items", "valid_months")}),
        (_("到期提醒与续办"), {"fields": ("days_ahead", "renewal_matter", "number_field")}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "data_items":  # rows drawn on the server, not a JSON textarea
            from .forms import DataItemsField

            return DataItemsField(label=db_field.verbose_name, help_text=_(
                "证照上载明的数据项:键(英文)、名称、类型(文本/日期/数字)、是否必填,以及可取值的申请表字段键。"))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("国家目录编码"))
    def national_code(self, obj):
        from django.utils.html import format_html

        missing = obj.missing_codes
        if missing:
            return format_html('<strong class="errornote-inline" data-local-code title="{}">{}</strong>',
                               _("缺:%(m)s") % {"m": missing}, _("待录入国家目录编码"))
        return _("已录入")

    @admin.display(description=_("有效期"))
    def validity(self, obj):
        return _("%(n)s 个月") % {"n": obj.valid_months} if obj.valid_months else _("长期")

    @admin.display(description=_("数据项数"))
    def item_count(self, obj):
        return len(obj.data_items or [])
