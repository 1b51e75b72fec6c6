from django.contrib import admin

from .models import Seat, Window


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "name", "category", "department", "is_active"]
    list_filter = ["hall", "category", "is_active"]


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ["clerk", "window", "starts_on", "ends_on"]
    list_filter = ["window__hall"]
    autocomplete_fields = ["clerk"]
