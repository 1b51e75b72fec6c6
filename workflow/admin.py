"""Cases are changed only through services; the admin reads them. The calendar is edited here."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _

from core.admin import ReadOnlyAdmin
from core.errors import DomainError

from . import calendar_store
from .models import Application, CalendarChange, CalendarDay, CalendarYear, CaseLog, SubCase


class SubCaseInline(admin.TabularInline):
    model = SubCase
    fields = ["number", "matter", "department", "state", "started_on", "deadline", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "applicant", "category", "channel", "state", "submitted_at", "accepted_on"]
    list_filter = ["state", "category", "channel"]
    search_fields = ["number", "title"]
    inlines = [SubCaseInline]


@admin.register(CaseLog)
class CaseLogAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "application", "subcase", "actor", "action", "from_state", "to_state"]
    list_filter = ["action"]
    search_fields = ["application__number"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "note"]


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name"]

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("date") or getattr(self.instance, "date", None)
        if day is not None:
            try:
                calendar_store.check_day(day, bool(cleaned.get("is_workday")))
            except DomainError as exc:
                raise forms.ValidationError(exc.message, code=exc.code) from None
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Single days of a year already entered. Every save and delete goes through
    `calendar_store.edit_days`, which moves the stored deadlines of open cases counted over the
    day and logs each move (CalendarChange), as entering a whole year does."""

    form = CalendarDayForm
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]

    def _may_edit(self, request):
        return request.user.is_superuser or getattr(request.user, "role", None) == "administrator"

    def has_add_permission(self, request):
        return self._may_edit(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj is not None else []  # another day is another row: delete and add

    def _edit(self, request, changes):
        result = calendar_store.edit_days(admin=request.user, changes=changes)
        if result["moved"]:
            self.message_user(request, _("已据此调整 %(n)d 个期限,涉及办件:%(apps)s(见“节假日录入引起的期限变更”)。") % {
                "n": result["moved"], "apps": "、".join(result["applications"])}, messages.WARNING)

    def save_model(self, request, obj, form, change):
        self._edit(request, {obj.date: (obj.is_workday, obj.name)})
        obj.pk = CalendarDay.objects.get(date=obj.date).pk

    def delete_model(self, request, obj):
        self._edit(request, {obj.date: None})

    def delete_queryset(self, request, queryset):
        self._edit(request, {day: None for day in queryset.values_list("date", flat=True)})


@admin.register(CalendarChange)
class CalendarChangeAdmin(ReadOnlyAdmin):
    """What entering a year's holidays moved (written by `calendar_store.enter_year`, never by hand)."""

    list_display = ["changed_at", "year", "application", "subcase", "field", "old_date", "new_date", "still_provisional",
                    "changed_by"]
    list_filter = ["year", "field"]
    search_fields = ["application__number"]
