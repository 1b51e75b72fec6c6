from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from . import kiosk, signing
from .models import CardSession, KioskReceipt, Terminal, TerminalEnrolment, TerminalRefusal


class TerminalForm(forms.ModelForm):
    class Meta:
        model = Terminal
        fields = ["code", "hall", "location", "public_key", "active"]

    def clean_public_key(self):
        value = self.cleaned_data["public_key"].strip()
        if not signing.valid_public_key(value):
            raise forms.ValidationError(_("不是有效的 Ed25519 公钥(32 字节,Base64)。"))
        return value


@admin.register(Terminal)
class TerminalAdmin(admin.ModelAdmin):
    form = TerminalForm
    list_display = ["code", "hall", "location", "active", "last_heartbeat_at", "paper", "reader_ok"]
    list_filter = ["hall", "active", "paper"]
    search_fields = ["code", "location"]
    actions = ["make_enrolment_code"]

    @admin.action(description=_("生成登记码(只显示一次)"))
    def make_enrolment_code(self, request, queryset):
        for terminal in queryset:
            try:
                code = kiosk.enrolment_code_issue(terminal=terminal, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{terminal.code}:{error.message}", messages.ERROR)
            else:
                self.message_user(request, _("终端 %(t)s 的登记码:%(c)s(30 分钟内有效,只能使用一次)。")
                                  % {"t": terminal.code, "c": code}, messages.SUCCESS)


@admin.register(TerminalEnrolment)
class TerminalEnrolmentAdmin(admin.ModelAdmin):
    list_display = ["terminal", "created_by", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["terminal__hall"]
    exclude = ["code_digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KioskReceipt)
class KioskReceiptAdmin(admin.ModelAdmin):
    list_display = ["created_at", "session", "kind", "title"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CardSession)
class CardSessionAdmin(admin.ModelAdmin):
    list_display = ["terminal", "card_id_masked", "state", "started_at", "ended_at", "end_reason"]
    list_filter = ["state", "end_reason", "terminal__hall"]
    readonly_fields = [f.name for f in CardSession._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TerminalRefusal)
class TerminalRefusalAdmin(admin.ModelAdmin):
    list_display = ["at", "code", "terminal_code", "path", "remote_addr"]
    list_filter = ["code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
