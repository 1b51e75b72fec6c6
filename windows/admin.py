from django.contrib import admin

from .models import ClerkAuthorisation, RosterLog, Seat, Window


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "name", "category", "department", "is_active"]
    list_filter = ["hall", "category", "is_active"]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["clerk", "window", "starts_on", "ends_on"]
    list_filter = ["window__hall"]
    autocomplete_fields = ["clerk"]


@admin.register(ClerkAuthorisation)
class ClerkAuthorisationAdmin(admin.ModelAdmin):
    list_display = ["clerk", "all_matters", "category", "starts_on", "ends_on", "granted_by"]
    autocomplete_fields = ["clerk"]
    filter_horizontal = ["matters"]


@admin.register(RosterLog)
class RosterLogAdmin(admin.ModelAdmin):
    """The append-only record of 统一调配: read only."""

    list_display = ["created_at", "actor", "clerk", "action"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
