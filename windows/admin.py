from django.contrib import admin

from .models import Consultation, ConsultationEvent, Seat, Window


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "name", "category", "department", "is_active"]
    list_filter = ["hall", "category", "is_active"]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["clerk", "window", "starts_on", "ends_on"]
    list_filter = ["window__hall"]
    autocomplete_fields = ["clerk"]


class ConsultationEventInline(admin.TabularInline):
    model = ConsultationEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor", "from_owner", "to_owner", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    """Read-only here: consultations change only through their services (and history)."""

    list_display = ["number", "topic", "channel", "asker_name", "owner", "state", "due_on"]
    list_filter = ["state", "channel", "hall"]
    search_fields = ["number", "topic", "asker_name"]
    inlines = [ConsultationEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
