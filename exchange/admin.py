from django.contrib import admin

from .models import ExchangeMessage


@admin.register(ExchangeMessage)
class ExchangeMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "channel", "department", "case_ref"]
    list_filter = ["kind", "channel", "department"]
    search_fields = ["case_ref"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
