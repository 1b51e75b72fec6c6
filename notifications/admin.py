from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The log of what was sent to whom: read only."""

    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
