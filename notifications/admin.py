from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Message, SmsMessage


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """The log of what was sent to whom: read only."""

    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "title"]


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    """The log of texts: the number only masked, the status the gateway's receipts set."""

    list_display = ["created_at", "recipient", "kind", "phone_masked", "status", "provider_id", "attempts",
                    "delivered_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__username", "provider_id", "client_ref"]
