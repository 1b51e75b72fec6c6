from django.contrib import admin

from .models import Card


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["subcase", "level", "reason", "opened_at", "closed_at"]
    list_filter = ["level", "closed_at"]
    search_fields = ["subcase__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
