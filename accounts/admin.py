from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, Enterprise, EnterpriseMembership, Hall, Region, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "real_name", "role", "department", "masked_id_number", "is_active"]
    list_filter = ["role", "department", "is_active"]
    search_fields = ["username", "real_name", "id_number"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("实名与角色"), {"fields": ["role", "real_name", "id_number", "phone", "department"]}),)

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, obj):
        return obj.masked_id_number


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


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["credit_code", "name", "legal_representative"]
    search_fields = ["credit_code", "name"]
    inlines = [MembershipInline]
