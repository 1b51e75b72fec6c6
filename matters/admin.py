from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from . import catalog_log, versioning
from .models import (
    CatalogLog,
    ConditionalMaterial,
    FeeItem,
    FormField,
    MaterialRequirement,
    Matter,
    MatterVersion,
    OptionMaterial,
    SituationOption,
    SituationQuestion,
    Theme,
    ThemeMatter,
)


class CatalogLoggedAdmin(admin.ModelAdmin):
    """Catalog objects edited here: administrators only, and every add, change and delete goes
    with its inline rows through `matters.catalog_log`, which writes the catalog log (audit chain)."""

    def has_add_permission(self, request):
        return catalog_log.is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return catalog_log.is_administrator(request.user)

    def has_delete_permission(self, request, obj=None):
        return catalog_log.is_administrator(request.user)

    def save_model(self, request, obj, form, change):
        pass  # written with its inline rows in save_related, by the logging service

    def write(self, request, form, formsets, change):
        """Save the object and its inline rows (what the admin does by default)."""
        super().save_model(request, form.instance, form, change)
        super().save_related(request, form, formsets, change)

    def save_related(self, request, form, formsets, change):
        catalog_log.catalog_admin_save(instance=form.instance, by=request.user,
                                       write=lambda: self.write(request, form, formsets, change))

    def delete_model(self, request, obj):
        catalog_log.catalog_admin_delete(instance=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class MaterialForm(forms.ModelForm):
    """Blank forms and samples go through the project's one upload check (core.uploads): PDF,
    images or Office documents by content, never HTML or SVG whatever the file is called."""

    def _checked(self, name):
        upload = self.cleaned_data.get(name)
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            from core.errors import Invalid
            from core.uploads import DOCUMENT_KINDS, inspect

            try:
                inspect(upload, field=name, kinds=DOCUMENT_KINDS)
            except Invalid as exc:
                raise forms.ValidationError(exc.message) from None
        return upload

    def clean_blank_form(self):
        return self._checked("blank_form")

    def clean_sample(self):
        return self._checked("sample")


class MaterialInline(admin.TabularInline):
    model = MaterialRequirement
    form = MaterialForm
    extra = 0


class FeeItemInline(admin.TabularInline):
    model = FeeItem
    extra = 0
    fields = ["order", "name", "amount_fen", "legal_basis", "charge_at", "is_active"]


class FieldInline(admin.TabularInline):
    model = FormField
    extra = 0


@admin.register(Matter)
class MatterAdmin(CatalogLoggedAdmin):
    list_display = ["code", "name", "kind", "department", "target", "legal_days", "promised_days", "in_hall", "home_visit",
                    "self_service", "is_active"]
    list_filter = ["kind", "target", "department", "level", "in_hall", "home_visit", "self_service", "is_active"]
    search_fields = ["code", "name"]
    inlines = [MaterialInline, FieldInline, FeeItemInline]
    readonly_fields = ["version", "published_on"]  # moved on by versioning, never typed

    def write(self, request, form, formsets, change):
        if change:  # the standard as it stood gets its version before the edit is written
            versioning.freeze_current(Matter.objects.select_related("department").get(pk=form.instance.pk),
                                      by=request.user)
        super().write(request, form, formsets, change)
        # After the materials and fields: a new version only when the standard changed.
        versioning.publish_if_changed(matter=form.instance, by=request.user)


@admin.register(MatterVersion)
class MatterVersionAdmin(admin.ModelAdmin):
    list_display = ["matter", "number", "published_on", "published_by"]
    list_select_related = ["matter", "published_by"]
    search_fields = ["matter__code", "matter__name"]
    readonly_fields = ["matter", "number", "published_on", "snapshot", "published_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- situation questions (情形引导) --------------------------------------------------------------
# Questions are inlines of the theme; a question's options (with the matters they leave out) are
# inlines of the question; an option's materials (include / exclude) are inlines of the option.
# Every list offers only the theme's own matters and materials. The preview page shows what each
# combination of answers gives (portal:situation_preview).


class RequirementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.matter.name} · {obj.name}"


def _preview_link(theme):
    if theme is None or not theme.pk:
        return "—"
    return format_html('<a href="{}" target="_blank">{}</a>', reverse("portal:situation_preview", args=[theme.code]),
                       _("预览各情形下的事项和材料"))


def _theme_requirements(theme):
    return MaterialRequirement.objects.filter(matter__theme_links__theme=theme).select_related("matter").order_by(
        "matter__theme_links__order", "matter_id", "order", "pk")


class SituationQuestionInline(admin.TabularInline):
    model = SituationQuestion
    extra = 0
    fields = ["order", "text", "help_text"]
    show_change_link = True  # the options are edited on the question's page


class ThemeMatterInline(admin.TabularInline):
    model = ThemeMatter
    extra = 0
    autocomplete_fields = ["matter"]


@admin.register(Theme)
class ThemeAdmin(CatalogLoggedAdmin):
    list_display = ["code", "name", "target", "is_active"]
    readonly_fields = ["situation_preview"]
    inlines = [ThemeMatterInline, SituationQuestionInline]

    @admin.display(description=_("情形引导预览"))
    def situation_preview(self, obj):
        return _preview_link(obj)


class SituationOptionInline(admin.TabularInline):
    model = SituationOption
    extra = 0
    fields = ["order", "label", "excluded_matters"]
    show_change_link = True  # the option's materials are edited on the option's page
    theme = None

    def get_formset(self, request, obj=None, **kwargs):
        self.theme = obj.theme if obj is not None else None
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "excluded_matters":
            kwargs["queryset"] = Matter.objects.filter(theme_links__theme=self.theme) if self.theme else Matter.objects.none()
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(SituationQuestion)
class SituationQuestionAdmin(CatalogLoggedAdmin):
    list_display = ["text", "theme", "order"]
    list_filter = ["theme"]
    fields = ["theme", "order", "text", "help_text", "preview"]
    readonly_fields = ["preview"]
    inlines = [SituationOptionInline]

    @admin.display(description=_("预览"))
    def preview(self, obj):
        return _preview_link(obj.theme if obj and obj.pk else None)


class OptionMaterialInline(admin.TabularInline):
    model = OptionMaterial
    extra = 0
    fields = ["requirement", "effect"]
    theme = None

    def get_formset(self, request, obj=None, **kwargs):
        self.theme = obj.question.theme if obj is not None else None
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "requirement":
            queryset = _theme_requirements(self.theme) if self.theme else MaterialRequirement.objects.none()
            return RequirementChoiceField(queryset=queryset, label=db_field.verbose_name)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(SituationOption)
class SituationOptionAdmin(CatalogLoggedAdmin):
    list_display = ["label", "question", "order"]
    list_filter = ["question__theme"]
    fields = ["question", "order", "label", "excluded_matters", "preview"]
    readonly_fields = ["preview"]
    filter_horizontal = ["excluded_matters"]
    inlines = [OptionMaterialInline]

    @admin.display(description=_("预览"))
    def preview(self, obj):
        return _preview_link(obj.question.theme if obj and obj.pk else None)


@admin.register(ConditionalMaterial)
class ConditionalMaterialAdmin(CatalogLoggedAdmin):
    """Materials asked for only when an answer includes them (授权委托书 when an agent applies)."""

    list_display = ["requirement", "matter", "note"]
    list_select_related = ["requirement__matter"]
    search_fields = ["requirement__name", "requirement__matter__name"]

    @admin.display(description=_("所属事项"))
    def matter(self, obj):
        return obj.requirement.matter

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "requirement":
            queryset = MaterialRequirement.objects.select_related("matter").order_by("matter__code", "order", "pk")
            return RequirementChoiceField(queryset=queryset, label=db_field.verbose_name)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)



@admin.register(CatalogLog)
class CatalogLogAdmin(ReadOnlyAdmin):
    """The append-only record of catalog edits: read only."""

    list_display = ["created_at", "actor", "action", "object_repr"]
    list_filter = ["table"]
    search_fields = ["object_repr", "object_id"]
    list_select_related = ["actor"]
