from django.contrib import admin

from .models import FormField, MaterialRequirement, Matter, Theme, ThemeMatter


class MaterialInline(admin.TabularInline):
    model = MaterialRequirement
    extra = 0


class FieldInline(admin.TabularInline):
    model = FormField
    extra = 0


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "department", "target", "legal_days", "promised_days", "in_hall", "is_active"]
    list_filter = ["kind", "target", "department", "level", "in_hall", "is_active"]
    search_fields = ["code", "name"]
    inlines = [MaterialInline, FieldInline]


class ThemeMatterInline(admin.TabularInline):
    model = ThemeMatter
    extra = 0
    autocomplete_fields = ["matter"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "target", "is_active"]
    inlines = [ThemeMatterInline]
