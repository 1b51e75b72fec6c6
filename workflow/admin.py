"""Cases are changed only through services; the admin reads them. The calendar is edited here."""

from django.contrib import admin

from .models import Application, CalendarChange, CalendarDay, CalendarYear, CaseLog, SubCase


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(CalendarChange)
class CalendarChangeAdmin(ReadOnlyAdmin):
    """What entering a year's holidays moved (written by `calendar_store.enter_year`, never by hand)."""

    list_display = ["changed_at", "year", "application", "subcase", "field", "old_date", "new_date", "still_provisional",
                    "changed_by"]
    list_filter = ["year", "field"]
    search_fields = ["application__number"]
