from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import enrolment
from .models import (
    AgentAuthorisation,
    Department,
    Enterprise,
    EnterpriseMembership,
    Hall,
    MembershipRequest,
    Region,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "real_name", "role", "department", "masked_id_number", "is_active"]
    list_filter = ["role", "department", "district", "is_active"]
    search_fields = ["username", "real_name", "=id_number"]  # encrypted: exact number only
    actions = ["open_otp_enrolment"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("实名与角色"), {"fields": ["role", "real_name", "id_number", "phone", "department", "district"]}),)

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.action(description=_("开通手机令牌绑定(原令牌作废,本人72小时内登录后自行绑定)"),
                  permissions=["change"])
    def open_otp_enrolment(self, request, queryset):
        for user in queryset:
            enrolment.open_enrolment(user)
            self.log_change(request, user, [{"changed": {"fields": ["手机令牌:开通绑定"]}}])
        self.message_user(request, _("已为 %(n)d 个账号开通手机令牌绑定,原令牌已作废。请通知本人在72小时内登录并绑定。")
                          % {"n": queryset.count()})


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "region", "phone"]
    search_fields = ["code", "name"]


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "address", "phone"]
    search_fields = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = EnterpriseMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "title", "may_authorise"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["credit_code", "name", "legal_representative"]
    search_fields = ["credit_code", "name"]
    inlines = [MembershipInline]


@admin.register(AgentAuthorisation)
class AgentAuthorisationAdmin(admin.ModelAdmin):
    """Read-only: authorisations are recorded and revoked through the services (pages, API)."""

    list_display = ["principal", "enterprise", "agent", "starts_on", "ends_on", "recorded_at", "revoked_at"]
    list_filter = ["recorded_at"]
    search_fields = ["principal__real_name", "agent__real_name", "enterprise__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MembershipRequest)
class MembershipRequestAdmin(admin.ModelAdmin):
    """Read-only: decided on /me/enterprises/ (the legal representative or an administrator)."""

    list_display = ["user", "enterprise", "state", "created_at", "decided_by"]
    list_filter = ["state"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
