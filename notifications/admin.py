from django.contrib import admin
from django.utils.translation import gettext as _

from core.admin import ReadOnlyAdmin

from . import services
from .models import AppDevice, Message, PushMessage, SmsMessage


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
    actions = ["resend"]

    @admin.action(description=_("重新发送所选的发送失败短信"))
    def resend(self, request, queryset):
        """Through the outbox (the send intent), each failed one once; the others are left alone."""
        done = [pk for pk in queryset.values_list("pk", flat=True) if services.sms_resend(sms_id=pk)]
        for pk in done:
            self.log_change(request, queryset.model.objects.get(pk=pk), _("重新发送短信"))
        self.message_user(request, _("已重新排队发送 %(n)s 条短信;%(m)s 条不是发送失败状态,未处理。")
                          % {"n": len(done), "m": queryset.count() - len(done)})

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser  # for the action; the fields stay read-only

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in SmsMessage._meta.fields]


@admin.register(AppDevice)
class AppDeviceAdmin(ReadOnlyAdmin):
    """Phones on which the mobile app registered for pushed notices (the token is not shown)."""

    list_display = ["registered_at", "user", "platform", "name"]
    list_filter = ["platform"]
    search_fields = ["user__username", "name"]
    exclude = ["token"]


@admin.register(PushMessage)
class PushMessageAdmin(ReadOnlyAdmin):
    """The log of notices pushed to the mobile app."""

    list_display = ["created_at", "recipient", "kind", "title", "status", "provider_id", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__username", "provider_id", "client_ref"]
