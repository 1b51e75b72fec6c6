from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import (
    Appointment,
    AppointmentSlot,
    ClerkAuthorisation,
    Consultation,
    ConsultationEvent,
    RosterLog,
    Seat,
    Ticket,
    Window,
)


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "name", "category", "department", "is_active"]
    list_filter = ["hall", "category", "is_active"]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["clerk", "window", "starts_on", "ends_on"]
    list_filter = ["window__hall"]
    autocomplete_fields = ["clerk"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "hall", "day", "category", "state", "priority", "window", "called_by", "issued_at",
                    "called_at", "finished_at"]
    list_filter = ["hall", "day", "category", "state", "source"]
    readonly_fields = [f.name for f in Ticket._meta.fields]  # the record of the queue is not edited by hand

    def has_add_permission(self, request):
        return False


@admin.register(AppointmentSlot)
class AppointmentSlotAdmin(admin.ModelAdmin):
    list_display = ["hall", "date", "starts_at", "ends_at", "category", "department", "capacity", "booked"]
    list_filter = ["hall", "category", "date"]
    readonly_fields = ["booked"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["code", "slot", "user", "state", "created_at", "checked_in_at"]
    list_filter = ["state", "slot__hall"]
    search_fields = ["code"]
    readonly_fields = ["code", "slot", "user", "state", "created_at", "cancelled_at", "checked_in_at", "ticket"]


@admin.register(ClerkAuthorisation)
class ClerkAuthorisationAdmin(admin.ModelAdmin):
    list_display = ["clerk", "all_matters", "category", "starts_on", "ends_on", "granted_by"]
    autocomplete_fields = ["clerk"]
    filter_horizontal = ["matters"]


@admin.register(RosterLog)
class RosterLogAdmin(ReadOnlyAdmin):
    """The append-only record of 统一调配: read only."""

    list_display = ["created_at", "actor", "clerk", "action"]
    list_filter = ["action"]


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
